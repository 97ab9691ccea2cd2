#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::auth {

struct LoginLimits {
    int per_account = 10;                // failures per user name per window
    int per_address = 50;                // failures per client address per window
    int64_t window_ms = 15 * 60 * 1000;  // sliding window
};

// Limits failed logins per account and per client address over a sliding window. The failures
// live in the database (login_failures), so several servers on one PostgreSQL share them.
// An attempt is recorded before the password is checked (Reserve) and removed again when the
// password was right (Release), so parallel guesses count at once. Names that do not exist are
// limited exactly like names that do. Stateless apart from its settings; thread-safe.
class LoginLimiter {
public:
    LoginLimiter(LoginLimits limits, Clock& clock) : limits_(limits), clock_(clock) {}

    struct Decision {
        bool allowed = false;
        int64_t attempt_id = 0;           // when allowed: the recorded attempt
        int64_t retry_after_seconds = 0;  // when refused: until the oldest counted failure ages out
    };
    // Inside a write transaction: refuses when the account or the address used up its failures,
    // else records the attempt.
    Result<Decision> Reserve(db::Session& s, std::string_view username,
                             std::string_view client_address) const;
    // The password was right: the attempt does not count.
    Status Release(db::Session& s, int64_t attempt_id) const;

    const LoginLimits& limits() const { return limits_; }

private:
    LoginLimits limits_;
    Clock& clock_;
};

}  // namespace bulwark::auth
