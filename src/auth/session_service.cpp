#include "auth/session_service.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "auth/audit_log.hpp"
#include "auth/password.hpp"
#include "auth/secure_random.hpp"
#include "auth/session_store.hpp"

namespace bulwark::auth {
namespace {

constexpr size_t kTokenBytes = 16;  // 128 bits
constexpr size_t kMaxUsernameBytes = 64;

bool LooksLikeToken(std::string_view token) {
    return token.size() == kTokenBytes * 2 && std::all_of(token.begin(), token.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

AuditEntry AnonymousEntry(std::string action, std::string_view username, const ClientInfo& client,
                          int64_t now) {
    AuditEntry e;
    e.username = std::string(username);
    e.action = std::move(action);
    e.client_address = client.address;
    e.request_id = client.request_id;
    e.at = now;
    return e;
}

}  // namespace

std::string NormalizeUsername(std::string_view username) {
    std::string out(username.substr(0, kMaxUsernameBytes));
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

Principal MakePrincipal(const UserRecord& user, std::vector<Principal::GrantedPermissions> grants,
                        const ClientInfo& client, int64_t session_id) {
    Principal p;
    p.user_id = user.id;
    p.username = user.username;
    p.display_name = user.display_name;
    p.session_id = session_id > 0 ? std::to_string(session_id) : std::string();
    p.client_address = client.address;
    p.request_id = client.request_id;
    p.grants = std::move(grants);
    return p;
}

SessionService::SessionService(db::Database& db, Clock& clock, SessionPolicy policy,
                               LoginLimits limits)
    : db_(db), clock_(clock), policy_(policy), limiter_(limits, clock) {}

Result<LoginOutcome> SessionService::Login(std::string_view username, std::string_view password,
                                           const ClientInfo& client,
                                           std::string_view previous_token) {
    const std::string name = NormalizeUsername(username);
    LoginOutcome outcome;

    ASSIGN_OR_RETURN(LoginLimiter::Decision decision,
                     db_.WriteValue([&](db::Session& s) -> Result<LoginLimiter::Decision> {
                         ASSIGN_OR_RETURN(auto d, limiter_.Reserve(s, name, client.address));
                         if (!d.allowed) {
                             AuditEntry e =
                                 AnonymousEntry("login.limited", name, client, clock_.NowMillis());
                             RETURN_IF_ERROR(AuditLog::Append(s, e));
                         }
                         return d;
                     }));
    if (!decision.allowed) {
        outcome.kind = LoginOutcome::Kind::kLimited;
        outcome.retry_after_seconds = decision.retry_after_seconds;
        outcome.message = "登录失败次数过多, 请 " +
                          std::to_string((decision.retry_after_seconds + 59) / 60) + " 分钟后再试";
        return outcome;
    }

    ASSIGN_OR_RETURN(std::optional<UserRecord> user, db_.ReadValue([&](db::Session& s) {
        return AccountStore::FindByUsername(s, name);
    }));
    bool password_ok = false;
    if (user) {
        password_ok = VerifyPassword(user->password_hash, password);
    } else {
        VerifyDummyPassword(password);  // as slow as a wrong password for a real name
    }

    if (!password_ok || user->locked) {
        const bool locked = password_ok;  // only say "locked" to someone who knows the password
        RETURN_IF_ERROR(db_.Write([&](db::Session& s) -> Status {
            if (locked) RETURN_IF_ERROR(limiter_.Release(s, decision.attempt_id));
            AuditEntry e = AnonymousEntry("login.failed", name, client, clock_.NowMillis());
            if (user) {
                e.user_id = user->id;
                e.subject_kind = "user";
                e.subject_id = user->id;
                if (!user->grants.empty()) {
                    const Grant& g = user->grants.front();
                    e.role = std::string(RoleName(g.role));
                    e.scope =
                        std::string(ScopeKindName(g.scope.kind)) + ":" + std::to_string(g.scope.id);
                }
            }
            e.detail = locked ? "locked" : "";
            return AuditLog::Append(s, e);
        }));
        outcome.kind = LoginOutcome::Kind::kRejected;
        outcome.message = locked ? "账号已被锁定, 请联系管理员" : std::string(kWrongCredentials);
        return outcome;
    }

    std::string new_hash;
    if (PasswordNeedsRehash(user->password_hash)) {
        ASSIGN_OR_RETURN(new_hash, HashPassword(password));
    }
    outcome.token = RandomHex(kTokenBytes);
    outcome.csrf_token = RandomHex(kTokenBytes);
    const int64_t now = clock_.NowMillis();
    RETURN_IF_ERROR(db_.Write([&](db::Session& s) -> Status {
        RETURN_IF_ERROR(limiter_.Release(s, decision.attempt_id));
        if (!new_hash.empty()) {
            RETURN_IF_ERROR(
                AccountStore::SetPassword(s, user->id, new_hash, user->must_change_password, now));
        }
        // A new token at every login: a token planted before login (fixation) dies here.
        if (LooksLikeToken(previous_token)) {
            ASSIGN_OR_RETURN(auto previous,
                             SessionStore::FindByDigest(s, TokenDigest(previous_token)));
            if (previous) RETURN_IF_ERROR(SessionStore::Delete(s, previous->id));
        }
        RETURN_IF_ERROR(
            SessionStore::DeleteExpired(s, now - policy_.idle_ms, now - policy_.absolute_ms));
        SessionRecord record{.id = 0,
                             .token_digest = TokenDigest(outcome.token),
                             .user_id = user->id,
                             .csrf_token = outcome.csrf_token,
                             .created_at = now,
                             .last_seen_at = now,
                             .client_address = client.address,
                             .user_agent = client.user_agent.substr(0, 300)};
        ASSIGN_OR_RETURN(int64_t session_id, SessionStore::Insert(s, record));
        ASSIGN_OR_RETURN(auto grants, AccountStore::LoadGrantedPermissions(s, user->id));
        outcome.principal = MakePrincipal(*user, std::move(grants), client, session_id);
        AuditEntry e = AuditLog::For(outcome.principal, "login");
        e.subject_kind = "user";
        e.subject_id = user->id;
        e.at = now;
        return AuditLog::Append(s, e);
    }));
    outcome.kind = LoginOutcome::Kind::kSignedIn;
    outcome.user = std::move(*user);
    outcome.user.password_hash.clear();
    return outcome;
}

std::shared_ptr<const SessionService::CachedSession> SessionService::FindCached(
    const std::string& digest, int64_t now) {
    if (policy_.cache_ttl_ms <= 0) return nullptr;
    std::shared_ptr<const CachedSession> entry;
    {
        std::lock_guard lock(cache_mu_);
        auto it = cache_.find(digest);
        if (it == cache_.end()) return nullptr;
        entry = it->second;
    }
    // Anything that would make the database path do more than read (expire the session, touch
    // it) goes to the database path.
    const bool fresh = now >= entry->validated_at &&
                       now - entry->validated_at < policy_.cache_ttl_ms &&
                       entry->generation == SessionStore::Generation();
    const bool usable = now - entry->last_seen_at < policy_.touch_interval_ms &&
                        now - entry->last_seen_at < policy_.idle_ms &&
                        now - entry->created_at < policy_.absolute_ms;
    return fresh && usable ? entry : nullptr;
}

void SessionService::Cache(const std::string& digest, std::shared_ptr<const CachedSession> entry) {
    std::lock_guard lock(cache_mu_);
    // A session ended while it was being read is not cached.
    if (entry->generation != SessionStore::Generation()) return;
    // Entries of sessions no longer used go every few TTLs, so the cache holds about the
    // sessions of the last few seconds.
    if (entry->validated_at - cache_swept_at_ >= 10 * policy_.cache_ttl_ms ||
        entry->validated_at < cache_swept_at_) {
        std::erase_if(cache_, [&](const auto& item) {
            return entry->validated_at - item.second->validated_at >= policy_.cache_ttl_ms;
        });
        cache_swept_at_ = entry->validated_at;
    }
    cache_[digest] = std::move(entry);
}

void SessionService::EvictSession(int64_t session_id) {
    std::lock_guard lock(cache_mu_);
    std::erase_if(cache_, [&](const auto& item) { return item.second->session_id == session_id; });
}

Authenticated SessionService::FromCache(const CachedSession& cached, const ClientInfo& client) {
    Authenticated out;
    out.principal = cached.principal;
    out.principal.client_address = client.address;
    out.principal.request_id = client.request_id;
    out.csrf_token = cached.csrf_token;
    out.must_change_password = cached.must_change_password;
    return out;
}

std::optional<Authenticated> SessionService::AuthenticateCached(std::string_view token,
                                                                const ClientInfo& client) {
    if (!LooksLikeToken(token)) return std::nullopt;
    auto cached = FindCached(TokenDigest(token), clock_.NowMillis());
    if (!cached) return std::nullopt;
    return FromCache(*cached, client);
}

Result<Authenticated> SessionService::Authenticate(std::string_view token,
                                                   const ClientInfo& client) {
    if (!LooksLikeToken(token)) return Unauthenticated("请先登录");
    const std::string digest = TokenDigest(token);
    const int64_t read_at = clock_.NowMillis();
    if (auto cached = FindCached(digest, read_at)) return FromCache(*cached, client);

    const uint64_t generation = SessionStore::Generation();
    std::optional<SessionRecord> record;
    std::optional<UserRecord> user;
    std::vector<Principal::GrantedPermissions> grants;
    RETURN_IF_ERROR(db_.Read([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(record, SessionStore::FindByDigest(s, digest));
        if (!record) return Ok();
        ASSIGN_OR_RETURN(user, AccountStore::FindById(s, record->user_id));
        if (!user || user->locked) return Ok();
        ASSIGN_OR_RETURN(grants, AccountStore::LoadGrantedPermissions(s, user->id));
        return Ok();
    }));
    if (!record) return Unauthenticated("登录已失效, 请重新登录");

    const int64_t now = clock_.NowMillis();
    const bool expired = now - record->last_seen_at >= policy_.idle_ms ||
                         now - record->created_at >= policy_.absolute_ms;
    if (expired || !user || user->locked) {
        RETURN_IF_ERROR(db_.Write([&](db::Session& s) -> Status {
            if (expired) return SessionStore::Delete(s, record->id);
            ASSIGN_OR_RETURN(int64_t ended, SessionStore::DeleteForUser(s, record->user_id));
            (void)ended;
            return Ok();
        }));
        return Unauthenticated(expired ? "登录已过期, 请重新登录" : "账号已被锁定, 请联系管理员");
    }
    int64_t last_seen_at = record->last_seen_at;
    if (now - record->last_seen_at >= policy_.touch_interval_ms) {
        RETURN_IF_ERROR(
            db_.Write([&](db::Session& s) { return SessionStore::Touch(s, record->id, now); }));
        last_seen_at = now;
    }
    Authenticated out;
    out.principal = MakePrincipal(*user, std::move(grants), client, record->id);
    out.csrf_token = record->csrf_token;
    out.must_change_password = user->must_change_password;
    if (policy_.cache_ttl_ms > 0) {
        auto entry = std::make_shared<CachedSession>();
        entry->session_id = record->id;
        entry->created_at = record->created_at;
        entry->last_seen_at = last_seen_at;
        entry->validated_at = read_at;
        entry->generation = generation;
        entry->principal = out.principal;
        entry->principal.client_address.clear();
        entry->principal.request_id.clear();
        entry->csrf_token = out.csrf_token;
        entry->must_change_password = out.must_change_password;
        Cache(digest, std::move(entry));
    }
    return out;
}

Status SessionService::Logout(const Principal& who) {
    const int64_t session_id = std::atoll(who.session_id.c_str());
    // Evicted once the deletion is committed, so that no read made before it stays cached.
    struct Evict {
        SessionService& service;
        int64_t id;
        ~Evict() { service.EvictSession(id); }
    } evict{*this, session_id};
    return db_.Write([&](db::Session& s) -> Status {
        RETURN_IF_ERROR(SessionStore::Delete(s, session_id));
        AuditEntry e = AuditLog::For(who, "logout");
        e.subject_kind = "user";
        e.subject_id = who.user_id;
        e.at = clock_.NowMillis();
        return AuditLog::Append(s, e);
    });
}

}  // namespace bulwark::auth
