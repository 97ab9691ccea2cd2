#include "testing/sampling_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <future>
#include <map>
#include <random>
#include <tuple>
#include <unordered_map>
#include <variant>

#include "auth/audit_log.hpp"
#include "auth/personal_data.hpp"
#include "registry/model.hpp"
#include "testing/round_store.hpp"
#include "testing/sampling_store.hpp"
#include "testing/site_store.hpp"
#include "testing/testing_json.hpp"

namespace bulwark::testing {
namespace {

namespace json = boost::json;

constexpr const char* kScan = "sampling.scan";

// The canonical body of a write, for its hash: fields joined by the unit separator.
std::string Canonical(std::initializer_list<std::string> parts) {
    std::string out;
    for (const std::string& p : parts) {
        out += p;
        out += '\x1f';
    }
    return out;
}

std::string N(int64_t v) { return std::to_string(v); }

Answer Missing(std::string_view message, std::string_view field) {
    return Rejection(404, "not_found", message, field);
}

Answer RoundNotOpen(const Round& round, int64_t at) {
    return Rejection(422, "round_not_open",
                     at < round.starts_at ? "本轮检测尚未开始" : "本轮检测已结束", "round_id");
}

Answer TubeRefused(const Tube& tube) {
    if (FillTube(tube) == TubeFill::kFull) {
        return Rejection(422, "tube_full",
                         "试管已满 (" + std::to_string(tube.pool_size) + " 人), 请换新试管",
                         "tube_barcode");
    }
    return Rejection(422, "tube_closed", "试管已封管, 请换新试管", "tube_barcode");
}

// "已于 09:12 在雅仕居采样点 2号台采样" for a resident sampled before in this round, with the
// names of the site and table of that sample.
Answer AlreadySampled(const Sample& earlier, const std::pair<std::string, std::string>& names) {
    return Rejection(
        422, "already_sampled",
        "本轮已采样: " + ClockChina(earlier.scanned_at) + " 在" + names.first + " " + names.second,
        "code");
}

// Warnings of an accepted scan (bits of `warnings::`).
uint32_t ScanWarnings(const ScanPlan& plan, int64_t taken_at) {
    const registry::SamplingSubject& person = plan.subject;
    uint32_t bits = 0;
    if (!InRoundScope(plan.round,
                      {.community_id = person.community_id,
                       .grid_id = person.grid_id,
                       .building_id = person.building_id},
                      plan.listed)) {
        bits |= warnings::kOutsideScope;
    }
    if (person.presence == registry::Presence::kMovedOut) bits |= warnings::kMovedOut;
    // Control areas are marked by the tracing capability, which does not exist yet.
    if (plan.tube.tube.pool_size > 1 &&
        NeedsSingleTube(plan.round, person.EffectiveTagsOn(registry::DateFromMillis(taken_at)),
                        false)) {
        bits |= warnings::kSingleTubeRequired;
    }
    return bits;
}

// The audit row of a scan: the scanner saw a person (masked).
auth::AuditEntry ScanAudit(const auth::Principal& who, int64_t resident_id, int64_t now) {
    auth::AuditEntry audit = auth::AuditLog::For(who, "sampling.scan");
    audit.subject_kind = "resident";
    audit.subject_id = resident_id;
    audit.at = now;
    return audit;
}

std::string AcceptedDetail(int64_t sample_id, int64_t tube_id) {
    return "{\"sample_id\":" + std::to_string(sample_id) +
           ",\"tube_id\":" + std::to_string(tube_id) + "}";
}

std::string RejectedDetail(int64_t tube_id) {
    return "{\"rejected\":\"already_sampled\",\"tube_id\":" + std::to_string(tube_id) + "}";
}

// The answer to an accepted scan: the sample, the person (masked), the tube after it.
Answer Accepted(int64_t sample_id, const Tube& tube, const registry::SamplingSubject& person,
                const Tube& after, int64_t taken_at, uint32_t warning_bits) {
    return Answer{201, AcceptedScanJson({.sample_id = sample_id,
                                         .tube = tube,
                                         .resident_id = person.id,
                                         .name_masked = auth::MaskName(person.name),
                                         .after = after,
                                         .taken_at = taken_at,
                                         .warning_bits = warning_bits})};
}

// What the scan's read found and decided.
// A scan's read found its answer: nothing is left to decide in the write.
Result<std::optional<Answer>> Early(Answer answer) {
    return std::optional<Answer>(std::move(answer));
}

}  // namespace

SamplingService::SamplingService(db::Database& db, Clock& clock,
                                 std::shared_ptr<registry::SamplingAccess> access)
    : db_(db), clock_(clock), access_(std::move(access)) {
    std::random_device random;
    shard_base_ = static_cast<int64_t>(random() % (1u << 20)) * 256;
}

// One write, with no read before it (as a scan): the site, table and round are checked in the
// write's transaction, and a barcode used or a table with an open tube is found by the insert
// itself. A retry finds its tube's barcode used, and the stored answer under its key is what
// it gets (ApplyAsync).
Result<Answer> SamplingService::OpenTube(const auth::Principal& who, const OpenTubeRequest& req) {
    std::promise<Result<Answer>> answered;
    OpenTubeAsync(who, req,
                  [&answered](Result<Answer> answer) { answered.set_value(std::move(answer)); });
    return answered.get_future().get();
}

void SamplingService::ReadForOpens(db::Batch& batch, const std::vector<const OpenWrite*>& opens,
                                   OpenReads* out) {
    std::vector<std::pair<int64_t, int64_t>> site_tables, round_sites;
    for (const OpenWrite* open : opens) {
        site_tables.emplace_back(open->req.site_id, open->req.table_id);
        round_sites.emplace_back(open->req.round_id, open->req.site_id);
    }
    SiteStore::SitesWithTables(batch, site_tables, &out->sites);
    RoundStore::ForSites(batch, round_sites, &out->rounds);
}

std::variant<Answer, Tube> SamplingService::PlanOpen(const OpenWrite& open, const OpenReads& read) {
    const auth::Principal& who = open.who;
    const OpenTubeRequest& req = open.req;
    using Planned = std::variant<Answer, Tube>;
    auto found_site = read.sites.find(req.site_id);
    const Site* site = found_site == read.sites.end() ? nullptr : &found_site->second;
    if (!site || !who.CanAt(kScan, site->placement())) {
        return Planned(Missing("采样点未找到", "site_id"));
    }
    if (site->FindTable(req.table_id) == nullptr)
        return Planned(Missing("采样台未找到", "table_id"));
    auto found_round = read.rounds.find(req.round_id);
    const Round* round = found_round == read.rounds.end() ? nullptr : &found_round->second;
    if (!round || round->community_id != site->community_id) {
        return Planned(Missing("检测轮次未找到", "round_id"));
    }
    if (!std::binary_search(round->site_ids.begin(), round->site_ids.end(), req.site_id)) {
        return Planned(Rejection(422, "site_not_in_round", "该采样点不参加本轮检测", "site_id"));
    }
    if (!AcceptsTube(*round, open.now)) return Planned(RoundNotOpen(*round, open.now));
    return Planned(Tube{.round_id = round->id,
                        .site_id = req.site_id,
                        .table_id = req.table_id,
                        .barcode = req.barcode,
                        .pool_size = req.pool_size != 0 ? req.pool_size : round->pool_size,
                        .opened_at = open.now,
                        .opened_by = who.user_id});
}

// Opening a tube alone, in its write's savepoint.
Result<Answer> SamplingService::OpenAlone(db::Session& s, const OpenWrite& open) {
    db::Batch reads;
    OpenReads read;
    ReadForOpens(reads, {&open}, &read);
    RETURN_IF_ERROR(reads.Run(s));
    std::variant<Answer, Tube> planned = PlanOpen(open, read);
    if (auto* refused = std::get_if<Answer>(&planned)) return std::move(*refused);
    Tube tube = std::get<Tube>(std::move(planned));
    const int64_t now = open.now;
    ASSIGN_OR_RETURN(auto id, SamplingStore::InsertTube(s, tube));
    if (!id) {
        ASSIGN_OR_RETURN(auto used, SamplingStore::TubeByBarcode(s, tube.barcode));
        if (used) {
            return Rejection(409, "tube_barcode_used", "试管条码已被使用, 请换一支试管", "barcode");
        }
        ASSIGN_OR_RETURN(auto at_table, SamplingStore::OpenTubeAt(s, tube.table_id));
        if (at_table) {
            return Rejection(422, "table_has_open_tube",
                             "本采样台还有未封管的试管 " + at_table->barcode + ", 请先封管",
                             "table_id");
        }
        return Unavailable("试管登记冲突, 请重试");
    }
    tube.id = *id;
    RETURN_IF_ERROR(SamplingStore::Count(s, {.round_id = tube.round_id,
                                             .site_id = tube.site_id,
                                             .table_id = tube.table_id,
                                             .hour_start = HourStart(now),
                                             .shard = Shard(s),
                                             .tubes_opened = 1}));
    return Answer{201, json::serialize(TubeJson(tube))};
}

// A tube opening is queued with the scans' group: queued between two scans, it no longer splits
// them into two groups (db::internal::GatherGroups), and it is written with them.
void SamplingService::OpenTubeAsync(const auth::Principal& who, const OpenTubeRequest& req,
                                    Idempotency::DoneFn done) {
    auto job = std::make_shared<OpenWrite>();
    job->w = WriteKey{req.key, who.user_id, "open_tube",
                      RequestHash(Canonical({N(req.round_id), N(req.site_id), N(req.table_id),
                                             req.barcode, N(req.pool_size)}))};
    job->who = who;
    job->req = req;
    job->now = clock_.NowMillis();
    job->done = std::move(done);
    // The job owns its decide, so a plain pointer is enough.
    OpenWrite* self = job.get();
    job->decide = [this, self](db::Session& s) { return OpenAlone(s, *self); };
    Idempotency::ApplyAsync(db_, clock_, std::move(job), together_on_ ? &together_ : nullptr);
}

Result<Answer> SamplingService::Scan(const auth::Principal& who, const ScanRequest& req) {
    std::promise<Result<Answer>> answered;
    ScanAsync(who, req,
              [&answered](Result<Answer> answer) { answered.set_value(std::move(answer)); });
    return answered.get_future().get();
}

// One query each, in the session of a scan's write (a scan planned alone).
class SamplingService::SessionLookups final : public Lookups {
public:
    SessionLookups(SamplingService& service, db::Session& s) : service_(service), s_(s) {}

