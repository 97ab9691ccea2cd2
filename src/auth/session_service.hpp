#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/account_store.hpp"
#include "auth/login_limiter.hpp"
#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::auth {

struct SessionPolicy {
    int64_t idle_ms = 30 * 60 * 1000;           // ends after this long without a request
    int64_t absolute_ms = 12 * 60 * 60 * 1000;  // ends this long after login, whatever happens
    // last_seen_at is written at most this often, so that most requests only read; a session
    // may therefore end up to this much before its exact idle limit.
    int64_t touch_interval_ms = 60 * 1000;
    // A validated session is trusted this long without reading the database again (0: read it
    // at every request). The trade-off: reading the session, the user and the grants costs a
    // read transaction per request, more than a small write route itself; in exchange a change
    // made by another server process (a logout, a lock, a password reset, new grants) takes
    // effect here only within this time. In this process, ending a session (logout, lock,
    // reset, ending sessions, a password change) drops the cache at once; new grants wait for
    // the TTL too.
    int64_t cache_ttl_ms = 1000;
};

// Where a request came from, for sessions and audit rows.
struct ClientInfo {
    std::string address;
    std::string user_agent;
    std::string request_id;
};

// The answer to a login: signed in (with the new token), rejected (wrong name or password, or
// locked: one message for unknown names and wrong passwords) or limited (too many failures).
struct LoginOutcome {
    enum class Kind { kSignedIn, kRejected, kLimited };
    Kind kind = Kind::kRejected;
    std::string message;              // for kRejected and kLimited
    int64_t retry_after_seconds = 0;  // for kLimited
    std::string token;                // for kSignedIn: the session cookie's value
    std::string csrf_token;
    UserRecord user;  // for kSignedIn; password_hash cleared
    Principal principal;
};

// A request's session, resolved by the guard.
struct Authenticated {
    Principal principal;
    std::string csrf_token;
    bool must_change_password = false;
};

// The message for a wrong password and an unknown name alike.
inline constexpr std::string_view kWrongCredentials = "用户名或密码错误";

// Sign-in, session lookup and sign-out. Sessions are 128-bit random tokens held by the browser;
// the database keeps only their BLAKE2b digest. Every login, failure and logout is audited in
// the same transaction as its change. Validated sessions are cached for
// SessionPolicy::cache_ttl_ms. Thread-safe (the cache has its own lock).
class SessionService {
public:
    SessionService(db::Database& db, Clock& clock, SessionPolicy policy = {},
                   LoginLimits limits = {});

    // Checks the password (Argon2id) within the login limits and, when right, starts a new
    // session (ending `previous_token`'s, if any). Errors only for database failures.
    Result<LoginOutcome> Login(std::string_view username, std::string_view password,
                               const ClientInfo& client, std::string_view previous_token = {});
    // The session of `token`: kUnauthenticated when there is none, it expired (idle or
    // absolute) or its user is locked; such sessions are deleted.
    Result<Authenticated> Authenticate(std::string_view token, const ClientInfo& client);
    // The session of `token` when the cache holds it, fresh and needing no touch: what
    // Authenticate() would answer, without blocking. Empty otherwise (Authenticate() decides).
    std::optional<Authenticated> AuthenticateCached(std::string_view token,
                                                    const ClientInfo& client);
    // Ends `who`'s current session on the server.
    Status Logout(const Principal& who);

    const LoginLimiter& limiter() const { return limiter_; }
    const SessionPolicy& policy() const { return policy_; }

private:
    // What Authenticate() read for one token, kept for cache_ttl_ms. Immutable once cached.
    struct CachedSession {
        int64_t session_id = 0;
        int64_t created_at = 0;
        int64_t last_seen_at = 0;  // as stored (or as this process last touched it)
        int64_t validated_at = 0;  // clock time before the read
        uint64_t generation = 0;   // SessionStore::Generation() before the read
        Principal principal;       // without client address and request id
        std::string csrf_token;
        bool must_change_password = false;
    };

    // The cached session of `digest` if it is still fresh, unexpired and needs no touch.
    std::shared_ptr<const CachedSession> FindCached(const std::string& digest, int64_t now);
    static Authenticated FromCache(const CachedSession& cached, const ClientInfo& client);
    void Cache(const std::string& digest, std::shared_ptr<const CachedSession> entry);
    void EvictSession(int64_t session_id);

    db::Database& db_;
    Clock& clock_;
    SessionPolicy policy_;
    LoginLimiter limiter_;

    std::mutex cache_mu_;
    std::unordered_map<std::string, std::shared_ptr<const CachedSession>> cache_;  // by digest
    int64_t cache_swept_at_ = 0;                                                   // cache_mu_
};

// Lower-case ASCII form of a user name as typed at login (names are stored that way).
std::string NormalizeUsername(std::string_view username);
// Builds the principal of `user` (grants with their permissions) for a request from `client`.
Principal MakePrincipal(const UserRecord& user, std::vector<Principal::GrantedPermissions> grants,
                        const ClientInfo& client, int64_t session_id);

}  // namespace bulwark::auth
