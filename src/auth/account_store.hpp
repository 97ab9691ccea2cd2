#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"

namespace bulwark::auth {

// One account as stored. `password_hash` never leaves the auth module.
struct UserRecord {
    int64_t id = 0;
    std::string username;  // lower-case ASCII, unique
    std::string display_name;
    std::string password_hash;  // Argon2id, encoded
    bool locked = false;
    bool must_change_password = false;
    int64_t created_at = 0;  // Unix ms
    int64_t updated_at = 0;
    std::vector<Grant> grants;  // in the order they were given
};

// The accounts module's migrations: users, user_grants, role_permissions (with the auth and
// system permissions seeded), sessions and login_failures.
std::vector<db::Migration> AccountMigrations();

// SQL for users, their grants and the role -> permission table. Stateless; thread-safe.
class AccountStore {
public:
    // Inserts `user` with its grants; returns the new id. kAlreadyExists when the name is taken.
    static Result<int64_t> InsertUser(db::Session& s, const UserRecord& user);
    static Result<std::optional<UserRecord>> FindById(db::Session& s, int64_t id);
    static Result<std::optional<UserRecord>> FindByUsername(db::Session& s,
                                                            std::string_view username);
    // Every account, by user name, with grants.
    static Result<std::vector<UserRecord>> ListUsers(db::Session& s);

    static Status UpdateProfile(db::Session& s, int64_t id, const std::string& display_name,
                                bool locked, int64_t now);
    static Status SetPassword(db::Session& s, int64_t id, const std::string& password_hash,
                              bool must_change_password, int64_t now);
    static Status ReplaceGrants(db::Session& s, int64_t id, const std::vector<Grant>& grants);

    // The user's grants, each with the sorted permissions its role gives (from
    // role_permissions). Grants of roles with no permissions are kept (empty list).
    static Result<std::vector<Principal::GrantedPermissions>> LoadGrantedPermissions(
        db::Session& s, int64_t user_id);
};

}  // namespace bulwark::auth
