#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/account_store.hpp"
#include "auth/login_limiter.hpp"
#include "auth/principal.hpp"
#include "auth/scope_directory.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::auth {

struct NewUser {
    std::string username;
    std::string display_name;  // empty: the user name
    std::string password;      // empty: a random one is made and returned once
    bool must_change_password = false;
    std::vector<Grant> grants;  // at least one
};

struct CreatedUser {
    UserRecord user;       // password_hash cleared
    std::string password;  // the random password when one was made, else ""
};

struct UserPatch {
    std::optional<std::string> display_name;
    std::optional<std::vector<Grant>> grants;
    std::optional<bool> locked;
};

// Account administration and the user's own password. An administrator manages the accounts
// whose every grant lies within a scope where they hold users.manage, and grants only such
// scopes; accounts outside answer kNotFound exactly like a missing id. `actor == nullptr` is the
// operator at the command line (`bulwark user ...`), who may do anything and is audited as
// "cli". Every change is audited in its own transaction. Thread-safe.
class AccountService {
public:
    AccountService(db::Database& db, Clock& clock, std::shared_ptr<const ScopeDirectory> scopes);

    Result<CreatedUser> Create(const Principal* actor, NewUser user);
    Result<std::vector<UserRecord>> List(const Principal* actor);
    Result<UserRecord> Get(const Principal* actor, int64_t id);
    Result<UserRecord> GetByUsername(const Principal* actor, std::string_view username);
    // Applies the set fields. Locking ends the user's sessions; an actor may not lock themselves
    // or change their own grants (kFailedPrecondition).
    Result<UserRecord> Update(const Principal* actor, int64_t id, const UserPatch& patch);
    // Sets a random password that must be changed at the next login, ends the user's sessions
    // and returns the password (shown once).
    Result<std::string> ResetPassword(const Principal* actor, int64_t id);
    // Ends every session of the user; returns how many.
    Result<int64_t> EndSessions(const Principal* actor, int64_t id);
    // The signed-in user changes their own password: the old one is checked (wrong guesses
    // count against the login limit), the new one must meet the rules, and every other session
    // of the user ends.
    Status ChangeOwnPassword(const Principal& who, std::string_view old_password,
                             std::string_view new_password, const LoginLimiter& limiter);

private:
    // Whether `actor` may manage an account holding `grants` (operator: always).
    Result<bool> Manages(db::Session& s, const Principal* actor,
                         const std::vector<Grant>& grants) const;
    Result<UserRecord> Load(db::Session& s, const Principal* actor, int64_t id) const;

    db::Database& db_;
    Clock& clock_;
    std::shared_ptr<const ScopeDirectory> scopes_;
};

// Checks and normalises a user name for a new account: 2 to 64 of a-z 0-9 _ . @ -, stored
// lower-case. kInvalidArgument ("username") otherwise.
Result<std::string> CheckUsername(std::string_view username);

}  // namespace bulwark::auth
