#pragma once

#include <memory>

#include "auth/account_service.hpp"
#include "auth/login_limiter.hpp"
#include "auth/scope_directory.hpp"
#include "auth/session_service.hpp"
#include "base/clock.hpp"
#include "db/database.hpp"

namespace bulwark::auth {

// The auth module's services, built once by app/ and shared by the guard and the routes
// (held by shared_ptr in their closures). Thread-safe.
struct AuthServices {
    AuthServices(db::Database& database, Clock& clock_source,
                 std::shared_ptr<const ScopeDirectory> scope_directory = nullptr,
                 SessionPolicy policy = {}, LoginLimits limits = {})
        : db(database),
          clock(clock_source),
          scopes(scope_directory ? std::move(scope_directory)
                                 : std::make_shared<const ScopeDirectory>()),
          sessions(database, clock_source, policy, limits),
          accounts(database, clock_source, scopes) {}

    db::Database& db;
    Clock& clock;
    std::shared_ptr<const ScopeDirectory> scopes;
    SessionService sessions;
    AccountService accounts;
};

}  // namespace bulwark::auth
