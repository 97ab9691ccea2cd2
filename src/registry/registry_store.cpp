#include "registry/registry_store.hpp"

#include <map>

#include "registry/pinyin.hpp"
#include "registry/registry_store_internal.hpp"

namespace bulwark::registry {
namespace {

using internal::FromResidentRow;
using internal::kDetailColumns;
using internal::kDetailJoins;

// Parameters of a list of ids padded with -1 (no row has it) to a power of two, so that the
// number of distinct SQL texts stays small.
size_t PaddedSize(size_t n) {
    size_t size = 1;
    while (size < n) size *= 2;
    return size;
}

void AppendIdList(const std::vector<int64_t>& ids, std::string* sql, db::Params* params) {
    size_t size = PaddedSize(ids.size());
    *sql += "(";
    for (size_t i = 0; i < size; ++i) {
        *sql += i == 0 ? "?" : ", ?";
        params->emplace_back(i < ids.size() ? ids[i] : int64_t{-1});
    }
    *sql += ")";
}

Street StreetFrom(const db::Row& r) {
    return {.id = r.Int(0), .name = r.Text(1), .district = r.Text(2)};
}
Community CommunityFrom(const db::Row& r) {
    return {.id = r.Int(0), .street_id = r.Int(1), .name = r.Text(2)};
}
Grid GridFrom(const db::Row& r) {
    return {.id = r.Int(0), .community_id = r.Int(1), .name = r.Text(2)};
}
Building BuildingFrom(const db::Row& r) {
    return {.id = r.Int(0),
            .street_id = r.Int(1),
            .community_id = r.Int(2),
            .grid_id = r.Int(3),
            .name = r.Text(4),
            .floors = static_cast<int>(r.Int(5))};
}

constexpr const char* kBuildingColumns = "id, street_id, community_id, grid_id, name, floors";

// The WHERE clause of a resident list over `residents r`. The buildings in scope come first, as
// a list the planner drives the residents_building index with: without it SQLite (no
// statistics) scans every resident of the city for one street's page.
std::string ResidentWhere(const ResidentFilter& f, db::Params* params) {
    std::string sql = " WHERE r.building_id IN (SELECT sb.id FROM buildings sb WHERE ";
    sql += internal::ScopeCondition(f.scope, "sb", params);
    if (f.building_id != 0) {
        sql += " AND sb.id = ?";
        params->emplace_back(f.building_id);
    }
    if (f.grid_id != 0) {
        sql += " AND sb.grid_id = ?";
        params->emplace_back(f.grid_id);
    }
    if (f.community_id != 0) {
        sql += " AND sb.community_id = ?";
        params->emplace_back(f.community_id);
    }
    if (f.street_id != 0) {
        sql += " AND sb.street_id = ?";
        params->emplace_back(f.street_id);
    }
    sql += ")";
    if (!f.room.empty()) {
        sql += " AND r.household_id IN (SELECT hr.id FROM households hr WHERE hr.room = ?)";
        params->emplace_back(f.room);
    }
    if (f.presence) {
        sql += " AND r.presence = ?";
        params->emplace_back(std::string(PresenceName(*f.presence)));
    }
    if (f.any_tags != 0) {
        sql += " AND (r.tags & ?) <> 0";
        params->emplace_back(static_cast<int64_t>(f.any_tags));
    }
    if (f.born_on_or_before != 0) {
        sql += " AND r.birth_date > 0 AND r.birth_date <= ?";
        params->emplace_back(static_cast<int64_t>(f.born_on_or_before));
    }
    if (!f.blind_index.empty()) {
        sql += " AND (r.doc_idx = ? OR r.phone_idx = ?)";
        params->emplace_back(db::Blob{f.blind_index});
        params->emplace_back(db::Blob{f.blind_index});
    } else if (!f.tail.empty()) {
        sql += " AND (r.doc_tail = ? OR r.phone_tail = ?)";
        params->emplace_back(f.tail);
        params->emplace_back(f.tail);
    } else if (!f.initials_prefix.empty()) {
        sql += " AND (r.name_initials LIKE ? ESCAPE '!' OR r.name LIKE ? ESCAPE '!')";
        params->emplace_back(internal::EscapeLike(f.initials_prefix) + "%");
        params->emplace_back("%" + internal::EscapeLike(f.initials_prefix) + "%");
    } else if (!f.name_like.empty()) {
        sql += " AND r.name LIKE ? ESCAPE '!'";
        params->emplace_back("%" + internal::EscapeLike(f.name_like) + "%");
    }
    return sql;
}

// Address order (buildings and rooms by number: "2栋" before "10栋"), then the names in pinyin
// order; or the names alone in pinyin order. name_sort is the collation key of the name
// (PinyinSortKey): its bytes compare the same way on both drivers.
constexpr const char* kResidentOrder =
    " ORDER BY length(b.name), b.name, b.id, length(h.unit), h.unit, h.floor, length(h.room),"
    " h.room, r.name_sort, r.name, r.id";
constexpr const char* kResidentNameOrder = " ORDER BY r.name_sort, r.name, r.id";

}  // namespace

namespace internal {

std::string EscapeLike(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '%' || c == '_' || c == '!') out.push_back('!');
        out.push_back(c);
    }
    return out;
}

