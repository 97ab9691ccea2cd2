#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "testing/results/model.hpp"

namespace bulwark::testing::results {

// A tube's recorded result, with where the tube was sampled (for scope) and when its first
// swab was taken (for turnaround).
struct StoredResult {
    int64_t id = 0;
    int64_t tube_id = 0;
    std::string tube_barcode;
    int64_t round_id = 0;
    int64_t street_id = 0;
    int64_t community_id = 0;
    int64_t lab_id = 0;
    int pool_size = 1;
    Outcome result = Outcome::kNegative;
    CtValues ct;
    int64_t sampled_at = 0;
    int64_t reported_at = 0;
    int64_t recorded_at = 0;
    int64_t recorded_by = 0;
    std::string source;  // "R.xlsx", "api"
};

// A result that contradicts the recorded one, held for a person (results.review).
struct Conflict {
    int64_t id = 0;
    int64_t tube_id = 0;
    std::string tube_barcode;
    int64_t round_id = 0;
    int64_t street_id = 0;
    int64_t community_id = 0;
    int64_t lab_id = 0;
    Outcome recorded = Outcome::kNegative;
    int64_t recorded_reported_at = 0;
    CtValues recorded_ct;
    Outcome incoming = Outcome::kNegative;
    int64_t incoming_reported_at = 0;
    CtValues incoming_ct;
    int64_t created_at = 0;
    bool open = true;
    std::string resolution;  // "keep", "replace" or "" while open
    std::string resolved_by;
    int64_t resolved_at = 0;
    std::string note;
};

// A pooled-positive procedure (混管阳性): one per positive pooled tube.
struct Pool {
    int64_t id = 0;
    int64_t tube_id = 0;
    std::string tube_barcode;
    int64_t round_id = 0;
    int64_t street_id = 0;
    int64_t community_id = 0;
    int64_t opened_at = 0;
    int64_t closed_at = 0;  // 0 while open
    int64_t retest_round_id = 0;
    int members_total = 0;
    int pending = 0;
    int cleared = 0;
    int cases = 0;
};

struct PoolMember {
    int64_t pool_id = 0;
    int64_t resident_id = 0;
    MemberStatus status = MemberStatus::kPendingRetest;
    int64_t retest_tube_id = 0;  // the single tube that resolved (or last tried) the mark
    std::string retest_barcode;
    std::optional<Outcome> retest_result;
    int64_t retest_sampled_at = 0;
    int64_t retest_reported_at = 0;
};

struct PoolEvent {
    int64_t at = 0;
    std::string action;    // "pool.opened", "member.cleared", ...
    std::string actor;     // who acted: a user name, or "platform"
    std::string evidence;  // short JSON: the tube, the result, the lab, the round
};

// Places a list is narrowed to: rows of any of these streets or communities.
struct PlaceFilter {
    std::vector<int64_t> streets;
    std::vector<int64_t> communities;
    int64_t community_id = 0;  // and of this community when not 0
};

// The SQL of results, conflicts, pools, their members and events, cases and the public page's
// rate limit. Stateless; thread-safe; every function runs in the caller's transaction.
class ResultsStore {
public:
    // Version 1: the tables; version 2: the role permissions (needs auth's role_permissions).
    static std::vector<db::Migration> Migrations();

    static Result<std::optional<StoredResult>> ResultOf(db::Session& s, int64_t tube_id);
    // Inserts unless the tube has a result already (false then: a concurrent load won).
    static Result<bool> InsertResult(db::Session& s, const StoredResult& r);
    // Replaces the recorded result (a conflict resolved as "replace").
    static Status ReplaceResult(db::Session& s, const StoredResult& r);
    // Results of a round that are `result`, in tube order.
    static Result<std::vector<StoredResult>> ResultsOfRound(db::Session& s, int64_t round_id,
                                                            Outcome result);
    // A lab's result: when the tube was sampled and reported, and where it was sampled.
    struct LabTime {
        int64_t sampled_at = 0;
        int64_t reported_at = 0;
        int64_t street_id = 0;
        int64_t community_id = 0;
    };
    // A lab's results reported since `since`, oldest first.
    static Result<std::vector<LabTime>> LabTimes(db::Session& s, int64_t lab_id, int64_t since);
    // How many of `tube_ids` have a result.
    static Result<int64_t> CountWithResult(db::Session& s, const std::vector<int64_t>& tube_ids);

