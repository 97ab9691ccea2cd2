#include "registry/scope_directory.hpp"

#include "registry/registry_store.hpp"

namespace bulwark::registry {

Result<auth::Placement> RegistryScopeDirectory::PlacementOf(db::Session& s,
                                                            const auth::Scope& scope) const {
    ASSIGN_OR_RETURN(auth::Placement p, ScopeDirectory::PlacementOf(s, scope));
    if (scope.kind == auth::ScopeKind::kGrid) {
        ASSIGN_OR_RETURN(auto grid, RegistryStore::GetGrid(s, scope.id));
        if (!grid) return p;
        p.community_id = grid->community_id;
    }
    if (scope.kind == auth::ScopeKind::kGrid || scope.kind == auth::ScopeKind::kCommunity) {
        ASSIGN_OR_RETURN(auto community, RegistryStore::GetCommunity(s, p.community_id));
        if (community) p.street_id = community->street_id;
    }
    return p;
}

Result<std::vector<auth::Scope>> RegistryScopeDirectory::ScopesWithin(
    db::Session& s, const auth::Scope& scope) const {
    std::vector<auth::Scope> out{scope};
    std::vector<int64_t> grids;
    if (scope.kind == auth::ScopeKind::kStreet) {
        ASSIGN_OR_RETURN(std::vector<int64_t> communities,
                         RegistryStore::CommunityIdsOfStreet(s, scope.id));
        for (int64_t id : communities) out.push_back({auth::ScopeKind::kCommunity, id});
        ASSIGN_OR_RETURN(grids, RegistryStore::GridIdsOfStreet(s, scope.id));
    } else if (scope.kind == auth::ScopeKind::kCommunity) {
        ASSIGN_OR_RETURN(grids, RegistryStore::GridIdsOfCommunity(s, scope.id));
    }
    for (int64_t id : grids) out.push_back({auth::ScopeKind::kGrid, id});
    return out;
}

}  // namespace bulwark::registry
