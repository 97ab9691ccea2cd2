#include "testing/scope_directory.hpp"

#include "testing/site_store.hpp"

namespace bulwark::testing {

SiteScopeDirectory::SiteScopeDirectory(std::shared_ptr<const auth::ScopeDirectory> places)
    : places_(std::move(places)) {}

Result<auth::Placement> SiteScopeDirectory::PlacementOf(db::Session& s,
                                                        const auth::Scope& scope) const {
    if (scope.kind != auth::ScopeKind::kSite) return places_->PlacementOf(s, scope);
    ASSIGN_OR_RETURN(auth::Placement p, ScopeDirectory::PlacementOf(s, scope));
    ASSIGN_OR_RETURN(auto site, SiteStore::GetSite(s, scope.id));
    if (!site) return p;
    return site->placement();
}

Result<std::vector<auth::Scope>> SiteScopeDirectory::ScopesWithin(db::Session& s,
                                                                  const auth::Scope& scope) const {
    ASSIGN_OR_RETURN(std::vector<auth::Scope> out, places_->ScopesWithin(s, scope));
    std::vector<int64_t> communities;
    for (const auth::Scope& x : out) {
        if (x.kind == auth::ScopeKind::kCommunity) communities.push_back(x.id);
    }
    if (communities.empty()) return out;
    ASSIGN_OR_RETURN(std::vector<int64_t> sites, SiteStore::SiteIdsOfCommunities(s, communities));
    for (int64_t id : sites) out.push_back({auth::ScopeKind::kSite, id});
    return out;
}

}  // namespace bulwark::testing