    // An open conflict of the tube with this incoming result, if any (a re-load holds nothing
    // new).
    static Result<std::optional<int64_t>> OpenConflictFor(db::Session& s, int64_t tube_id,
                                                          Outcome incoming);
    static Result<int64_t> InsertConflict(db::Session& s, const Conflict& c, int64_t created_by);
    static Result<std::optional<Conflict>> GetConflict(db::Session& s, int64_t id);
    static Result<std::vector<Conflict>> ListConflicts(db::Session& s, const PlaceFilter& f,
                                                       bool open, int limit, int offset);
    static Result<int64_t> CountConflicts(db::Session& s, const PlaceFilter& f, bool open);
    // Resolves an open conflict; false when it was resolved meanwhile.
    static Result<bool> ResolveConflict(db::Session& s, int64_t id, const std::string& resolution,
                                        const std::string& by, const std::string& note,
                                        int64_t now);

    // A new pool for the tube, or nullopt when the tube has one already.
    static Result<std::optional<int64_t>> InsertPool(db::Session& s, const Pool& pool);
    static Status SetRetestRound(db::Session& s, int64_t pool_id, int64_t round_id);
    static Status ClosePool(db::Session& s, int64_t pool_id, int64_t now);
    static Result<std::optional<Pool>> GetPool(db::Session& s, int64_t id);
    static Result<std::vector<Pool>> ListPools(db::Session& s, const PlaceFilter& f,
                                               std::optional<bool> open, int limit, int offset);
    static Result<int64_t> CountPools(db::Session& s, const PlaceFilter& f,
                                      std::optional<bool> open);
    static Status InsertMember(db::Session& s, int64_t pool_id, int64_t resident_id, int64_t now);
    static Result<std::vector<PoolMember>> Members(db::Session& s, int64_t pool_id);
    // The open pools in which the resident waits for a retest: (pool id, opened_at).
    static Result<std::vector<std::pair<int64_t, int64_t>>> PendingPoolsOf(db::Session& s,
                                                                           int64_t resident_id);
    // Every mark of a resident, newest pool first: (pool id, status).
    static Result<std::vector<std::pair<int64_t, MemberStatus>>> MarksOf(db::Session& s,
                                                                         int64_t resident_id);
    static Status UpdateMember(db::Session& s, const PoolMember& m, int64_t now);
    static Status AddEvent(db::Session& s, int64_t pool_id, const PoolEvent& e);
    static Result<std::vector<PoolEvent>> Events(db::Session& s, int64_t pool_id);

    // A case (for tracing later), unless the resident has one from this tube already.
    static Status InsertCase(db::Session& s, int64_t resident_id, int64_t street_id,
                             int64_t community_id, int64_t pool_id, int64_t tube_id, int64_t now);
    // Cases confirmed since `since`: (id, resident id, community id, confirmed_at).
    struct CaseRow {
        int64_t id = 0;
        int64_t resident_id = 0;
        int64_t community_id = 0;
        int64_t street_id = 0;
        int64_t confirmed_at = 0;
        int64_t pool_id = 0;
    };
    static Result<std::vector<CaseRow>> CasesSince(db::Session& s, const PlaceFilter& f,
                                                   int64_t since);

    // The public page's calls of one client address since `since`, and one more call.
    static Result<int64_t> CountHits(db::Session& s, const std::string& address, int64_t since);
    // The time of the `n`-th newest call since `since` (0-based), when there are that many.
    static Result<std::optional<int64_t>> NthNewestHit(db::Session& s, const std::string& address,
                                                       int64_t since, int n);
    static Status AddHit(db::Session& s, const std::string& address, int64_t at);
    static Status DeleteHitsBefore(db::Session& s, int64_t before);
};

}  // namespace bulwark::testing::results
