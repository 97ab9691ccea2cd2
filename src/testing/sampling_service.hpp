#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/sampling_access.hpp"
#include "testing/idempotency.hpp"
#include "testing/model.hpp"
#include "testing/sampling_store.hpp"

namespace bulwark::testing {

// The writes of a phone at a sampling table. Each carries the phone's idempotency key; fields
// are already type-checked by the API (the service checks meaning and scope).
struct OpenTubeRequest {
    std::string key;
    int64_t round_id = 0;
    int64_t site_id = 0;
    int64_t table_id = 0;
    std::string barcode;
    int pool_size = 0;  // 0: the round's
};
struct ScanRequest {
    std::string key;
    std::string tube_barcode;
    std::string code;         // a personal code token, or
    int64_t resident_id = 0;  // a resident found by lookup or just registered
    int64_t scanned_at = 0;   // when the phone scanned (0: now)
};
struct CloseTubeRequest {
    std::string key;
    int64_t tube_id = 0;       // either the id
    std::string tube_barcode;  // or the barcode (a queued close of a tube opened offline)
};
struct FloatingRequest {
    std::string key;
    int64_t round_id = 0;
    int64_t site_id = 0;
    registry::FloatingInput person;
};
// Find a person without a code: by document number, or by name, building and room.
struct LookupRequest {
    int64_t round_id = 0;
    std::string doc_number;
    std::string name;
    int64_t building_id = 0;
    std::string room;
};

// A building a scanner may name in a lookup or a floating registration.
struct LookupBuilding {
    int64_t id = 0;
    std::string name;
    std::string grid;
};

struct TubeMember {
    int64_t sample_id = 0;
    std::string name_masked;
    int64_t scanned_at = 0;
    int64_t resident_id = 0;  // for the audit row only; never shown
};
struct TubeDetail {
    Tube tube;
    std::vector<TubeMember> members;
};

// What the live page shows of a round, per site and table.
struct LiveTable {
    int64_t table_id = 0;
    std::string name;
    bool priority_lane = false;
    int64_t today = 0;
    int64_t this_hour = 0;
    int64_t tubes_open = 0;
    int64_t tubes_closed = 0;
};
struct LiveSite {
    int64_t site_id = 0;
    std::string name;
    int64_t today = 0;
    int64_t this_hour = 0;
    int64_t tubes_open = 0;
    int64_t tubes_closed = 0;
    std::vector<LiveTable> tables;
};
struct LiveFigures {
    int64_t round_id = 0;
    std::string round_name;
    int64_t sample_count = 0;
    std::vector<LiveSite> sites;
    int64_t as_of = 0;
};

// Sampling at the sites: tubes, scans, people without a code, live figures. Thread-safe.
//
// A scan is one queued write, planned in the writer (the key, the tube and its round, the
// resident by code token): the sample (UNIQUE round + resident), the tube's count, the live
// counter row, the audit row (the scanner saw a person, masked), and the answer under the key.
// Scans queued together are planned and written together (ScansTogether), else one at a time
// (PlanScan, ApplyScan). Lookups, floating registrations and tube member lists are audited too.
// Out-of-scope tubes, sites and tables answer 404 like missing ones. What a scan's plan found: the
// tube as it is in the write's transaction, its round, the person and whether a people-scoped round
// lists them.
struct ScanPlan {
    TubeAtSite tube;
    Round round;
    registry::SamplingSubject subject;
    bool listed = false;
};

class SamplingService {
public:
    SamplingService(db::Database& db, Clock& clock,
                    std::shared_ptr<registry::SamplingAccess> access);

    // Answers: 201 Tube; 404 not_found (site, table, round); 409 tube_barcode_used; 422
    // site_not_in_round, round_not_open, table_has_open_tube.
    Result<Answer> OpenTube(const auth::Principal& who, const OpenTubeRequest& request);
    // OpenTube() without waiting, as ScanAsync().
    void OpenTubeAsync(const auth::Principal& who, const OpenTubeRequest& request,
                       Idempotency::DoneFn done);
    // Answers: 201 {sample, resident, tube, warnings}; 404 not_found (tube barcode, code or
    // resident); 422 already_sampled (where and when), tube_closed, tube_full, round_not_open.
    Result<Answer> Scan(const auth::Principal& who, const ScanRequest& request);
    // Scan() without waiting: `done` gets the answer on a database thread once it is durable
    // (Database::WriteAsync), so it must be quick (the route posts it to the connection).
    void ScanAsync(const auth::Principal& who, const ScanRequest& request,
                   Idempotency::DoneFn done);
    // Whether queued scans are applied together (ScansTogether), on by default; off, each runs
    // alone in a savepoint. For tests and benchmarks that compare the two.
    void WriteScansTogether(bool on) { together_on_ = on; }
    // How many scans were answered by ScansTogether so far (not handed back one by one).
    int64_t ScansWrittenTogether() const { return written_together_.load(); }

    // Answers: 200 Tube (closed; also when it was closed already); 404 not_found.
    Result<Answer> CloseTube(const auth::Principal& who, const CloseTubeRequest& request);
    // Answers: 201 {resident_id, name_masked, existing}; 404 not_found; 422 site_not_in_round.
    // Invalid fields are errors (400), not stored answers.
    Result<Answer> RegisterFloating(const auth::Principal& who, const FloatingRequest& request);

