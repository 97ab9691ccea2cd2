#include "auth/account_service.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "auth/audit_log.hpp"
#include "auth/password.hpp"
#include "auth/session_service.hpp"
#include "auth/session_store.hpp"

namespace bulwark::auth {
namespace {

constexpr std::string_view kManage = "users.manage";
constexpr size_t kMaxGrants = 32;

AuditEntry EntryFor(const Principal* actor, std::string action, int64_t subject_id, int64_t now) {
    AuditEntry e;
    if (actor != nullptr) {
        e = AuditLog::For(*actor, std::move(action));
    } else {
        e.username = "cli";
        e.action = std::move(action);
    }
    e.subject_kind = "user";
    e.subject_id = subject_id;
    e.at = now;
    return e;
}

std::string GrantsText(const std::vector<Grant>& grants) {
    std::string out;
    for (const Grant& g : grants) {
        if (!out.empty()) out += ",";
        out += std::string(RoleName(g.role)) + "@" + std::string(ScopeKindName(g.scope.kind)) +
               ":" + std::to_string(g.scope.id);
    }
    return out;
}

Result<std::string> CheckDisplayName(std::string_view name) {
    size_t chars = 0;
    for (char c : name) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return InvalidArgument("显示名不能含控制字符", "display_name");
        }
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
    }
    if (chars == 0 || chars > 64) {
        return InvalidArgument("显示名应为 1 到 64 个字符", "display_name");
    }
    return std::string(name);
}

Status CheckGrants(const std::vector<Grant>& grants) {
    if (grants.empty()) return InvalidArgument("至少需要一个角色授权", "grants");
    if (grants.size() > kMaxGrants) return InvalidArgument("角色授权过多", "grants");
    for (const Grant& g : grants) {
        if (g.scope.id <= 0) return InvalidArgument("范围编号应为正整数", "grants");
    }
    return Ok();
}

UserRecord Public(UserRecord user) {
    user.password_hash.clear();
    return user;
}

}  // namespace

Result<std::string> CheckUsername(std::string_view username) {
    if (username.size() < 2 || username.size() > 64) {
        return InvalidArgument("用户名应为 2 到 64 个字符", "username");
    }
    for (char c : username) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '@' &&
            c != '-') {
            return InvalidArgument("用户名只能包含字母、数字和 _ . @ -", "username");
        }
    }
    return NormalizeUsername(username);
}

AccountService::AccountService(db::Database& db, Clock& clock,
                               std::shared_ptr<const ScopeDirectory> scopes)
    : db_(db), clock_(clock), scopes_(std::move(scopes)) {}

Result<bool> AccountService::Manages(db::Session& s, const Principal* actor,
                                     const std::vector<Grant>& grants) const {
    if (actor == nullptr) return true;
    if (grants.empty()) return false;
    for (const Grant& g : grants) {
        ASSIGN_OR_RETURN(Placement where, scopes_->PlacementOf(s, g.scope));
        if (!actor->CanAt(kManage, where)) return false;
    }
    return true;
}

Result<UserRecord> AccountService::Load(db::Session& s, const Principal* actor, int64_t id) const {
    ASSIGN_OR_RETURN(auto user, AccountStore::FindById(s, id));
    if (!user) return NotFound("未找到");
    ASSIGN_OR_RETURN(bool manages, Manages(s, actor, user->grants));
    if (!manages) return NotFound("未找到");
    return std::move(*user);
}

