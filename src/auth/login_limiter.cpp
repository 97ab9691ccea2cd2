#include "auth/login_limiter.hpp"

#include <algorithm>

#include "auth/session_store.hpp"

namespace bulwark::auth {

Result<LoginLimiter::Decision> LoginLimiter::Reserve(db::Session& s, std::string_view username,
                                                     std::string_view client_address) const {
    const int64_t now = clock_.NowMillis();
    const int64_t since = now - limits_.window_ms;
    int64_t blocked_until = 0;
    ASSIGN_OR_RETURN(int64_t by_account, SessionStore::CountForUsername(s, username, since));
    if (by_account >= limits_.per_account) {
        ASSIGN_OR_RETURN(auto at, SessionStore::NthNewestForUsername(s, username, since,
                                                                     limits_.per_account - 1));
        blocked_until = std::max(blocked_until, at.value_or(now) + limits_.window_ms);
    }
    ASSIGN_OR_RETURN(int64_t by_address, SessionStore::CountForAddress(s, client_address, since));
    if (by_address >= limits_.per_address) {
        ASSIGN_OR_RETURN(auto at, SessionStore::NthNewestForAddress(s, client_address, since,
                                                                    limits_.per_address - 1));
        blocked_until = std::max(blocked_until, at.value_or(now) + limits_.window_ms);
    }
    if (blocked_until > 0) {
        return Decision{
            .allowed = false,
            .attempt_id = 0,
            .retry_after_seconds = std::max<int64_t>(1, (blocked_until - now + 999) / 1000)};
    }
    // Old rows are of no further use; deleting them here keeps the table to one window.
    RETURN_IF_ERROR(SessionStore::DeleteAttemptsBefore(s, since));
    ASSIGN_OR_RETURN(int64_t id, SessionStore::InsertAttempt(s, username, client_address, now));
    return Decision{.allowed = true, .attempt_id = id, .retry_after_seconds = 0};
}

Status LoginLimiter::Release(db::Session& s, int64_t attempt_id) const {
    return SessionStore::DeleteAttempt(s, attempt_id);
}

}  // namespace bulwark::auth