    Result<std::optional<TubeAtSite>> Tube(const std::string& barcode) override {
        return SamplingStore::TubeByBarcode(s_, barcode);
    }
    Result<std::optional<Round>> RoundOf(int64_t round_id) override {
        return RoundStore::Get(s_, round_id, false, false);
    }
    Result<std::optional<registry::SamplingSubject>> ByCode(const std::string& token) override {
        return service_.access_->ByCode(s_, token);
    }

private:
    SamplingService& service_;
    db::Session& s_;
};

// What PlanTogether read for a group: tubes with their current state, rounds, people by code.
class SamplingService::GroupLookups final : public Lookups {
public:
    std::unordered_map<std::string, TubeAtSite> tubes;
    std::unordered_map<int64_t, Round> rounds;
    std::unordered_map<std::string, registry::SamplingSubject> people;

    Result<std::optional<TubeAtSite>> Tube(const std::string& barcode) override {
        auto it = tubes.find(barcode);
        if (it == tubes.end()) return std::optional<TubeAtSite>();
        return std::optional<TubeAtSite>(it->second);
    }
    Result<std::optional<Round>> RoundOf(int64_t round_id) override {
        auto it = rounds.find(round_id);
        if (it == rounds.end()) return std::optional<Round>();
        return std::optional<Round>(it->second);
    }
    Result<std::optional<registry::SamplingSubject>> ByCode(const std::string& token) override {
        auto it = people.find(token);
        if (it == people.end()) return std::optional<registry::SamplingSubject>();
        return std::optional<registry::SamplingSubject>(it->second);
    }
};

// A scan is one write job that no thread waits for: the route defers its answer, which the
// writer thread hands back once the commit is durable. The writer also makes the scan's plan
// (its key, tube, round and person), for a whole group of scans at once (PlanTogether): on
// PostgreSQL each statement is a round trip, and on SQLite a reader's transaction dropped its
// page cache whenever the writer had committed (bench/README.md).
void SamplingService::ScanAsync(const auth::Principal& who, const ScanRequest& req,
                                Idempotency::DoneFn done) {
    auto job = std::make_shared<ScanWrite>();
    job->w = WriteKey{req.key, who.user_id, "scan",
                      RequestHash(Canonical(
                          {req.tube_barcode, req.code, N(req.resident_id), N(req.scanned_at)}))};
    job->who = who;
    job->req = req;
    job->now = clock_.NowMillis();
    // A phone's clock ahead of ours does not put a scan in the future.
    job->taken_at = req.scanned_at > 0 ? std::min(req.scanned_at, job->now) : job->now;
    job->done = std::move(done);
    // The job outlives its decide (it owns it), so a plain pointer is enough.
    ScanWrite* self = job.get();
    job->decide = [this, self](db::Session& s) -> Result<Answer> {
        // Alone: a key stored already is found when the answer is stored (ApplyAsync), and
        // what this wrote is rolled back.
        SessionLookups lookups(*this, s);
        ASSIGN_OR_RETURN(self->early, PlanScan(s, lookups, self->who, self->req, self->now,
                                               self->taken_at, &self->plan));
        if (self->early) return *self->early;
        return ApplyScan(s, self->who, self->plan, self->now, self->taken_at);
    };
    Idempotency::ApplyAsync(db_, clock_, std::move(job), together_on_ ? &together_ : nullptr);
}

Result<std::optional<Answer>> SamplingService::PlanScan(db::Session& s, Lookups& lookups,
                                                        const auth::Principal& who,
                                                        const ScanRequest& req, int64_t now,
                                                        int64_t taken_at, ScanPlan* out) {
    ScanPlan& plan = *out;
    ASSIGN_OR_RETURN(std::optional<TubeAtSite> found, lookups.Tube(req.tube_barcode));
    if (!found || !who.CanAt(kScan, found->placement())) {
        return Early(Missing("试管条码未找到, 请先扫试管", "tube_barcode"));
    }
    plan.tube = std::move(*found);
    ASSIGN_OR_RETURN(auto round, lookups.RoundOf(plan.tube.tube.round_id));
    if (!round) return Internal("tubes: the round of a tube vanished");
    plan.round = std::move(*round);
    std::optional<registry::SamplingSubject> subject;
    if (!req.code.empty()) {
        ASSIGN_OR_RETURN(subject, lookups.ByCode(req.code));
    } else {
        ASSIGN_OR_RETURN(subject, access_->ById(s, req.resident_id));
        // A number is not a code: it names a person found by a lookup (by document or address)
        // for this round's community. Anyone else answers as a missing id, so that counting
        // through ids shows no one's masked name or room.
        if (subject && subject->community_id != plan.round.community_id) subject.reset();
    }
    if (!subject) {
        return Early(req.code.empty() ? Missing("居民未找到", "resident_id")
                                      : Missing("未找到此人, 请核对采样码", "code"));
    }
    plan.subject = std::move(*subject);
    if (plan.round.scope_kind == RoundScopeKind::kPeople) {
        ASSIGN_OR_RETURN(plan.listed, RoundStore::IsListed(s, plan.round.id, plan.subject.id));
    }
    if (!AcceptsSample(plan.round, taken_at, now)) return Early(RoundNotOpen(plan.round, taken_at));
    // A closed tube never opens again: refused before any change.
    if (plan.tube.tube.status == TubeStatus::kClosed) {
        return Early(TubeRefused(plan.tube.tube));
    }
    return std::optional<Answer>();
}

Result<Answer> SamplingService::ApplyScan(db::Session& s, const auth::Principal& who,
                                          const ScanPlan& plan, int64_t now, int64_t taken_at) {
    const registry::SamplingSubject& person = plan.subject;
    const uint32_t warning_bits = ScanWarnings(plan, taken_at);
    const Tube& tube = plan.tube.tube;
    Sample sample{.round_id = tube.round_id,
                  .resident_id = person.id,
                  .tube_id = tube.id,
                  .site_id = tube.site_id,
                  .table_id = tube.table_id,
                  .scanned_at = taken_at,
                  .received_at = now,
                  .scanned_by = who.user_id,
                  .warnings = warning_bits};
    // The scan shows the scanner a person (masked): audited in the same savepoint as the sample.
    auth::AuditEntry audit = ScanAudit(who, person.id, now);

    // The tube first: a closed or full tube is the answer even for someone sampled before.
    ASSIGN_OR_RETURN(auto count, SamplingStore::AddSwab(s, tube.id));
    if (!count) {
        ASSIGN_OR_RETURN(auto now_tube, SamplingStore::TubeById(s, tube.id));
        if (!now_tube) return Internal("tubes: a tube vanished");
        return TubeRefused(now_tube->tube);
    }
    ASSIGN_OR_RETURN(auto sample_id, SamplingStore::InsertSample(s, sample));
    if (!sample_id) {
        // Sampled before in this round: the swab is taken back, and the answer says where. The
        // scanner learnt that this person was sampled: audited with the rejection.
        RETURN_IF_ERROR(SamplingStore::RemoveSwab(s, tube.id));
        ASSIGN_OR_RETURN(auto earlier,
                         SamplingStore::SampleOf(s, sample.round_id, sample.resident_id));
        if (!earlier) return Unavailable("采样记录冲突, 请重试");
        audit.detail = RejectedDetail(tube.id);
        RETURN_IF_ERROR(auth::AuditLog::Append(s, audit));
        ASSIGN_OR_RETURN(auto names,
                         SamplingStore::SiteAndTableNames(s, earlier->site_id, earlier->table_id));
        return AlreadySampled(*earlier, names);
    }
    Tube after = tube;
    after.count = *count;
    const bool closes = ClosesAt(after.count, after.pool_size);
    if (closes) {
        ASSIGN_OR_RETURN(bool closed, SamplingStore::CloseTube(s, tube.id, now));
        (void)closed;
        after.status = TubeStatus::kClosed;
        after.closed_at = now;
    }
    RETURN_IF_ERROR(SamplingStore::Count(s, {.round_id = tube.round_id,
                                             .site_id = tube.site_id,
                                             .table_id = tube.table_id,
                                             .hour_start = HourStart(taken_at),
                                             .shard = Shard(s),
                                             .samples = 1,
                                             .tubes_closed = closes ? 1 : 0}));
    audit.detail = AcceptedDetail(*sample_id, tube.id);
    RETURN_IF_ERROR(auth::AuditLog::Append(s, audit));
    return Accepted(*sample_id, tube, person, after, taken_at, warning_bits);
}

Status SamplingService::ScansTogether::ApplyTogether(
    db::Session& s, std::span<db::GroupedWrite* const> writes) const {
    std::vector<OpenWrite*> opens;
    std::vector<ScanWrite*> scans;
    scans.reserve(writes.size());
    for (db::GroupedWrite* w : writes) {
        if (auto* scan = dynamic_cast<ScanWrite*>(w)) {
            scans.push_back(scan);
        } else {
            opens.push_back(static_cast<OpenWrite*>(w));
        }
    }
    RETURN_IF_ERROR(service_.ApplyScansTogether(s, opens, scans));
    service_.written_together_ += static_cast<int64_t>(scans.size());
    return Ok();
}

// What ApplyScan does for each scan one after another, decided in memory from two batches of
// reads and written with a multi-row statement per table, in two batches (the second needs the
// new samples' ids). Anything ApplyScan would meet only in a race (a sample or key taken
// meanwhile, a tube changed by another server) fails the group, which is then rolled back and
// run one scan at a time.
Status SamplingService::PlanTogether(db::Session& s, const std::vector<OpenWrite*>& opens,
                                     const std::vector<ScanWrite*>& scans,
                                     std::vector<CounterDelta>* deltas,
                                     std::unordered_map<int64_t, Tube>* current,
                                     std::vector<Sample>* earlier) {
    auto unique = [](auto& v) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
    };
    std::vector<std::string> opening;  // the barcodes of the tubes opened here
    for (const OpenWrite* open : opens) opening.push_back(open->req.barcode);
    unique(opening);
    std::vector<std::string> keys;
    std::vector<std::string> barcodes;
    std::vector<std::string> codes;
    for (const ScanWrite* scan : scans) {
        keys.push_back(scan->w.key);
        if (!std::binary_search(opening.begin(), opening.end(), scan->req.tube_barcode)) {
            barcodes.push_back(scan->req.tube_barcode);
        }
        if (!scan->req.code.empty()) codes.push_back(scan->req.code);
    }
    unique(barcodes);
    unique(codes);
    // Two batches: what the openings and scans name (sites and rounds; keys, tubes, people),
    // then the new tubes' inserts with what the scans lead to (the tubes' rounds, and the
    // people's samples in them). Everything is read whatever a stored key makes unneeded: a
    // retry is rare.
    db::Batch reads;
    OpenReads open_reads;
    ReadForOpens(reads, {opens.begin(), opens.end()}, &open_reads);
    std::vector<StoredRequest> stored;
    RequestStore::FindAll(reads, keys, &stored);
    std::vector<TubeAtSite> tubes;
    SamplingStore::TubesByBarcodes(reads, barcodes, &tubes);
    GroupLookups lookups;
    access_->ByCodes(reads, codes, &lookups.people);
    RETURN_IF_ERROR(reads.Run(s));