Result<CreatedUser> AccountService::Create(const Principal* actor, NewUser input) {
    CreatedUser created;
    ASSIGN_OR_RETURN(created.user.username, CheckUsername(input.username));
    if (input.display_name.empty()) input.display_name = created.user.username;
    ASSIGN_OR_RETURN(created.user.display_name, CheckDisplayName(input.display_name));
    RETURN_IF_ERROR(CheckGrants(input.grants));
    if (input.password.empty()) {
        created.password = RandomPassword();
        input.password = created.password;
    } else {
        RETURN_IF_ERROR(CheckPasswordRules(input.password, created.user.username));
    }
    ASSIGN_OR_RETURN(created.user.password_hash, HashPassword(input.password));
    const int64_t now = clock_.NowMillis();
    created.user.must_change_password = input.must_change_password;
    created.user.created_at = now;
    created.user.updated_at = now;
    created.user.grants = std::move(input.grants);
    RETURN_IF_ERROR(db_.Write([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(bool manages, Manages(s, actor, created.user.grants));
        if (!manages) return PermissionDenied("只能在自己管理的范围内授权");
        ASSIGN_OR_RETURN(created.user.id, AccountStore::InsertUser(s, created.user));
        AuditEntry e = EntryFor(actor, "user.create", created.user.id, now);
        e.detail = GrantsText(created.user.grants);
        return AuditLog::Append(s, e);
    }));
    created.user = Public(std::move(created.user));
    return created;
}

Result<std::vector<UserRecord>> AccountService::List(const Principal* actor) {
    return db_.ReadValue([&](db::Session& s) -> Result<std::vector<UserRecord>> {
        ASSIGN_OR_RETURN(auto all, AccountStore::ListUsers(s));
        std::vector<UserRecord> visible;
        for (UserRecord& user : all) {
            ASSIGN_OR_RETURN(bool manages, Manages(s, actor, user.grants));
            if (manages) visible.push_back(Public(std::move(user)));
        }
        return visible;
    });
}

Result<UserRecord> AccountService::Get(const Principal* actor, int64_t id) {
    return db_.ReadValue([&](db::Session& s) -> Result<UserRecord> {
        ASSIGN_OR_RETURN(UserRecord user, Load(s, actor, id));
        return Public(std::move(user));
    });
}

Result<UserRecord> AccountService::GetByUsername(const Principal* actor,
                                                 std::string_view username) {
    return db_.ReadValue([&](db::Session& s) -> Result<UserRecord> {
        ASSIGN_OR_RETURN(auto user, AccountStore::FindByUsername(s, NormalizeUsername(username)));
        if (!user) return NotFound("未找到用户 " + std::string(username));
        ASSIGN_OR_RETURN(bool manages, Manages(s, actor, user->grants));
        if (!manages) return NotFound("未找到用户 " + std::string(username));
        return Public(std::move(*user));
    });
}

Result<UserRecord> AccountService::Update(const Principal* actor, int64_t id,
                                          const UserPatch& patch) {
    std::optional<std::string> display_name;
    if (patch.display_name) {
        ASSIGN_OR_RETURN(display_name, CheckDisplayName(*patch.display_name));
    }
    if (patch.grants) RETURN_IF_ERROR(CheckGrants(*patch.grants));
    if (actor != nullptr && actor->user_id == id && (patch.grants || patch.locked)) {
        return FailedPrecondition("不能修改自己的角色授权或锁定自己");
    }
    const int64_t now = clock_.NowMillis();
    return db_.WriteValue([&](db::Session& s) -> Result<UserRecord> {
        ASSIGN_OR_RETURN(UserRecord user, Load(s, actor, id));
        const bool was_locked = user.locked;
        if (display_name) user.display_name = *display_name;
        if (patch.locked) user.locked = *patch.locked;
        if (display_name || patch.locked) {
            RETURN_IF_ERROR(
                AccountStore::UpdateProfile(s, id, user.display_name, user.locked, now));
        }
        if (patch.grants) {
            ASSIGN_OR_RETURN(bool manages, Manages(s, actor, *patch.grants));
            if (!manages) return PermissionDenied("只能在自己管理的范围内授权");
            RETURN_IF_ERROR(AccountStore::ReplaceGrants(s, id, *patch.grants));
            user.grants = *patch.grants;
        }
        if (display_name || patch.grants) {
            AuditEntry e = EntryFor(actor, "user.update", id, now);
            e.detail = (display_name ? std::string("display_name ") : std::string()) +
                       (patch.grants ? "grants=" + GrantsText(user.grants) : std::string());
            RETURN_IF_ERROR(AuditLog::Append(s, e));
        }
        if (user.locked != was_locked) {
            if (user.locked) {
                ASSIGN_OR_RETURN(int64_t ended, SessionStore::DeleteForUser(s, id));
                (void)ended;
            }
            RETURN_IF_ERROR(AuditLog::Append(
                s, EntryFor(actor, user.locked ? "user.lock" : "user.unlock", id, now)));
        }
        user.updated_at = now;
        return Public(std::move(user));
    });
}

