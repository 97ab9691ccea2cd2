#include "auth/account_store.hpp"

#include <algorithm>

namespace bulwark::auth {
namespace {

constexpr const char* kUserColumns =
    "id, username, display_name, password_hash, locked, must_change_password, created_at, "
    "updated_at";

UserRecord FromRow(const db::Row& row) {
    return UserRecord{.id = row.Int(0),
                      .username = row.Text(1),
                      .display_name = row.Text(2),
                      .password_hash = row.Text(3),
                      .locked = row.Int(4) != 0,
                      .must_change_password = row.Int(5) != 0,
                      .created_at = row.Int(6),
                      .updated_at = row.Int(7),
                      .grants = {}};
}

// Rows that fail to parse (a role renamed in code but still stored) are skipped: they grant
// nothing, which is the safe reading.
Result<std::vector<Grant>> LoadGrants(db::Session& s, int64_t user_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query("SELECT role, scope_kind, scope_id FROM user_grants "
                                            "WHERE user_id = ? ORDER BY ordinal",
                                            {user_id}));
    std::vector<Grant> grants;
    for (const db::Row& row : rows) {
        Grant g;
        if (!ParseRole(row.Text(0), &g.role) || !ParseScopeKind(row.Text(1), &g.scope.kind)) {
            continue;
        }
        g.scope.id = row.Int(2);
        grants.push_back(g);
    }
    return grants;
}

Result<std::optional<UserRecord>> WithGrants(db::Session& s, std::optional<db::Row> row) {
    if (!row) return std::optional<UserRecord>();
    UserRecord user = FromRow(*row);
    ASSIGN_OR_RETURN(user.grants, LoadGrants(s, user.id));
    return std::optional<UserRecord>(std::move(user));
}

}  // namespace

std::vector<db::Migration> AccountMigrations() {
    return {
        {"accounts", 1, "users, grants, role permissions, sessions, login failures",
         "CREATE TABLE users ("
         " id ID_PK,"
         " username TEXT NOT NULL UNIQUE,"
         " display_name TEXT NOT NULL,"
         " password_hash TEXT NOT NULL,"
         " locked INTEGER NOT NULL DEFAULT 0,"
         " must_change_password INTEGER NOT NULL DEFAULT 0,"
         " created_at BIGINT NOT NULL,"
         " updated_at BIGINT NOT NULL);"
         "CREATE TABLE user_grants ("
         " user_id BIGINT NOT NULL REFERENCES users (id),"
         " ordinal INTEGER NOT NULL,"
         " role TEXT NOT NULL,"
         " scope_kind TEXT NOT NULL,"
         " scope_id BIGINT NOT NULL,"
         " PRIMARY KEY (user_id, role, scope_kind, scope_id));"
         "CREATE TABLE role_permissions ("
         " role TEXT NOT NULL,"
         " permission TEXT NOT NULL,"
         " PRIMARY KEY (role, permission));"
         "CREATE TABLE sessions ("
         " id ID_PK,"
         " token_digest TEXT NOT NULL UNIQUE,"
         " user_id BIGINT NOT NULL REFERENCES users (id),"
         " csrf_token TEXT NOT NULL,"
         " created_at BIGINT NOT NULL,"
         " last_seen_at BIGINT NOT NULL,"
         " client_address TEXT NOT NULL,"
         " user_agent TEXT NOT NULL);"
         "CREATE INDEX sessions_user ON sessions (user_id);"
         "CREATE INDEX sessions_created ON sessions (created_at);"
         "CREATE TABLE login_failures ("
         " id ID_PK,"
         " username TEXT NOT NULL,"
         " client_address TEXT NOT NULL,"
         " at BIGINT NOT NULL);"
         "CREATE INDEX login_failures_username ON login_failures (username, at);"
         "CREATE INDEX login_failures_address ON login_failures (client_address, at);"
         "CREATE INDEX login_failures_at ON login_failures (at)"},
        // Roles and permissions are data: each capability's migration adds the rows for its own
        // permissions. These are the auth and system ones.
        {"accounts", 2, "auth and system permissions",
         "INSERT INTO role_permissions (role, permission) VALUES"
         " ('administrator', 'users.manage'),"
         " ('administrator', 'audit.read'),"
         " ('administrator', 'audit.export'),"
         " ('administrator', 'system.client_errors.read'),"
         " ('administrator', 'account.self'),"
         " ('staff', 'account.self'),"
         " ('grid_worker', 'account.self'),"
         " ('data_verifier', 'account.self'),"
         " ('scanner', 'account.self'),"
         " ('lab', 'account.self'),"
         " ('administrator', 'system.info.read'),"
         " ('staff', 'system.info.read'),"
         " ('grid_worker', 'system.info.read'),"
         " ('data_verifier', 'system.info.read'),"
         " ('scanner', 'system.info.read'),"
         " ('lab', 'system.info.read'),"
         " ('administrator', 'system.client_errors.write'),"
         " ('staff', 'system.client_errors.write'),"
         " ('grid_worker', 'system.client_errors.write'),"
         " ('data_verifier', 'system.client_errors.write'),"
         " ('scanner', 'system.client_errors.write'),"
         " ('lab', 'system.client_errors.write')"
         " ON CONFLICT DO NOTHING"},
    };
}

