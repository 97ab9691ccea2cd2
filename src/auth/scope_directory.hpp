#pragma once

#include <vector>

#include "auth/principal.hpp"
#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::auth {

// Tells auth how scopes nest: where a scope sits (a community's street) and which scopes lie
// within one (a street's communities and grids). The registry knows this; until it provides its
// own directory, the default one knows only each scope itself, so a grant covers exactly the
// scope it names. Implementations are thread-safe.
class ScopeDirectory {
public:
    virtual ~ScopeDirectory() = default;
    // The placement of `scope` itself: its own level and every level above it.
    virtual Result<Placement> PlacementOf(db::Session& s, const Scope& scope) const;
    // `scope` and every scope inside it.
    virtual Result<std::vector<Scope>> ScopesWithin(db::Session& s, const Scope& scope) const;
};

}  // namespace bulwark::auth