    // The openings first: any order of one group commit's writes is one their senders could
    // have seen (db::internal::GatherGroups), and this one lets a scan find a tube opened beside
    // it. Only what opening a tube alone would accept is done here: a refusal, or a barcode or
    // table taken, hands the group back to be run one write at a time, where each gets its own
    // answer.
    std::vector<TubeAtSite> opened;
    for (OpenWrite* open : opens) {
        std::variant<Answer, Tube> planned = PlanOpen(*open, open_reads);
        if (std::holds_alternative<Answer>(planned)) return Unavailable("a tube opening refused");
        const Site& site = open_reads.sites.at(open->req.site_id);  // PlanOpen found it
        opened.push_back({.tube = std::get<Tube>(std::move(planned)),
                          .street_id = site.street_id,
                          .community_id = site.community_id});
    }
    std::vector<Tube> inserts;
    for (const TubeAtSite& t : opened) inserts.push_back(t.tube);
    std::vector<int64_t> opened_ids;
    bool all_opened = true;
    SamplingStore::InsertTubes(reads, inserts, &opened_ids, &all_opened);

    std::vector<int64_t> round_ids;
    for (TubeAtSite& t : tubes) {
        current->emplace(t.tube.id, t.tube);
        round_ids.push_back(t.tube.round_id);
        lookups.tubes.emplace(t.tube.barcode, std::move(t));
    }
    // A new tube is looked up as if read (its id once inserted, below).
    for (const TubeAtSite& t : opened) {
        round_ids.push_back(t.tube.round_id);
        lookups.tubes.emplace(t.tube.barcode, t);
    }
    unique(round_ids);
    std::vector<SamplingStore::SampleProbe> probes;
    for (const ScanWrite* scan : scans) {
        auto tube = lookups.tubes.find(scan->req.tube_barcode);
        if (tube == lookups.tubes.end()) continue;
        int64_t resident_id = scan->req.resident_id;
        if (!scan->req.code.empty()) {
            auto person = lookups.people.find(scan->req.code);
            resident_id = person == lookups.people.end() ? 0 : person->second.id;
        }
        if (resident_id != 0) probes.push_back({tube->second.tube.round_id, resident_id});
    }
    std::sort(probes.begin(), probes.end(), [](const auto& a, const auto& b) {
        return std::tie(a.round_id, a.resident_id) < std::tie(b.round_id, b.resident_id);
    });
    probes.erase(std::unique(probes.begin(), probes.end(),
                             [](const auto& a, const auto& b) {
                                 return a.round_id == b.round_id && a.resident_id == b.resident_id;
                             }),
                 probes.end());
    RoundStore::ByIds(reads, round_ids, &lookups.rounds);
    SamplingStore::SamplesAt(reads, probes, earlier);
    RETURN_IF_ERROR(reads.Run(s));
    if (!all_opened) return Unavailable("a tube barcode or table taken");
    for (size_t i = 0; i < opened.size(); ++i) {
        Tube& tube = opened[i].tube;
        tube.id = opened_ids[i];
        lookups.tubes.at(tube.barcode).tube.id = tube.id;
        current->emplace(tube.id, tube);
        OpenWrite* open = opens[i];
        open->answer = Answer{201, json::serialize(TubeJson(tube))};
        const int64_t hour = HourStart(open->now);
        auto delta = std::find_if(deltas->begin(), deltas->end(), [&](const CounterDelta& d) {
            return d.round_id == tube.round_id && d.table_id == tube.table_id &&
                   d.hour_start == hour;
        });
        if (delta == deltas->end()) {
            deltas->push_back({.round_id = tube.round_id,
                               .site_id = tube.site_id,
                               .table_id = tube.table_id,
                               .hour_start = hour,
                               .shard = Shard(s)});
            delta = deltas->end() - 1;
        }
        delta->tubes_opened += 1;
    }