Result<int64_t> AccountStore::InsertUser(db::Session& s, const UserRecord& user) {
    ASSIGN_OR_RETURN(auto inserted,
                     s.QueryOne("INSERT INTO users (username, display_name, password_hash, locked, "
                                "must_change_password, created_at, updated_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?) "
                                "ON CONFLICT (username) DO NOTHING RETURNING id",
                                {user.username, user.display_name, user.password_hash, user.locked,
                                 user.must_change_password, user.created_at, user.updated_at}));
    if (!inserted) return AlreadyExists("用户名 " + user.username + " 已被使用", "username");
    int64_t id = inserted->Int(0);
    RETURN_IF_ERROR(ReplaceGrants(s, id, user.grants));
    return id;
}

Result<std::optional<UserRecord>> AccountStore::FindById(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(
        auto row,
        s.QueryOne(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", {id}));
    return WithGrants(s, std::move(row));
}

Result<std::optional<UserRecord>> AccountStore::FindByUsername(db::Session& s,
                                                               std::string_view username) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string("SELECT ") + kUserColumns +
                                              " FROM users WHERE username = ?",
                                          {username}));
    return WithGrants(s, std::move(row));
}

Result<std::vector<UserRecord>> AccountStore::ListUsers(db::Session& s) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(std::string("SELECT ") + kUserColumns +
                                            " FROM users ORDER BY username"));
    ASSIGN_OR_RETURN(db::Rows grant_rows,
                     s.Query("SELECT user_id, role, scope_kind, scope_id FROM user_grants "
                             "ORDER BY user_id, ordinal"));
    std::vector<UserRecord> users;
    users.reserve(rows.size());
    for (const db::Row& row : rows) users.push_back(FromRow(row));
    std::vector<size_t> by_id(users.size());
    for (size_t i = 0; i < users.size(); ++i) by_id[i] = i;
    std::sort(by_id.begin(), by_id.end(),
              [&](size_t a, size_t b) { return users[a].id < users[b].id; });
    for (const db::Row& row : grant_rows) {
        int64_t user_id = row.Int(0);
        auto it = std::lower_bound(by_id.begin(), by_id.end(), user_id,
                                   [&](size_t i, int64_t id) { return users[i].id < id; });
        if (it == by_id.end() || users[*it].id != user_id) continue;
        Grant g;
        if (!ParseRole(row.Text(1), &g.role) || !ParseScopeKind(row.Text(2), &g.scope.kind)) {
            continue;
        }
        g.scope.id = row.Int(3);
        users[*it].grants.push_back(g);
    }
    return users;
}

Status AccountStore::UpdateProfile(db::Session& s, int64_t id, const std::string& display_name,
                                   bool locked, int64_t now) {
    ASSIGN_OR_RETURN(int64_t changed,
                     s.Exec("UPDATE users SET display_name = ?, locked = ?, updated_at = ? "
                            "WHERE id = ?",
                            {display_name, locked, now, id}));
    if (changed == 0) return NotFound("未找到");
    return Ok();
}

Status AccountStore::SetPassword(db::Session& s, int64_t id, const std::string& password_hash,
                                 bool must_change_password, int64_t now) {
    ASSIGN_OR_RETURN(int64_t changed,
                     s.Exec("UPDATE users SET password_hash = ?, must_change_password = ?, "
                            "updated_at = ? WHERE id = ?",
                            {password_hash, must_change_password, now, id}));
    if (changed == 0) return NotFound("未找到");
    return Ok();
}

Status AccountStore::ReplaceGrants(db::Session& s, int64_t id, const std::vector<Grant>& grants) {
    RETURN_IF_ERROR(s.Exec("DELETE FROM user_grants WHERE user_id = ?", {id}));
    int ordinal = 0;
    for (const Grant& g : grants) {
        RETURN_IF_ERROR(
            s.Exec("INSERT INTO user_grants (user_id, ordinal, role, scope_kind, "
                   "scope_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                   {id, ordinal++, RoleName(g.role), ScopeKindName(g.scope.kind), g.scope.id}));
    }
    return Ok();
}

Result<std::vector<Principal::GrantedPermissions>> AccountStore::LoadGrantedPermissions(
    db::Session& s, int64_t user_id) {
    ASSIGN_OR_RETURN(std::vector<Grant> grants, LoadGrants(s, user_id));
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query("SELECT rp.role, rp.permission FROM role_permissions rp "
                             "WHERE rp.role IN (SELECT g.role FROM user_grants g "
                             "WHERE g.user_id = ?) ORDER BY rp.role, rp.permission",
                             {user_id}));
    std::vector<Principal::GrantedPermissions> out;
    out.reserve(grants.size());
    for (const Grant& g : grants) {
        Principal::GrantedPermissions granted{.grant = g, .permissions = {}};
        std::string_view role = RoleName(g.role);
        for (const db::Row& row : rows) {
            if (row.Text(0) == role) granted.permissions.push_back(row.Text(1));
        }
        // ORDER BY follows the database's collation; binary search needs byte order.
        std::sort(granted.permissions.begin(), granted.permissions.end());
        out.push_back(std::move(granted));
    }
    return out;
}

}  // namespace bulwark::auth
