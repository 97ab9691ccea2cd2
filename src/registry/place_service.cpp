// RegistryService: the place tree and creating places.
#include <map>
#include <set>

#include "auth/audit_log.hpp"
#include "registry/registry_service.hpp"

namespace bulwark::registry {
namespace {

constexpr const char* kRead = "residents.read";
constexpr const char* kWrite = "residents.write";

Error Missing() { return NotFound("未找到"); }

Status AuditPlace(db::Session& s, const auth::Principal& who, int64_t now, const std::string& kind,
                  int64_t id) {
    auth::AuditEntry entry = auth::AuditLog::For(who, "place.create");
    entry.subject_kind = kind;
    entry.subject_id = id;
    entry.at = now;
    return auth::AuditLog::Append(s, entry);
}

}  // namespace

Result<PlaceTree> RegistryService::Places(const auth::Principal& who) {
    ScopeFilter scope = ScopeFilter::FromScopes(who.ScopesFor(kRead));
    std::vector<Street> streets;
    std::vector<Community> communities;
    std::vector<Grid> grids;
    std::vector<Building> buildings;
    std::vector<RegistryStore::BuildingCounts> counts;
    RETURN_IF_ERROR(db_.Read([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(streets, RegistryStore::ListStreets(s));
        ASSIGN_OR_RETURN(communities, RegistryStore::ListCommunities(s));
        ASSIGN_OR_RETURN(grids, RegistryStore::ListGrids(s));
        ASSIGN_OR_RETURN(buildings, RegistryStore::ListBuildings(s, scope));
        ASSIGN_OR_RETURN(counts, RegistryStore::CountByBuilding(s, scope));
        return Ok();
    }));
    std::map<int64_t, int64_t> street_of;  // community -> street
    for (const Community& c : communities) street_of[c.id] = c.street_id;

    // A place is shown if the caller's scope covers it, or if it contains something shown.
    std::set<int64_t> shown_grids, shown_communities, shown_streets;
    for (const Grid& g : grids) {
        auth::Placement where{.street_id = street_of[g.community_id],
                              .community_id = g.community_id,
                              .grid_id = g.id};
        if (who.CanAt(kRead, where)) shown_grids.insert(g.id);
    }
    std::map<int64_t, int64_t> community_of_grid;
    for (const Grid& g : grids) {
        community_of_grid[g.id] = g.community_id;
        if (shown_grids.count(g.id)) shown_communities.insert(g.community_id);
    }
    for (const Community& c : communities) {
        if (who.CanAt(kRead, {.street_id = c.street_id, .community_id = c.id})) {
            shown_communities.insert(c.id);
        }
        if (shown_communities.count(c.id)) shown_streets.insert(c.street_id);
    }
    for (const Street& st : streets) {
        if (who.CanAt(kRead, {.street_id = st.id})) shown_streets.insert(st.id);
    }

    std::map<int64_t, RegistryStore::BuildingCounts> count_of;
    for (const auto& c : counts) count_of[c.building_id] = c;
    std::map<int64_t, std::vector<PlaceTree::BuildingNode>> buildings_of_grid;
    for (const Building& b : buildings) {
        const auto& c = count_of[b.id];
        buildings_of_grid[b.grid_id].push_back({b, c.residents, c.households});
    }
    std::map<int64_t, std::vector<PlaceTree::GridNode>> grids_of_community;
    for (const Grid& g : grids) {
        if (!shown_grids.count(g.id)) continue;
        grids_of_community[g.community_id].push_back({g, std::move(buildings_of_grid[g.id])});
    }
    std::map<int64_t, std::vector<PlaceTree::CommunityNode>> communities_of_street;
    for (const Community& c : communities) {
        if (!shown_communities.count(c.id)) continue;
        communities_of_street[c.street_id].push_back({c, std::move(grids_of_community[c.id])});
    }
    PlaceTree tree;
    for (const Street& st : streets) {
        if (!shown_streets.count(st.id)) continue;
        tree.streets.push_back({st, std::move(communities_of_street[st.id])});
    }
    return tree;
}

Result<Street> RegistryService::CreateStreet(const auth::Principal& who, const std::string& name,
                                             const std::string& district) {
    bool street_level = false;
    for (const auth::Scope& scope : who.ScopesFor(kWrite)) {
        street_level = street_level || scope.kind == auth::ScopeKind::kStreet;
    }
    if (!street_level) return PermissionDenied("只有街道级账号可以新建街道");
    ASSIGN_OR_RETURN(std::string clean, CleanLabel(name, "name", "街道名称"));
    ASSIGN_OR_RETURN(std::string clean_district, CleanLabel(district, "district", "区", 50, false));
    int64_t now = clock_.NowMillis();
    return db_.WriteValue([&](db::Session& s) -> Result<Street> {
        auto street =
            RegistryStore::InsertStreet(s, {.name = clean, .district = clean_district}, now);
        if (!street.ok() && street.error().code == ErrorCode::kAlreadyExists) {
            return AlreadyExists("同名的街道已存在", "name");
        }
        if (!street.ok()) return street;
        RETURN_IF_ERROR(AuditPlace(s, who, now, "street", street->id));
        return street;
    });
}

Result<Community> RegistryService::CreateCommunity(const auth::Principal& who, int64_t street_id,
                                                   const std::string& name) {
    ASSIGN_OR_RETURN(std::string clean, CleanLabel(name, "name", "社区名称"));
    int64_t now = clock_.NowMillis();
    return db_.WriteValue([&](db::Session& s) -> Result<Community> {
        ASSIGN_OR_RETURN(auto street, RegistryStore::GetStreet(s, street_id));
        if (!street || !who.CanAt(kWrite, {.street_id = street_id})) return Missing();
        auto c = RegistryStore::InsertCommunity(s, {.street_id = street_id, .name = clean}, now);
        if (!c.ok() && c.error().code == ErrorCode::kAlreadyExists) {
            return AlreadyExists("该街道已有同名社区", "name");
        }
        if (!c.ok()) return c;
        RETURN_IF_ERROR(AuditPlace(s, who, now, "community", c->id));
        return c;
    });
}

Result<Grid> RegistryService::CreateGrid(const auth::Principal& who, int64_t community_id,
                                         const std::string& name) {
    ASSIGN_OR_RETURN(std::string clean, CleanLabel(name, "name", "网格名称"));
    int64_t now = clock_.NowMillis();
    return db_.WriteValue([&](db::Session& s) -> Result<Grid> {
        ASSIGN_OR_RETURN(auto c, RegistryStore::GetCommunity(s, community_id));
        if (!c || !who.CanAt(kWrite, {.street_id = c->street_id, .community_id = c->id})) {
            return Missing();
        }
        auto g = RegistryStore::InsertGrid(s, {.community_id = community_id, .name = clean}, now);
        if (!g.ok() && g.error().code == ErrorCode::kAlreadyExists) {
            return AlreadyExists("该社区已有同名网格", "name");
        }
        if (!g.ok()) return g;
        RETURN_IF_ERROR(AuditPlace(s, who, now, "grid", g->id));
        return g;
    });
}

Result<Building> RegistryService::CreateBuilding(const auth::Principal& who, int64_t grid_id,
                                                 const std::string& name, int floors) {
    ASSIGN_OR_RETURN(std::string clean, CleanLabel(name, "name", "楼栋名称"));
    if (floors < 0 || floors > 200) return InvalidArgument("楼层数应在 0 到 200 之间", "floors");
    int64_t now = clock_.NowMillis();
    return db_.WriteValue([&](db::Session& s) -> Result<Building> {
        ASSIGN_OR_RETURN(auto g, RegistryStore::GetGrid(s, grid_id));
        if (!g) return Missing();
        ASSIGN_OR_RETURN(auto c, RegistryStore::GetCommunity(s, g->community_id));
        if (!c ||
            !who.CanAt(kWrite,
                       {.street_id = c->street_id, .community_id = c->id, .grid_id = g->id})) {
            return Missing();
        }
        auto b = RegistryStore::InsertBuilding(s,
                                               {.street_id = c->street_id,
                                                .community_id = c->id,
                                                .grid_id = g->id,
                                                .name = clean,
                                                .floors = floors},
                                               now);
        if (!b.ok() && b.error().code == ErrorCode::kAlreadyExists) {
            return AlreadyExists("该社区已有同名楼栋", "name");
        }
        if (!b.ok()) return b;
        RETURN_IF_ERROR(AuditPlace(s, who, now, "building", b->id));
        return b;
    });
}

}  // namespace bulwark::registry