    Result<TubeDetail> GetTube(const auth::Principal& who, int64_t tube_id);
    Result<Tube> OpenTubeAt(const auth::Principal& who, int64_t table_id);
    // At most 20 people, ScannerView only; audited (how it searched, never the number).
    Result<std::vector<registry::ScannerResidentView>> Lookup(const auth::Principal& who,
                                                              const LookupRequest& request);
    // The buildings of a round's community, for lookups and floating registration.
    Result<std::vector<LookupBuilding>> Buildings(const auth::Principal& who, int64_t round_id);
    // The round's sites the caller may see (sampling.live), from the live counters.
    Result<LiveFigures> Live(const auth::Principal& who, int64_t round_id);

private:
    // A scan's read: the tube, its round and the person, or the answer already (a rejection).
    // Where a scan's plan finds its tube, round and person: one query each in the session
    // (SessionLookups), or what PlanTogether read for a whole group at once (GroupLookups).
    class Lookups {
    public:
        virtual ~Lookups() = default;
        virtual Result<std::optional<TubeAtSite>> Tube(const std::string& barcode) = 0;
        virtual Result<std::optional<Round>> RoundOf(int64_t round_id) = 0;
        virtual Result<std::optional<registry::SamplingSubject>> ByCode(
            const std::string& token) = 0;
    };
    class SessionLookups;
    class GroupLookups;
    struct ScanWrite;
    Result<std::optional<Answer>> PlanScan(db::Session& s, Lookups& lookups,
                                           const auth::Principal& who, const ScanRequest& req,
                                           int64_t now, int64_t taken_at, ScanPlan* plan);
    // The group's tube openings, inserted and answered (or the group handed back: one is
    // refused), then PlanScan for its scans: the openings' sites and rounds, and the scans'
    // keys, tubes, rounds, people and earlier samples read with a statement each for the whole
    // group, in two batches (two round trips on PostgreSQL) with the new tubes' insert. A
    // stored key is replayed. `deltas` gets the tubes opened, `current` the tubes read or
    // opened, by id, as they are in this transaction, and `earlier` the samples already taken
    // of these people in these tubes' rounds.
    struct OpenWrite;
    Status PlanTogether(db::Session& s, const std::vector<OpenWrite*>& opens,
                        const std::vector<ScanWrite*>& scans, std::vector<CounterDelta>* deltas,
                        std::unordered_map<int64_t, Tube>* current, std::vector<Sample>* earlier);
    // A scan's write, in the write's savepoint.
    Result<Answer> ApplyScan(db::Session& s, const auth::Principal& who, const ScanPlan& plan,
                             int64_t now, int64_t taken_at);

    // A queued scan, and its plan once the writer made it (alone or in a group).
    struct ScanWrite final : Idempotency::Pending {
        auth::Principal who;
        ScanRequest req;
        ScanPlan plan;
        std::optional<Answer> early;  // decided by the plan (a rejection, or a replay)
        int64_t now = 0;
        int64_t taken_at = 0;
    };
    // A batch's scans and tube openings (first), applied as set-based statements
    // (db::WriteGroup): the scans' keys, tubes, people and earlier samples read in one statement
    // each, every answer decided in memory in queue order exactly as PlanScan and ApplyScan
    // would one after another, then one multi-row statement each for the samples, the tubes'
    // counts, the live counters, the audit rows and the answers: about a dozen statements for a
    // group commit's scans.
    class ScansTogether final : public db::WriteGroup {
    public:
        explicit ScansTogether(SamplingService& service) : service_(service) {}
        Status ApplyTogether(db::Session& s,
                             std::span<db::GroupedWrite* const> writes) const override;

    private:
        SamplingService& service_;
    };
    // A queued tube opening (OpenTubeAsync): queued with the scans' group, and written with
    // them when nothing refuses it (PlanTogether), else alone (OpenAlone).
    struct OpenWrite final : Idempotency::Pending {
        auth::Principal who;
        OpenTubeRequest req;
        int64_t now = 0;
    };
    // What opening tubes checks, read for all of a group's openings in one batch.
    struct OpenReads {
        std::unordered_map<int64_t, Site> sites;
        std::unordered_map<int64_t, Round> rounds;
    };
    static void ReadForOpens(db::Batch& batch, const std::vector<const OpenWrite*>& opens,
                             OpenReads* out);
    // The checks of opening a tube, before its insert: a refusal's answer, or the tube to insert.
    static std::variant<Answer, Tube> PlanOpen(const OpenWrite& open, const OpenReads& read);
    Result<Answer> OpenAlone(db::Session& s, const OpenWrite& open);
    Status ApplyScansTogether(db::Session& s, const std::vector<OpenWrite*>& opens,
                              const std::vector<ScanWrite*>& scans);

    int64_t Shard(const db::Session& s) const { return shard_base_ + s.connection_slot(); }

    db::Database& db_;
    Clock& clock_;
    std::shared_ptr<registry::SamplingAccess> access_;
    // Counter rows are per writer: this process's writers use shard_base_ + slot.
    int64_t shard_base_;
    ScansTogether together_{*this};
    std::atomic<bool> together_on_{true};
    std::atomic<int64_t> written_together_{0};
};

}  // namespace bulwark::testing
