#include "registry/coverage_access.hpp"

#include "registry/coverage_access_store.hpp"
#include "registry/registry_store.hpp"

namespace bulwark::registry {

CoverageAccess::CoverageAccess(const auth::PersonalDataCipher& cipher, Clock& clock)
    : cipher_(cipher), clock_(clock) {}

Result<std::vector<CoveragePerson>> CoverageAccess::ResidentsOf(db::Session& s,
                                                                int64_t community_id) const {
    return CoverageAccessStore::ResidentsOf(s, community_id);
}

Result<ResidentsStamp> CoverageAccess::StampOf(db::Session& s, int64_t community_id) const {
    return CoverageAccessStore::StampOf(s, community_id);
}

Result<std::optional<CoveragePerson>> CoverageAccess::Person(db::Session& s, int64_t id) const {
    return CoverageAccessStore::Person(s, id);
}

Result<std::map<int64_t, std::string>> CoverageAccess::Phones(
    db::Session& s, const std::vector<int64_t>& ids) const {
    ASSIGN_OR_RETURN(auto sealed, CoverageAccessStore::SealedPhones(s, ids));
    std::map<int64_t, std::string> out;
    for (int64_t id : ids) out[id] = "";
    for (const auto& [id, enc] : sealed) {
        if (enc.empty()) continue;
        ASSIGN_OR_RETURN(out[id], cipher_.Decrypt(enc));
    }
    return out;
}

Result<bool> CoverageAccess::MarkMovedOut(db::Session& s, int64_t id) const {
    ASSIGN_OR_RETURN(auto detail, RegistryStore::GetResident(s, id));
    if (!detail) return false;
    Resident r = detail->resident;
    if (r.presence == Presence::kMovedOut) return true;
    const int64_t version = r.version;
    r.presence = Presence::kMovedOut;
    r.updated_at = clock_.NowMillis();
    ASSIGN_OR_RETURN(bool updated, RegistryStore::UpdateResident(s, r, version));
    if (!updated) return Unavailable("居民信息正被修改, 请重试");
    return true;
}

Result<std::optional<Community>> CoverageAccess::CommunityById(db::Session& s, int64_t id) const {
    return RegistryStore::GetCommunity(s, id);
}

Result<std::vector<Community>> CoverageAccess::CommunitiesOf(db::Session& s,
                                                             int64_t street_id) const {
    ASSIGN_OR_RETURN(std::vector<int64_t> ids, RegistryStore::CommunityIdsOfStreet(s, street_id));
    std::vector<Community> out;
    for (int64_t id : ids) {
        ASSIGN_OR_RETURN(auto community, RegistryStore::GetCommunity(s, id));
        if (community) out.push_back(*community);
    }
    return out;
}

Result<std::vector<Grid>> CoverageAccess::GridsOf(db::Session& s, int64_t community_id) const {
    ASSIGN_OR_RETURN(std::vector<int64_t> ids, RegistryStore::GridIdsOfCommunity(s, community_id));
    std::vector<Grid> out;
    for (int64_t id : ids) {
        ASSIGN_OR_RETURN(auto grid, RegistryStore::GetGrid(s, id));
        if (grid) out.push_back(*grid);
    }
    return out;
}

Result<std::vector<Building>> CoverageAccess::BuildingsOf(db::Session& s,
                                                          int64_t community_id) const {
    ScopeFilter scope;
    scope.communities = {community_id};
    return RegistryStore::ListBuildings(s, scope);
}

}  // namespace bulwark::registry