Result<std::string> AccountService::ResetPassword(const Principal* actor, int64_t id) {
    // Check visibility first so that an unknown id costs no Argon2 hash.
    RETURN_IF_ERROR(Get(actor, id));
    std::string password = RandomPassword();
    ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
    const int64_t now = clock_.NowMillis();
    RETURN_IF_ERROR(db_.Write([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(UserRecord user, Load(s, actor, id));
        RETURN_IF_ERROR(AccountStore::SetPassword(s, id, hash, true, now));
        ASSIGN_OR_RETURN(int64_t ended, SessionStore::DeleteForUser(s, id));
        (void)ended;
        return AuditLog::Append(s, EntryFor(actor, "user.reset_password", id, now));
    }));
    return password;
}

Result<int64_t> AccountService::EndSessions(const Principal* actor, int64_t id) {
    const int64_t now = clock_.NowMillis();
    return db_.WriteValue([&](db::Session& s) -> Result<int64_t> {
        ASSIGN_OR_RETURN(UserRecord user, Load(s, actor, id));
        ASSIGN_OR_RETURN(int64_t ended, SessionStore::DeleteForUser(s, id));
        AuditEntry e = EntryFor(actor, "user.end_sessions", id, now);
        e.detail = std::to_string(ended);
        RETURN_IF_ERROR(AuditLog::Append(s, e));
        return ended;
    });
}

Status AccountService::ChangeOwnPassword(const Principal& who, std::string_view old_password,
                                         std::string_view new_password,
                                         const LoginLimiter& limiter) {
    RETURN_IF_ERROR(CheckPasswordRules(new_password, who.username, "new_password"));
    if (old_password == new_password) {
        return InvalidArgument("新密码不能与原密码相同", "new_password");
    }
    ASSIGN_OR_RETURN(auto decision, db_.WriteValue([&](db::Session& s) {
        return limiter.Reserve(s, who.username, who.client_address);
    }));
    if (!decision.allowed) {
        return Unavailable("尝试次数过多, 请 " +
                           std::to_string((decision.retry_after_seconds + 59) / 60) +
                           " 分钟后再试");
    }
    ASSIGN_OR_RETURN(UserRecord user, db_.ReadValue([&](db::Session& s) -> Result<UserRecord> {
        ASSIGN_OR_RETURN(auto found, AccountStore::FindById(s, who.user_id));
        if (!found) return Unauthenticated("请先登录");
        return std::move(*found);
    }));
    const int64_t now = clock_.NowMillis();
    if (!VerifyPassword(user.password_hash, old_password)) {
        RETURN_IF_ERROR(db_.Write([&](db::Session& s) {
            return AuditLog::Append(s, EntryFor(&who, "password.change_failed", who.user_id, now));
        }));
        return InvalidArgument("原密码不正确", "old_password");
    }
    ASSIGN_OR_RETURN(std::string hash, HashPassword(new_password));
    const int64_t session_id = std::atoll(who.session_id.c_str());
    return db_.Write([&](db::Session& s) -> Status {
        RETURN_IF_ERROR(limiter.Release(s, decision.attempt_id));
        RETURN_IF_ERROR(AccountStore::SetPassword(s, who.user_id, hash, false, now));
        ASSIGN_OR_RETURN(int64_t ended, SessionStore::DeleteForUser(s, who.user_id, session_id));
        AuditEntry e = EntryFor(&who, "password.change", who.user_id, now);
        e.detail = "other sessions ended: " + std::to_string(ended);
        return AuditLog::Append(s, e);
    });
}

}  // namespace bulwark::auth