    std::unordered_map<std::string, StoredRequest> stored_by_key;
    for (StoredRequest& r : stored) stored_by_key.emplace(r.key, std::move(r));
    for (ScanWrite* scan : scans) {
        if (auto it = stored_by_key.find(scan->w.key); it != stored_by_key.end()) {
            scan->early = Idempotency::Replay(it->second, scan->w);
            scan->replayed = true;
            continue;
        }
        ASSIGN_OR_RETURN(scan->early, PlanScan(s, lookups, scan->who, scan->req, scan->now,
                                               scan->taken_at, &scan->plan));
    }
    return Ok();
}

Status SamplingService::ApplyScansTogether(db::Session& s, const std::vector<OpenWrite*>& opens,
                                           const std::vector<ScanWrite*>& scans) {
    for (OpenWrite* open : opens) {
        open->answer.reset();
        open->replayed = false;
    }
    for (ScanWrite* scan : scans) {
        scan->answer.reset();
        scan->replayed = false;
        scan->early.reset();
    }
    std::vector<CounterDelta> deltas;
    std::unordered_map<int64_t, Tube> current;
    std::vector<Sample> earlier;
    RETURN_IF_ERROR(PlanTogether(s, opens, scans, &deltas, &current, &earlier));
    std::vector<Idempotency::Pending*> pending(opens.begin(), opens.end());
    pending.insert(pending.end(), scans.begin(), scans.end());
    if (scans.empty()) {
        db::Batch writes;
        SamplingStore::CountAll(writes, deltas);
        bool answers_stored = true;
        RETURN_IF_ERROR(Idempotency::StoreTogether(writes, clock_, pending, &answers_stored));
        RETURN_IF_ERROR(writes.Run(s));
        if (!answers_stored) return Unavailable("a key stored meanwhile");
        return Ok();
    }
    std::vector<int64_t> tube_ids;
    for (ScanWrite* scan : scans) {
        if (scan->early) continue;
        const int64_t tube_id = scan->plan.tube.tube.id;
        if (std::find(tube_ids.begin(), tube_ids.end(), tube_id) == tube_ids.end()) {
            tube_ids.push_back(tube_id);
        }
    }
    // The tubes as PlanTogether read them in this transaction.
    std::vector<Tube> tubes;
    for (int64_t id : tube_ids) {
        if (auto it = current.find(id); it != current.end()) tubes.push_back(it->second);
    }
    if (tubes.size() != tube_ids.size()) return Unavailable("a tube vanished");
    const std::vector<Tube> tubes_before = tubes;
    auto tube_of = [&](int64_t id) -> Tube& {
        return *std::find_if(tubes.begin(), tubes.end(), [&](const Tube& t) { return t.id == id; });
    };
    // Who in these rounds was sampled already.
    std::map<std::pair<int64_t, int64_t>, Sample> sampled;
    for (Sample& x : earlier) sampled[{x.round_id, x.resident_id}] = std::move(x);

    // Each scan in queue order, as ApplyScan would decide it.
    std::map<std::pair<int64_t, int64_t>, std::pair<std::string, std::string>> names;
    std::vector<Sample> samples;
    std::vector<size_t> sample_of(scans.size(), SIZE_MAX);
    std::vector<Tube> after(scans.size());
    std::vector<uint32_t> warning_bits(scans.size(), 0);
    std::vector<bool> sampled_before(scans.size(), false);
    const int64_t shard = Shard(s);
    for (size_t i = 0; i < scans.size(); ++i) {
        ScanWrite& scan = *scans[i];
        if (scan.early) {
            scan.answer = *scan.early;
            continue;
        }
        const ScanPlan& plan = scan.plan;
        Tube& tube = tube_of(plan.tube.tube.id);
        const TubeFill fill = FillTube(tube);
        if (fill == TubeFill::kFull || fill == TubeFill::kClosed) {
            scan.answer = TubeRefused(tube);
            continue;
        }
        const std::pair<int64_t, int64_t> who_in_round{plan.round.id, plan.subject.id};
        if (auto earlier = sampled.find(who_in_round); earlier != sampled.end()) {
            const Sample& x = earlier->second;
            auto named = names.find({x.site_id, x.table_id});
            if (named == names.end()) {
                ASSIGN_OR_RETURN(auto pair,
                                 SamplingStore::SiteAndTableNames(s, x.site_id, x.table_id));
                named = names.emplace(std::make_pair(x.site_id, x.table_id), pair).first;
            }
            scan.answer = AlreadySampled(x, named->second);
            sampled_before[i] = true;
            continue;
        }
        ++tube.count;
        const bool closes = ClosesAt(tube.count, tube.pool_size);
        if (closes) {
            tube.status = TubeStatus::kClosed;
            tube.closed_at = scan.now;
        }
        after[i] = tube;
        warning_bits[i] = ScanWarnings(plan, scan.taken_at);
        Sample sample{.round_id = tube.round_id,
                      .resident_id = plan.subject.id,
                      .tube_id = tube.id,
                      .site_id = tube.site_id,
                      .table_id = tube.table_id,
                      .scanned_at = scan.taken_at,
                      .received_at = scan.now,
                      .scanned_by = scan.who.user_id,
                      .warnings = warning_bits[i]};
        sampled[who_in_round] = sample;
        sample_of[i] = samples.size();
        samples.push_back(sample);
        const int64_t hour = HourStart(scan.taken_at);
        auto delta = std::find_if(deltas.begin(), deltas.end(), [&](const CounterDelta& d) {
            return d.round_id == tube.round_id && d.table_id == tube.table_id &&
                   d.hour_start == hour;
        });
        if (delta == deltas.end()) {
            deltas.push_back({.round_id = tube.round_id,
                              .site_id = tube.site_id,
                              .table_id = tube.table_id,
                              .hour_start = hour,
                              .shard = shard});
            delta = deltas.end() - 1;
        }
        delta->samples += 1;
        delta->tubes_closed += closes ? 1 : 0;
    }

    // The writes: samples (their ids go into the answers and audit rows), tubes, counters;
    // then audit rows in queue order and answers under their keys.
    db::Batch writes;
    std::vector<int64_t> ids;
    bool samples_in = true;
    SamplingStore::InsertSamples(writes, samples, &ids, &samples_in);
    std::vector<SamplingStore::TubeFilled> filled;
    for (size_t t = 0; t < tubes.size(); ++t) {
        if (tubes[t].count == tubes_before[t].count) continue;
        filled.push_back(
            {.tube_id = tubes[t].id,
             .was = tubes_before[t].count,
             .count = tubes[t].count,
             .closed_at = tubes[t].status == TubeStatus::kClosed ? tubes[t].closed_at : 0});
    }
    bool tubes_filled = true;
    SamplingStore::FillTubes(writes, filled, &tubes_filled);
    SamplingStore::CountAll(writes, deltas);
    RETURN_IF_ERROR(writes.Run(s));
    if (!samples_in) return Unavailable("a sample taken meanwhile");
    if (!tubes_filled) return Unavailable("a tube changed meanwhile");

    std::vector<auth::AuditEntry> audits;
    for (size_t i = 0; i < scans.size(); ++i) {
        ScanWrite& scan = *scans[i];
        if (scan.early) continue;
        const Tube& tube = scan.plan.tube.tube;
        if (sample_of[i] != SIZE_MAX) {
            const int64_t id = ids[sample_of[i]];
            auth::AuditEntry audit = ScanAudit(scan.who, scan.plan.subject.id, scan.now);
            audit.detail = AcceptedDetail(id, tube.id);
            audits.push_back(std::move(audit));
            scan.answer =
                Accepted(id, after[i], scan.plan.subject, after[i], scan.taken_at, warning_bits[i]);
        } else if (sampled_before[i]) {
            // The scanner learnt that this person was sampled: audited with the rejection.
            auth::AuditEntry audit = ScanAudit(scan.who, scan.plan.subject.id, scan.now);
            audit.detail = RejectedDetail(tube.id);
            audits.push_back(std::move(audit));
        }
    }
    RETURN_IF_ERROR(auth::AuditLog::AppendAll(s, writes, audits));
    bool answers_stored = true;
    RETURN_IF_ERROR(Idempotency::StoreTogether(writes, clock_, pending, &answers_stored));
    RETURN_IF_ERROR(writes.Run(s));
    if (!answers_stored) return Unavailable("a key stored meanwhile");
    return Ok();
}

