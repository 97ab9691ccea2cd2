#include "testing/followup/followup_store.hpp"

namespace bulwark::testing::followup {
namespace {

constexpr const char* kAttemptColumns =
    "SELECT id, round_id, resident_id, community_id, outcome, exempting, note, place, tested_at, "
    "by_user, by_name, at FROM followup_attempts ";

Attempt AttemptFrom(const db::Row& r) {
    Attempt a;
    a.id = r.Int(0);
    a.round_id = r.Int(1);
    a.resident_id = r.Int(2);
    a.community_id = r.Int(3);
    a.outcome = r.Text(4);
    a.exempting = r.Int(5) != 0;
    a.note = r.Text(6);
    a.place = r.Text(7);
    a.tested_at = r.Int(8);
    a.by = r.Int(9);
    a.by_name = r.Text(10);
    a.at = r.Int(11);
    return a;
}

std::vector<Attempt> AttemptsFrom(const db::Rows& rows) {
    std::vector<Attempt> out;
    out.reserve(rows.size());
    for (const db::Row& r : rows) out.push_back(AttemptFrom(r));
    return out;
}

constexpr const char* kRequestColumns =
    "SELECT id, resident_id, community_id, grid_id, from_status, to_status, reason, evidence, "
    "requested_by, requested_name, requested_at, status, decided_by, decided_name, decided_at, "
    "decision_note FROM health_code_requests ";

HealthCodeRequest RequestFrom(const db::Row& r) {
    HealthCodeRequest q;
    q.id = r.Int(0);
    q.resident_id = r.Int(1);
    q.community_id = r.Int(2);
    q.grid_id = r.Int(3);
    q.from_status = r.Text(4);
    q.to_status = r.Text(5);
    q.reason = r.Text(6);
    q.evidence = r.Text(7);
    q.requested_by = r.Int(8);
    q.requested_name = r.Text(9);
    q.requested_at = r.Int(10);
    q.status = r.Text(11);
    q.decided_by = r.Int(12);
    q.decided_name = r.Text(13);
    q.decided_at = r.Int(14);
    q.decision_note = r.Text(15);
    return q;
}

std::vector<HealthCodeRequest> RequestsFrom(const db::Rows& rows) {
    std::vector<HealthCodeRequest> out;
    for (const db::Row& r : rows) out.push_back(RequestFrom(r));
    return out;
}

}  // namespace

Status FollowupStore::Assign(db::Session& s, int64_t round_id, int64_t resident_id, int64_t user_id,
                             int64_t by, int64_t at) {
    ASSIGN_OR_RETURN(
        int64_t n,
        s.Exec("INSERT INTO followup_assignments (round_id, resident_id, user_id, assigned_by, "
               "assigned_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (round_id, resident_id) DO UPDATE "
               "SET user_id = excluded.user_id, assigned_by = excluded.assigned_by, "
               "assigned_at = excluded.assigned_at",
               {round_id, resident_id, user_id, by, at}));
    (void)n;
    return Ok();
}

Result<std::map<int64_t, int64_t>> FollowupStore::AssignmentsOf(db::Session& s, int64_t round_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query("SELECT resident_id, user_id FROM "
                                            "followup_assignments WHERE round_id = ?",
                                            {round_id}));
    std::map<int64_t, int64_t> out;
    for (const db::Row& r : rows) out[r.Int(0)] = r.Int(1);
    return out;
}

Result<int64_t> FollowupStore::InsertAttempt(db::Session& s, const Attempt& a) {
    ASSIGN_OR_RETURN(auto row,
                     s.QueryOne("INSERT INTO followup_attempts (round_id, resident_id, "
                                "community_id, outcome, exempting, note, place, tested_at, "
                                "by_user, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                "RETURNING id",
                                {a.round_id, a.resident_id, a.community_id, a.outcome, a.exempting,
                                 a.note, a.place, a.tested_at, a.by, a.by_name, a.at}));
    if (!row) return Internal("followup_attempts: no id returned");
    return row->Int(0);
}

Result<std::vector<Attempt>> FollowupStore::AttemptsOfRound(db::Session& s, int64_t round_id) {
    ASSIGN_OR_RETURN(
        db::Rows rows,
        s.Query(std::string(kAttemptColumns) + "WHERE round_id = ? ORDER BY id", {round_id}));
    return AttemptsFrom(rows);
}