std::string ScopeCondition(const ScopeFilter& scope, const char* alias, db::Params* params) {
    std::string a(alias);
    std::string sql = "(" + a + ".street_id IN ";
    AppendIdList(scope.streets, &sql, params);
    sql += " OR " + a + ".community_id IN ";
    AppendIdList(scope.communities, &sql, params);
    sql += " OR " + a + ".grid_id IN ";
    AppendIdList(scope.grids, &sql, params);
    sql += ")";
    return sql;
}

ResidentDetail FromResidentRow(const db::Row& row) {
    ResidentDetail d;
    Resident& r = d.resident;
    size_t i = 0;
    r.id = row.Int(i++);
    r.household_id = row.Int(i++);
    r.building_id = row.Int(i++);
    r.grid_id = row.Int(i++);
    r.community_id = row.Int(i++);
    r.street_id = row.Int(i++);
    r.name = row.Text(i++);
    r.name_initials = row.Text(i++);
    ParseDocType(row.Text(i++), &r.doc_type);
    r.doc_enc = row[i++].AsBlob().bytes;
    r.doc_idx = row[i++].AsBlob().bytes;
    r.doc_tail = row.Text(i++);
    r.phone_enc = row[i++].AsBlob().bytes;
    r.phone_idx = row[i++].AsBlob().bytes;
    r.phone_tail = row.Text(i++);
    r.sex = static_cast<Sex>(row.Int(i++));
    r.birth_date = static_cast<int32_t>(row.Int(i++));
    ParseResidency(row.Text(i++), &r.residency);
    ParsePresence(row.Text(i++), &r.presence);
    r.tags = static_cast<uint32_t>(row.Int(i++));
    r.notes = row.Text(i++);
    r.code_token = row.Text(i++);
    r.code_issued_at = row.Int(i++);
    r.created_at = row.Int(i++);
    r.updated_at = row.Int(i++);
    r.version = row.Int(i++);
    d.street = row.Text(i++);
    d.community = row.Text(i++);
    d.grid = row.Text(i++);
    d.building = row.Text(i++);
    d.unit = row.Text(i++);
    d.room = row.Text(i++);
    return d;
}

}  // namespace internal

ScopeFilter ScopeFilter::FromScopes(const std::vector<auth::Scope>& scopes) {
    ScopeFilter f;
    for (const auth::Scope& s : scopes) {
        switch (s.kind) {
            case auth::ScopeKind::kStreet:
                f.streets.push_back(s.id);
                break;
            case auth::ScopeKind::kCommunity:
                f.communities.push_back(s.id);
                break;
            case auth::ScopeKind::kGrid:
                f.grids.push_back(s.id);
                break;
            case auth::ScopeKind::kSite:
            case auth::ScopeKind::kLab:
                break;
        }
    }
    return f;
}

Result<Street> RegistryStore::InsertStreet(db::Session& s, const Street& street, int64_t now) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("INSERT INTO streets (name, district, created_at) "
                                          "VALUES (?, ?, ?) RETURNING id, name, district",
                                          {street.name, street.district, now}));
    if (!row) return Internal("streets: insert returned nothing");
    return StreetFrom(*row);
}

Result<Community> RegistryStore::InsertCommunity(db::Session& s, const Community& c, int64_t now) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("INSERT INTO communities (street_id, name, created_at) "
                                          "VALUES (?, ?, ?) RETURNING id, street_id, name",
                                          {c.street_id, c.name, now}));
    if (!row) return Internal("communities: insert returned nothing");
    return CommunityFrom(*row);
}

Result<Grid> RegistryStore::InsertGrid(db::Session& s, const Grid& grid, int64_t now) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("INSERT INTO grids (community_id, name, created_at) "
                                          "VALUES (?, ?, ?) RETURNING id, community_id, name",
                                          {grid.community_id, grid.name, now}));
    if (!row) return Internal("grids: insert returned nothing");
    return GridFrom(*row);
}

