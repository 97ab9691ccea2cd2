#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/sampling_access.hpp"
#include "testing/results/pool_procedure.hpp"
#include "testing/results/results_store.hpp"
#include "testing/round_service.hpp"

namespace bulwark::testing::results {

// A bad entry of a load: its file row (or 0) and its index in the list, the field and why.
struct EntryError {
    int row = 0;
    int index = 0;
    std::string field;  // "tube_barcode", "result", "reported_at", "ct"
    std::string message;
};
// "第 N 行 试管条码: 原因" for a file row.
std::string RowErrorText(const EntryError& e);

// A result held because the tube has another one.
struct Held {
    std::string tube_barcode;
    Outcome recorded = Outcome::kNegative;
    Outcome incoming = Outcome::kNegative;
};

struct LoadSummary {
    int created = 0;    // "new"
    int unchanged = 0;  // the same result again
    int conflicts = 0;  // held for review
    std::vector<Held> held;
};

// What a load found: nothing is written when `errors` is not empty.
struct LoadOutcome {
    std::vector<EntryError> errors;
    LoadSummary summary;
};

// One of a resident's samples and its result (result unset while the lab has not reported).
struct ResidentResult {
    int64_t round_id = 0;
    std::string round_name;
    std::string tube_barcode;
    int pool_size = 1;
    int64_t sampled_at = 0;
    std::optional<Outcome> result;
    int64_t reported_at = 0;
    std::optional<int64_t> turnaround_minutes;
    std::optional<MemberStatus> status;  // the pooled-positive mark of this tube's procedure
};

// A member of a tube or a procedure, as results.read shows them (masked name).
struct MemberView {
    int64_t resident_id = 0;
    std::string name;
    std::string building;
    std::string room;
};

struct TubeResultView {
    StoredResult result;
    std::string lab_name;
    std::vector<MemberView> members;
};

struct PoolDetail {
    Pool pool;
    std::vector<std::pair<MemberView, PoolMember>> members;
    std::vector<PoolEvent> events;
};

struct InvalidMember {
    std::string tube_barcode;
    MemberView member;
    bool resampled = false;
};

struct Alert {
    std::string kind;  // "pooled_positive", "result_conflict", "case"
    int64_t id = 0;
    int64_t community_id = 0;
    std::string title;
    int64_t at = 0;
    std::string link;
};

struct LabOverview {
    int64_t lab_id = 0;
    std::string lab_name;
    std::vector<LabBox> boxes;
    int64_t pending_tubes = 0;
    int64_t results_today = 0;
    int64_t p50_minutes = 0;
    int64_t p90_minutes = 0;
    struct Day {
        std::string date;  // "2022-04-01", China time
        int64_t p50_minutes = 0;
        int64_t p90_minutes = 0;
        int64_t tubes = 0;
    };
    std::vector<Day> by_day;
};

template <class T>
struct Page {
    int64_t total = 0;
    std::vector<T> items;
};

// Lab results per tube and what follows from them. Loading checks every entry first (the tube
// known, in the caller's scope and handed to the lab) and writes all of them in one transaction
// or none; a result equal to the recorded one changes nothing, a different one is held as a
// conflict. Objects outside the caller's scope answer kNotFound "未找到", as missing ones.
// Every answer that shows a person is audited. Thread-safe.
class ResultsService {
public:
    ResultsService(db::Database& db, Clock& clock, RoundService& rounds);

    // lab_id 0: the lab each tube was handed to (callers without a lab grant), or the caller's
    // only lab. kNotFound (field lab_id) for a lab the caller may not load for.
    Result<LoadOutcome> Check(const auth::Principal& who, int64_t lab_id,
                              const std::vector<ResultEntry>& entries);
    // Check inside the caller's transaction.
    Result<LoadOutcome> CheckIn(db::Session& s, const auth::Principal& who, int64_t lab_id,
                                const std::vector<ResultEntry>& entries);
    // Checks again and, without errors, writes every entry and runs its consequences.
    Result<LoadOutcome> Load(const auth::Principal& who, int64_t lab_id,
                             const std::vector<ResultEntry>& entries, const std::string& source);
    // The same inside the caller's write transaction (the keyed JSON API stores its answer in
    // it).
    Result<LoadOutcome> LoadIn(db::Session& s, const auth::Principal& who, int64_t lab_id,
                               const std::vector<ResultEntry>& entries, const std::string& source);

    Result<Page<Conflict>> Conflicts(const auth::Principal& who, bool open, int page,
                                     int page_size);
    // "keep" or "replace" (which runs the consequences of the new result). kFailedPrecondition
    // when the conflict is resolved already.
    Result<Conflict> Resolve(const auth::Principal& who, int64_t conflict_id,
                             const std::string& decision, const std::string& note);
    std::string LabName(int64_t lab_id);

    Result<TubeResultView> TubeResult(const auth::Principal& who, const std::string& barcode);
    Result<std::vector<ResidentResult>> ResidentResults(const auth::Principal& who,
                                                        int64_t resident_id);
    Result<Page<InvalidMember>> InvalidMembers(const auth::Principal& who, int64_t round_id);
    Result<Page<Pool>> Pools(const auth::Principal& who, std::optional<bool> open,
                             int64_t community_id, int page, int page_size);
    Result<PoolDetail> PoolById(const auth::Principal& who, int64_t id);
    Result<std::vector<Alert>> Alerts(const auth::Principal& who, int64_t community_id);
    Result<LabOverview> Overview(const auth::Principal& who, int64_t lab_id, int days);

    // A resident's results (newest first), inside the caller's transaction: the page of the
    // results.read route and the residents' own page share it.
    static Result<std::vector<ResidentResult>> ResultsOf(db::Session& s,
                                                         const registry::SamplingSubject& who);

private:
    struct Planned;
    Result<LoadOutcome> Plan(db::Session& s, const auth::Principal& who, int64_t lab_id,
                             const std::vector<ResultEntry>& entries, std::vector<Planned>* out);
    Status Write(db::Session& s, const auth::Principal& who, const Planned& p,
                 const std::string& source, int64_t now);

    db::Database& db_;
    Clock& clock_;
    PoolProcedure procedure_;
};

}  // namespace bulwark::testing::results