Result<std::vector<Attempt>> FollowupStore::AttemptsOf(db::Session& s, int64_t round_id,
                                                       int64_t resident_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(std::string(kAttemptColumns) +
                                                "WHERE round_id = ? AND resident_id = ? "
                                                "ORDER BY id",
                                            {round_id, resident_id}));
    return AttemptsFrom(rows);
}

Result<std::pair<int64_t, int64_t>> FollowupStore::AttemptStamp(db::Session& s, int64_t round_id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM "
                                          "followup_attempts WHERE round_id = ?",
                                          {round_id}));
    if (!row) return std::pair<int64_t, int64_t>(0, 0);
    return std::pair<int64_t, int64_t>(row->Int(0), row->Int(1));
}

Result<std::vector<Attempt>> FollowupStore::AttemptsBetween(db::Session& s, int64_t community_id,
                                                            int64_t from, int64_t to) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(std::string(kAttemptColumns) +
                                                "WHERE community_id = ? AND at >= ? AND at < ? "
                                                "ORDER BY id",
                                            {community_id, from, to}));
    return AttemptsFrom(rows);
}

Result<int64_t> FollowupStore::InsertHealthCodeRequest(db::Session& s, const HealthCodeRequest& q) {
    ASSIGN_OR_RETURN(
        auto row,
        s.QueryOne("INSERT INTO health_code_requests (resident_id, community_id, grid_id, "
                   "from_status, to_status, reason, evidence, requested_by, requested_name, "
                   "requested_at, status, decided_by, decided_name, decided_at, decision_note) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, '', 0, '') RETURNING id",
                   {q.resident_id, q.community_id, q.grid_id, q.from_status, q.to_status, q.reason,
                    q.evidence, q.requested_by, q.requested_name, q.requested_at}));
    if (!row) return Internal("health_code_requests: no id returned");
    return row->Int(0);
}

Result<std::optional<HealthCodeRequest>> FollowupStore::GetHealthCodeRequest(db::Session& s,
                                                                             int64_t id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string(kRequestColumns) + "WHERE id = ?", {id}));
    if (!row) return std::optional<HealthCodeRequest>();
    return std::optional<HealthCodeRequest>(RequestFrom(*row));
}

Result<std::vector<HealthCodeRequest>> FollowupStore::HealthCodeRequestsOf(
    db::Session& s, int64_t community_id, const std::string& status) {
    if (status.empty()) {
        ASSIGN_OR_RETURN(db::Rows rows, s.Query(std::string(kRequestColumns) +
                                                    "WHERE community_id = ? ORDER BY id DESC",
                                                {community_id}));
        return RequestsFrom(rows);
    }
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query(std::string(kRequestColumns) + "WHERE community_id = ? AND status = ? "
                                                            "ORDER BY id DESC",
                             {community_id, status}));
    return RequestsFrom(rows);
}

Result<std::vector<HealthCodeRequest>> FollowupStore::ApprovedFor(db::Session& s,
                                                                  int64_t resident_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(std::string(kRequestColumns) +
                                                "WHERE resident_id = ? AND status = 'approved' "
                                                "ORDER BY decided_at DESC, id DESC",
                                            {resident_id}));
    return RequestsFrom(rows);
}

Result<bool> FollowupStore::Decide(db::Session& s, const HealthCodeRequest& d) {
    ASSIGN_OR_RETURN(
        int64_t n,
        s.Exec("UPDATE health_code_requests SET status = ?, decided_by = ?, "
               "decided_name = ?, decided_at = ?, decision_note = ? "
               "WHERE id = ? AND status = 'pending'",
               {d.status, d.decided_by, d.decided_name, d.decided_at, d.decision_note, d.id}));
    return n > 0;
}

Result<HealthCode> FollowupStore::CodeOf(db::Session& s, int64_t resident_id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT status, since FROM health_codes "
                                          "WHERE resident_id = ?",
                                          {resident_id}));
    HealthCode code;
    if (row) {
        code.status = row->Text(0);
        code.since = row->Int(1);
    }
    return code;
}

Status FollowupStore::SetCode(db::Session& s, int64_t resident_id, const std::string& status,
                              int64_t since, int64_t request_id) {
    ASSIGN_OR_RETURN(
        int64_t n,
        s.Exec("INSERT INTO health_codes (resident_id, status, since, request_id) "
               "VALUES (?, ?, ?, ?) ON CONFLICT (resident_id) DO UPDATE SET "
               "status = excluded.status, since = excluded.since, request_id = excluded.request_id",
               {resident_id, status, since, request_id}));
    (void)n;
    return Ok();
}

}  // namespace bulwark::testing::followup