Result<Building> RegistryStore::InsertBuilding(db::Session& s, const Building& b, int64_t now) {
    ASSIGN_OR_RETURN(
        auto row,
        s.QueryOne("INSERT INTO buildings (street_id, community_id, grid_id, name, floors, "
                   "created_at) VALUES (?, ?, ?, ?, ?, ?) "
                   "RETURNING id, street_id, community_id, grid_id, name, floors",
                   {b.street_id, b.community_id, b.grid_id, b.name, b.floors, now}));
    if (!row) return Internal("buildings: insert returned nothing");
    return BuildingFrom(*row);
}

Result<std::optional<Street>> RegistryStore::GetStreet(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(auto row,
                     s.QueryOne("SELECT id, name, district FROM streets WHERE id = ?", {id}));
    if (!row) return std::optional<Street>();
    return std::optional<Street>(StreetFrom(*row));
}

Result<std::optional<Community>> RegistryStore::GetCommunity(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(auto row,
                     s.QueryOne("SELECT id, street_id, name FROM communities WHERE id = ?", {id}));
    if (!row) return std::optional<Community>();
    return std::optional<Community>(CommunityFrom(*row));
}

Result<std::optional<Grid>> RegistryStore::GetGrid(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(auto row,
                     s.QueryOne("SELECT id, community_id, name FROM grids WHERE id = ?", {id}));
    if (!row) return std::optional<Grid>();
    return std::optional<Grid>(GridFrom(*row));
}

Result<std::optional<Building>> RegistryStore::GetBuilding(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string("SELECT ") + kBuildingColumns +
                                              " FROM buildings WHERE id = ?",
                                          {id}));
    if (!row) return std::optional<Building>();
    return std::optional<Building>(BuildingFrom(*row));
}

Result<std::vector<Street>> RegistryStore::ListStreets(db::Session& s) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query("SELECT id, name, district FROM streets ORDER BY id"));
    std::vector<Street> out;
    for (const db::Row& r : rows) out.push_back(StreetFrom(r));
    return out;
}

Result<std::vector<Community>> RegistryStore::ListCommunities(db::Session& s) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query("SELECT id, street_id, name FROM communities ORDER BY id"));
    std::vector<Community> out;
    for (const db::Row& r : rows) out.push_back(CommunityFrom(r));
    return out;
}

Result<std::vector<Grid>> RegistryStore::ListGrids(db::Session& s) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query("SELECT id, community_id, name FROM grids ORDER BY id"));
    std::vector<Grid> out;
    for (const db::Row& r : rows) out.push_back(GridFrom(r));
    return out;
}

namespace {

Result<std::vector<int64_t>> Ids(db::Session& s, const char* sql, int64_t id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, {id}));
    std::vector<int64_t> out;
    for (const db::Row& r : rows) out.push_back(r.Int(0));
    return out;
}

}  // namespace

Result<std::vector<int64_t>> RegistryStore::CommunityIdsOfStreet(db::Session& s,
                                                                 int64_t street_id) {
    return Ids(s, "SELECT id FROM communities WHERE street_id = ? ORDER BY id", street_id);
}

Result<std::vector<int64_t>> RegistryStore::GridIdsOfStreet(db::Session& s, int64_t street_id) {
    return Ids(s,
               "SELECT g.id FROM grids g JOIN communities c ON c.id = g.community_id "
               "WHERE c.street_id = ? ORDER BY g.id",
               street_id);
}

Result<std::vector<int64_t>> RegistryStore::GridIdsOfCommunity(db::Session& s,
                                                               int64_t community_id) {
    return Ids(s, "SELECT id FROM grids WHERE community_id = ? ORDER BY id", community_id);
}

Result<std::vector<Building>> RegistryStore::ListBuildings(db::Session& s,
                                                           const ScopeFilter& scope) {
    db::Params params;
    std::string sql =
        "SELECT b.id, b.street_id, b.community_id, b.grid_id, b.name, b.floors "
        "FROM buildings b WHERE " +
        internal::ScopeCondition(scope, "b", &params) + " ORDER BY b.id";
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
    std::vector<Building> out;
    for (const db::Row& r : rows) out.push_back(BuildingFrom(r));
    return out;
}

