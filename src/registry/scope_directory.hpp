#pragma once

#include "auth/scope_directory.hpp"

namespace bulwark::registry {

// How streets, communities and grids nest, from the registry's tables, for auth (user
// management and the audit page ask which scopes lie within a grant). Sites and labs are left to
// the default. Stateless; thread-safe.
class RegistryScopeDirectory final : public auth::ScopeDirectory {
public:
    // A community's placement names its street; a grid's its community and street. An id that
    // does not exist gets the bare placement of the default directory.
    Result<auth::Placement> PlacementOf(db::Session& s, const auth::Scope& scope) const override;
    // A street: itself, its communities and their grids; a community: itself and its grids.
    Result<std::vector<auth::Scope>> ScopesWithin(db::Session& s,
                                                  const auth::Scope& scope) const override;
};

}  // namespace bulwark::registry
