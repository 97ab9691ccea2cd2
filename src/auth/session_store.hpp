#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::auth {

// One signed-in session as stored: the token only as its digest.
struct SessionRecord {
    int64_t id = 0;
    std::string token_digest;  // TokenDigest(token), hex
    int64_t user_id = 0;
    std::string csrf_token;  // sent to the page; useless without the session cookie
    int64_t created_at = 0;  // Unix ms
    int64_t last_seen_at = 0;
    std::string client_address;
    std::string user_agent;
};

// SQL for sessions and failed logins. Stateless; thread-safe.
class SessionStore {
public:
    static Result<int64_t> Insert(db::Session& s, const SessionRecord& record);
    static Result<std::optional<SessionRecord>> FindByDigest(db::Session& s,
                                                             std::string_view digest);
    static Status Touch(db::Session& s, int64_t id, int64_t now);
    // Delete and DeleteForUser also advance Generation().
    static Status Delete(db::Session& s, int64_t id);
    // Ends every session of `user_id` except `keep_id` (0: keep none); returns how many ended.
    static Result<int64_t> DeleteForUser(db::Session& s, int64_t user_id, int64_t keep_id = 0);
    // Counts the calls in this process that ended sessions (logout, lock, password reset or
    // change, ending a user's sessions): SessionService's cache of validated sessions trusts no
    // entry read before the latest one. The count moves before the transaction commits, so a
    // session read in between may still be cached for the cache's short TTL (as a change made by
    // another process is). Thread-safe.
    static uint64_t Generation();
    // Removes sessions idle since before `idle_before` or created before `created_before`.
    static Result<int64_t> DeleteExpired(db::Session& s, int64_t idle_before,
                                         int64_t created_before);

    // Failed logins (kept in the database so that every server sees them). Attempts are
    // recorded before the password is checked and removed again when it was right.
    static Result<int64_t> InsertAttempt(db::Session& s, std::string_view username,
                                         std::string_view client_address, int64_t at);
    static Status DeleteAttempt(db::Session& s, int64_t id);
    static Status DeleteAttemptsBefore(db::Session& s, int64_t before);
    // How many failures since `since` for that user name / client address, and the time of the
    // n-th newest one (0-based; nullopt when there are not that many).
    static Result<int64_t> CountForUsername(db::Session& s, std::string_view username,
                                            int64_t since);
    static Result<int64_t> CountForAddress(db::Session& s, std::string_view address, int64_t since);
    static Result<std::optional<int64_t>> NthNewestForUsername(db::Session& s,
                                                               std::string_view username,
                                                               int64_t since, int64_t n);
    static Result<std::optional<int64_t>> NthNewestForAddress(db::Session& s,
                                                              std::string_view address,
                                                              int64_t since, int64_t n);
};

}  // namespace bulwark::auth