Result<std::vector<RegistryStore::BuildingCounts>> RegistryStore::CountByBuilding(
    db::Session& s, const ScopeFilter& scope) {
    std::map<int64_t, BuildingCounts> counts;
    for (const char* table : {"residents", "households"}) {
        db::Params params;
        std::string sql = std::string("SELECT t.building_id, COUNT(*) FROM ") + table +
                          " t WHERE t.building_id IN (SELECT b.id FROM buildings b WHERE " +
                          internal::ScopeCondition(scope, "b", &params) +
                          ") GROUP BY t.building_id";
        ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
        for (const db::Row& r : rows) {
            BuildingCounts& c = counts[r.Int(0)];
            c.building_id = r.Int(0);
            (std::string_view(table) == "residents" ? c.residents : c.households) = r.Int(1);
        }
    }
    std::vector<BuildingCounts> out;
    for (auto& [id, c] : counts) out.push_back(c);
    return out;
}

Result<Household> RegistryStore::FindOrCreateHousehold(db::Session& s, const Household& a) {
    ASSIGN_OR_RETURN(auto found, s.QueryOne("SELECT id, floor FROM households "
                                            "WHERE building_id = ? AND unit = ? AND room = ?",
                                            {a.building_id, a.unit, a.room}));
    Household h = a;
    if (found) {
        h.id = found->Int(0);
        h.floor = static_cast<int>(found->Int(1));
        return h;
    }
    ASSIGN_OR_RETURN(auto id, s.InsertId("INSERT INTO households (building_id, unit, room, floor) "
                                         "VALUES (?, ?, ?, ?)",
                                         {a.building_id, a.unit, a.room, a.floor}));
    if (!id) return Internal("households: insert returned nothing");
    h.id = *id;
    return h;
}

Result<int64_t> RegistryStore::InsertResident(db::Session& s, const Resident& r) {
    ASSIGN_OR_RETURN(
        auto id,
        s.InsertId("INSERT INTO residents (household_id, building_id, grid_id, community_id, "
                   "street_id, name, name_initials, doc_type, doc_enc, doc_idx, doc_tail, "
                   "phone_enc, phone_idx, phone_tail, sex, birth_date, residency, presence, tags, "
                   "notes, code_token, code_issued_at, created_at, updated_at, version, "
                   "name_sort) VALUES "
                   "(?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ?), NULLIF(?, ?), ?, NULLIF(?, ?), "
                   "NULLIF(?, ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   {r.household_id,
                    r.building_id,
                    r.grid_id,
                    r.community_id,
                    r.street_id,
                    r.name,
                    r.name_initials,
                    std::string(DocTypeName(r.doc_type)),
                    db::Blob{r.doc_enc},
                    db::Blob{},
                    db::Blob{r.doc_idx},
                    db::Blob{},
                    r.doc_tail,
                    db::Blob{r.phone_enc},
                    db::Blob{},
                    db::Blob{r.phone_idx},
                    db::Blob{},
                    r.phone_tail,
                    static_cast<int64_t>(r.sex),
                    static_cast<int64_t>(r.birth_date),
                    std::string(ResidencyName(r.residency)),
                    std::string(PresenceName(r.presence)),
                    static_cast<int64_t>(r.tags),
                    r.notes,
                    r.code_token,
                    r.code_issued_at,
                    r.created_at,
                    r.updated_at,
                    r.version,
                    db::Blob{PinyinSortKey(r.name)}}));
    if (!id) return Internal("residents: insert returned nothing");
    return *id;
}

Result<std::optional<ResidentDetail>> RegistryStore::GetResident(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string("SELECT ") + kDetailColumns + kDetailJoins +
                                              " WHERE r.id = ?",
                                          {id}));
    if (!row) return std::optional<ResidentDetail>();
    return std::optional<ResidentDetail>(FromResidentRow(*row));
}

Result<std::optional<ResidentDetail>> RegistryStore::FindByCodeToken(db::Session& s,
                                                                     const std::string& token) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string("SELECT ") + kDetailColumns + kDetailJoins +
                                              " WHERE r.code_token = ?",
                                          {token}));
    if (!row) return std::optional<ResidentDetail>();
    return std::optional<ResidentDetail>(FromResidentRow(*row));
}

Result<std::optional<int64_t>> RegistryStore::FindIdByDocIndex(db::Session& s,
                                                               const std::string& blind_index) {
    ASSIGN_OR_RETURN(auto row,
                     s.QueryOne("SELECT id FROM residents WHERE doc_idx = ? AND doc_type <> 'none'",
                                {db::Blob{blind_index}}));
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(row->Int(0));
}

