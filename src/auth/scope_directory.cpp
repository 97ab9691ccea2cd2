#include "auth/scope_directory.hpp"

namespace bulwark::auth {

Result<Placement> ScopeDirectory::PlacementOf(db::Session&, const Scope& scope) const {
    Placement p;
    switch (scope.kind) {
        case ScopeKind::kStreet:
            p.street_id = scope.id;
            break;
        case ScopeKind::kCommunity:
            p.community_id = scope.id;
            break;
        case ScopeKind::kGrid:
            p.grid_id = scope.id;
            break;
        case ScopeKind::kSite:
            p.site_id = scope.id;
            break;
        case ScopeKind::kLab:
            p.lab_id = scope.id;
            break;
    }
    return p;
}

Result<std::vector<Scope>> ScopeDirectory::ScopesWithin(db::Session&, const Scope& scope) const {
    return std::vector<Scope>{scope};
}

}  // namespace bulwark::auth
