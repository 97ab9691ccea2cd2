#include "auth/session_store.hpp"

#include <atomic>

namespace bulwark::auth {
namespace {

std::atomic<uint64_t> generation{0};

}  // namespace

uint64_t SessionStore::Generation() { return generation.load(std::memory_order_acquire); }

Result<int64_t> SessionStore::Insert(db::Session& s, const SessionRecord& r) {
    ASSIGN_OR_RETURN(
        auto row, s.QueryOne("INSERT INTO sessions (token_digest, user_id, csrf_token, "
                             "created_at, last_seen_at, client_address, user_agent) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             {r.token_digest, r.user_id, r.csrf_token, r.created_at, r.last_seen_at,
                              r.client_address, r.user_agent}));
    if (!row) return Internal("sessions: insert returned no id");
    return row->Int(0);
}

Result<std::optional<SessionRecord>> SessionStore::FindByDigest(db::Session& s,
                                                                std::string_view digest) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT id, token_digest, user_id, csrf_token, "
                                          "created_at, last_seen_at, client_address, user_agent "
                                          "FROM sessions WHERE token_digest = ?",
                                          {digest}));
    if (!row) return std::optional<SessionRecord>();
    return std::optional<SessionRecord>(SessionRecord{.id = row->Int(0),
                                                      .token_digest = row->Text(1),
                                                      .user_id = row->Int(2),
                                                      .csrf_token = row->Text(3),
                                                      .created_at = row->Int(4),
                                                      .last_seen_at = row->Int(5),
                                                      .client_address = row->Text(6),
                                                      .user_agent = row->Text(7)});
}

Status SessionStore::Touch(db::Session& s, int64_t id, int64_t now) {
    RETURN_IF_ERROR(s.Exec("UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?",
                           {now, id, now}));
    return Ok();
}

Status SessionStore::Delete(db::Session& s, int64_t id) {
    generation.fetch_add(1, std::memory_order_acq_rel);
    RETURN_IF_ERROR(s.Exec("DELETE FROM sessions WHERE id = ?", {id}));
    return Ok();
}

Result<int64_t> SessionStore::DeleteForUser(db::Session& s, int64_t user_id, int64_t keep_id) {
    generation.fetch_add(1, std::memory_order_acq_rel);
    return s.Exec("DELETE FROM sessions WHERE user_id = ? AND id <> ?", {user_id, keep_id});
}

Result<int64_t> SessionStore::DeleteExpired(db::Session& s, int64_t idle_before,
                                            int64_t created_before) {
    return s.Exec("DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?",
                  {idle_before, created_before});
}

Result<int64_t> SessionStore::InsertAttempt(db::Session& s, std::string_view username,
                                            std::string_view client_address, int64_t at) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("INSERT INTO login_failures (username, client_address, "
                                          "at) VALUES (?, ?, ?) RETURNING id",
                                          {username, client_address, at}));
    if (!row) return Internal("login_failures: insert returned no id");
    return row->Int(0);
}

Status SessionStore::DeleteAttempt(db::Session& s, int64_t id) {
    RETURN_IF_ERROR(s.Exec("DELETE FROM login_failures WHERE id = ?", {id}));
    return Ok();
}

Status SessionStore::DeleteAttemptsBefore(db::Session& s, int64_t before) {
    RETURN_IF_ERROR(s.Exec("DELETE FROM login_failures WHERE at < ?", {before}));
    return Ok();
}

Result<int64_t> SessionStore::CountForUsername(db::Session& s, std::string_view username,
                                               int64_t since) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT COUNT(*) FROM login_failures "
                                          "WHERE username = ? AND at > ?",
                                          {username, since}));
    return row ? row->Int(0) : 0;
}

Result<int64_t> SessionStore::CountForAddress(db::Session& s, std::string_view address,
                                              int64_t since) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT COUNT(*) FROM login_failures "
                                          "WHERE client_address = ? AND at > ?",
                                          {address, since}));
    return row ? row->Int(0) : 0;
}

Result<std::optional<int64_t>> SessionStore::NthNewestForUsername(db::Session& s,
                                                                  std::string_view username,
                                                                  int64_t since, int64_t n) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT at FROM login_failures WHERE username = ? "
                                          "AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
                                          {username, since, n}));
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(row->Int(0));
}

Result<std::optional<int64_t>> SessionStore::NthNewestForAddress(db::Session& s,
                                                                 std::string_view address,
                                                                 int64_t since, int64_t n) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT at FROM login_failures WHERE client_address = ? "
                                          "AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
                                          {address, since, n}));
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(row->Int(0));
}

}  // namespace bulwark::auth