Result<bool> RegistryStore::UpdateResident(db::Session& s, const Resident& r,
                                           int64_t expected_version) {
    ASSIGN_OR_RETURN(
        int64_t changed,
        s.Exec("UPDATE residents SET household_id = ?, building_id = ?, grid_id = ?, "
               "community_id = ?, street_id = ?, name = ?, name_initials = ?, name_sort = ?, "
               "doc_type = ?, "
               "doc_enc = NULLIF(?, ?), doc_idx = NULLIF(?, ?), doc_tail = ?, "
               "phone_enc = NULLIF(?, ?), phone_idx = NULLIF(?, ?), phone_tail = ?, sex = ?, "
               "birth_date = ?, residency = ?, presence = ?, tags = ?, notes = ?, updated_at = ?, "
               "version = ? WHERE id = ? AND version = ?",
               {r.household_id,
                r.building_id,
                r.grid_id,
                r.community_id,
                r.street_id,
                r.name,
                r.name_initials,
                db::Blob{PinyinSortKey(r.name)},
                std::string(DocTypeName(r.doc_type)),
                db::Blob{r.doc_enc},
                db::Blob{},
                db::Blob{r.doc_idx},
                db::Blob{},
                r.doc_tail,
                db::Blob{r.phone_enc},
                db::Blob{},
                db::Blob{r.phone_idx},
                db::Blob{},
                r.phone_tail,
                static_cast<int64_t>(r.sex),
                static_cast<int64_t>(r.birth_date),
                std::string(ResidencyName(r.residency)),
                std::string(PresenceName(r.presence)),
                static_cast<int64_t>(r.tags),
                r.notes,
                r.updated_at,
                expected_version + 1,
                r.id,
                expected_version}));
    return changed == 1;
}

Result<bool> RegistryStore::ReplaceCodeToken(db::Session& s, int64_t id, const std::string& token,
                                             int64_t now) {
    ASSIGN_OR_RETURN(int64_t changed,
                     s.Exec("UPDATE residents SET code_token = ?, code_issued_at = ? WHERE id = ?",
                            {token, now, id}));
    return changed == 1;
}

Result<std::vector<ResidentDetail>> RegistryStore::ListResidents(db::Session& s,
                                                                 const ResidentFilter& f) {
    db::Params params;
    std::string sql = std::string("SELECT ") + kDetailColumns + kDetailJoins;
    sql += ResidentWhere(f, &params);
    sql += f.by_name ? kResidentNameOrder : kResidentOrder;
    sql += " LIMIT ? OFFSET ?";
    params.emplace_back(f.limit);
    params.emplace_back(f.offset);
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
    std::vector<ResidentDetail> out;
    out.reserve(rows.size());
    for (const db::Row& row : rows) out.push_back(FromResidentRow(row));
    return out;
}

Result<int64_t> RegistryStore::CountResidents(db::Session& s, const ResidentFilter& f) {
    db::Params params;
    std::string sql = "SELECT COUNT(*) FROM residents r";
    sql += ResidentWhere(f, &params);
    ASSIGN_OR_RETURN(auto row, s.QueryOne(sql, params));
    return row ? row->Int(0) : 0;
}

Result<int64_t> RegistryStore::CountAllResidents(db::Session& s) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT COUNT(*) FROM residents"));
    return row ? row->Int(0) : 0;
}

Result<std::vector<DuplicateGroup>> RegistryStore::ListDuplicates(db::Session& s,
                                                                  const ScopeFilter& scope,
                                                                  int limit) {
    db::Params params;
    std::string sql =
        "SELECT r.name, r.birth_date FROM residents r WHERE r.building_id IN "
        "(SELECT sb.id FROM buildings sb WHERE " +
        internal::ScopeCondition(scope, "sb", &params) +
        ") AND r.birth_date > 0 GROUP BY r.name, r.birth_date "
        "HAVING COUNT(*) > 1 ORDER BY r.name, r.birth_date LIMIT ?";
    params.emplace_back(limit);
    ASSIGN_OR_RETURN(db::Rows keys, s.Query(sql, params));
    std::vector<DuplicateGroup> out;
    for (const db::Row& key : keys) {
        DuplicateGroup group{.name = key.Text(0), .birth_date = static_cast<int32_t>(key.Int(1))};
        db::Params member_params;
        std::string member_sql = std::string("SELECT ") + kDetailColumns + kDetailJoins +
                                 " WHERE r.building_id IN (SELECT sb.id FROM buildings sb WHERE " +
                                 internal::ScopeCondition(scope, "sb", &member_params) +
                                 ") AND r.name = ? AND r.birth_date = ? ORDER BY r.id";
        member_params.emplace_back(group.name);
        member_params.emplace_back(static_cast<int64_t>(group.birth_date));
        ASSIGN_OR_RETURN(db::Rows members, s.Query(member_sql, member_params));
        for (const db::Row& m : members) group.members.push_back(FromResidentRow(m));
        out.push_back(std::move(group));
    }
    return out;
}

}  // namespace bulwark::registry
