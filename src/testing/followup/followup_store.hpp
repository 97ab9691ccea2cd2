#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::testing::followup {

// One recorded follow-up attempt (every attempt is kept).
struct Attempt {
    int64_t id = 0;
    int64_t round_id = 0;
    int64_t resident_id = 0;
    int64_t community_id = 0;
    std::string outcome;  // OutcomeName
    bool exempting = false;
    std::string note;
    std::string place;
    int64_t tested_at = 0;
    int64_t by = 0;
    std::string by_name;
    int64_t at = 0;
};

// A health-code change request (健康码变更申请) and its decision.
struct HealthCodeRequest {
    int64_t id = 0;
    int64_t resident_id = 0;
    int64_t community_id = 0;
    int64_t grid_id = 0;
    std::string from_status;  // "green", "yellow", "red", "unknown"
    std::string to_status;
    std::string reason;
    std::string evidence;
    int64_t requested_by = 0;
    std::string requested_name;
    int64_t requested_at = 0;
    std::string status;  // "pending", "approved", "rejected"
    int64_t decided_by = 0;
    std::string decided_name;
    int64_t decided_at = 0;
    std::string decision_note;
};

// A resident's recorded health code; status "unknown" when none was ever recorded.
struct HealthCode {
    std::string status = "unknown";
    int64_t since = 0;
};

// The SQL of assignments, attempts and health codes. Stateless; thread-safe; runs in the
// caller's transaction.
class FollowupStore {
public:
    // Assigns (or reassigns) a resident's follow-up in a round to a user.
    static Status Assign(db::Session& s, int64_t round_id, int64_t resident_id, int64_t user_id,
                         int64_t by, int64_t at);
    // Explicit assignments of a round: resident id -> user id.
    static Result<std::map<int64_t, int64_t>> AssignmentsOf(db::Session& s, int64_t round_id);

    static Result<int64_t> InsertAttempt(db::Session& s, const Attempt& attempt);
    // Every attempt of a round, oldest first.
    static Result<std::vector<Attempt>> AttemptsOfRound(db::Session& s, int64_t round_id);
    static Result<std::vector<Attempt>> AttemptsOf(db::Session& s, int64_t round_id,
                                                   int64_t resident_id);
    // (count, last id) of a round's attempts: changes with every new attempt.
    static Result<std::pair<int64_t, int64_t>> AttemptStamp(db::Session& s, int64_t round_id);
    // Attempts recorded in a community in [from, to).
    static Result<std::vector<Attempt>> AttemptsBetween(db::Session& s, int64_t community_id,
                                                        int64_t from, int64_t to);

    static Result<int64_t> InsertHealthCodeRequest(db::Session& s, const HealthCodeRequest& r);
    static Result<std::optional<HealthCodeRequest>> GetHealthCodeRequest(db::Session& s,
                                                                         int64_t id);
    // Requests of a community, newest first; `status` "" for all.
    static Result<std::vector<HealthCodeRequest>> HealthCodeRequestsOf(db::Session& s,
                                                                       int64_t community_id,
                                                                       const std::string& status);
    // Approved requests of a resident, newest first (the history of their code).
    static Result<std::vector<HealthCodeRequest>> ApprovedFor(db::Session& s, int64_t resident_id);
    // Records a decision on a pending request; false when it was no longer pending.
    static Result<bool> Decide(db::Session& s, const HealthCodeRequest& decided);
    static Result<HealthCode> CodeOf(db::Session& s, int64_t resident_id);
    static Status SetCode(db::Session& s, int64_t resident_id, const std::string& status,
                          int64_t since, int64_t request_id);
};

}  // namespace bulwark::testing::followup