Result<Answer> SamplingService::CloseTube(const auth::Principal& who, const CloseTubeRequest& req) {
    const WriteKey w{req.key, who.user_id, "close_tube",
                     RequestHash(Canonical({N(req.tube_id), req.tube_barcode}))};
    const int64_t now = clock_.NowMillis();
    std::optional<StoredRequest> stored;
    std::optional<TubeAtSite> tube;
    RETURN_IF_ERROR(db_.Read([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(stored, RequestStore::Find(s, req.key));
        if (stored) return Ok();
        if (req.tube_id != 0) {
            ASSIGN_OR_RETURN(tube, SamplingStore::TubeById(s, req.tube_id));
        } else {
            ASSIGN_OR_RETURN(tube, SamplingStore::TubeByBarcode(s, req.tube_barcode));
        }
        return Ok();
    }));
    if (stored) return Idempotency::Replay(*stored, w);
    if (!tube || !who.CanAt(kScan, tube->placement())) {
        return Idempotency::Record(db_, clock_, w,
                                   Missing("试管未找到", req.tube_id != 0 ? "id" : "tube_barcode"));
    }
    const int64_t id = tube->tube.id;
    return Idempotency::Apply(db_, clock_, w, [&](db::Session& s) -> Result<Answer> {
        ASSIGN_OR_RETURN(bool closed, SamplingStore::CloseTube(s, id, now));
        if (closed) {
            RETURN_IF_ERROR(SamplingStore::Count(s, {.round_id = tube->tube.round_id,
                                                     .site_id = tube->tube.site_id,
                                                     .table_id = tube->tube.table_id,
                                                     .hour_start = HourStart(now),
                                                     .shard = Shard(s),
                                                     .tubes_closed = 1}));
        }
        ASSIGN_OR_RETURN(auto after, SamplingStore::TubeById(s, id));
        if (!after) return Internal("tubes: a tube vanished");
        return Answer{200, json::serialize(TubeJson(after->tube))};
    });
}

