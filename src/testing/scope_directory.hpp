#pragma once

#include <memory>

#include "auth/scope_directory.hpp"

namespace bulwark::testing {

// Adds sampling sites to another directory (the registry's): a site sits in its community and
// street, and a community or street holds its sites. So an administrator of a community may
// grant a scanner their site, and the audit page of a community includes its sites. Labs stand
// alone. Thread-safe.
class SiteScopeDirectory final : public auth::ScopeDirectory {
public:
    explicit SiteScopeDirectory(std::shared_ptr<const auth::ScopeDirectory> places);

    // A site's placement names itself, its community and its street (a missing site only
    // itself); other scopes are the wrapped directory's.
    Result<auth::Placement> PlacementOf(db::Session& s, const auth::Scope& scope) const override;
    // The wrapped directory's answer, plus the sites of every community in it.
    Result<std::vector<auth::Scope>> ScopesWithin(db::Session& s,
                                                  const auth::Scope& scope) const override;

private:
    std::shared_ptr<const auth::ScopeDirectory> places_;
};

}  // namespace bulwark::testing