Result<TubeDetail> SamplingService::GetTube(const auth::Principal& who, int64_t tube_id) {
    ASSIGN_OR_RETURN(TubeDetail detail, db_.ReadValue([&](db::Session& s) -> Result<TubeDetail> {
        ASSIGN_OR_RETURN(auto tube, SamplingStore::TubeById(s, tube_id));
        if (!tube || !who.CanAt(kScan, tube->placement())) return NotFound("未找到");
        TubeDetail detail{.tube = tube->tube};
        ASSIGN_OR_RETURN(auto samples, SamplingStore::SamplesInTube(s, tube_id));
        for (const Sample& x : samples) {
            ASSIGN_OR_RETURN(auto person, access_->ById(s, x.resident_id));
            detail.members.push_back(
                TubeMember{.sample_id = x.id,
                           .name_masked = person ? auth::MaskName(person->name) : "",
                           .scanned_at = x.scanned_at,
                           .resident_id = x.resident_id});
        }
        return detail;
    }));
    // Masked names of the tube's members: one audit row naming the tube and its people.
    auth::AuditEntry e = auth::AuditLog::For(who, "sampling.tube_read");
    e.subject_kind = "tube";
    e.subject_id = tube_id;
    e.detail = "{\"residents\":[";
    for (size_t i = 0; i < detail.members.size(); ++i) {
        e.detail += (i ? "," : "") + std::to_string(detail.members[i].resident_id);
    }
    e.detail += "]}";
    e.at = clock_.NowMillis();
    RETURN_IF_ERROR(db_.Write([&](db::Session& s) { return auth::AuditLog::Append(s, e); }));
    return detail;
}

Result<Tube> SamplingService::OpenTubeAt(const auth::Principal& who, int64_t table_id) {
    return db_.ReadValue([&](db::Session& s) -> Result<Tube> {
        ASSIGN_OR_RETURN(auto open, SamplingStore::OpenTubeAt(s, table_id));
        if (!open) return NotFound("本采样台没有未封管的试管");
        ASSIGN_OR_RETURN(auto tube, SamplingStore::TubeById(s, open->id));
        if (!tube || !who.CanAt(kScan, tube->placement())) {
            return NotFound("本采样台没有未封管的试管");
        }
        return tube->tube;
    });
}

}  // namespace bulwark::testing
