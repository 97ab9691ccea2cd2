#include "testing/results/results_service.hpp"

#include <algorithm>
#include <map>

#include <boost/json.hpp>

#include "auth/audit_log.hpp"

namespace bulwark::testing::results {
namespace {

namespace json = boost::json;

constexpr const char* kWrite = "results.write";
constexpr const char* kReview = "results.review";
// A lab's clock may run a little ahead; more than this is a wrong time.
constexpr int64_t kFutureSlackMs = 10LL * 60 * 1000;

const char* FieldLabel(const std::string& field) {
    if (field == "tube_barcode") return "试管条码";
    if (field == "result") return "检测结果";
    if (field == "reported_at") return "检测时间";
    if (field == "ct") return "Ct 值";
    return "行";
}

// Whether `who` holds `permission` over a street or community (not only over labs).
bool HasPlaceGrant(const auth::Principal& who, const char* permission) {
    for (const auth::Scope& s : who.ScopesFor(permission)) {
        if (s.kind == auth::ScopeKind::kStreet || s.kind == auth::ScopeKind::kCommunity) {
            return true;
        }
    }
    return false;
}

Status Audit(db::Session& s, const auth::Principal& who, const char* action, int64_t tube_id,
             const json::object& detail, int64_t now) {
    auth::AuditEntry e = auth::AuditLog::For(who, action);
    e.subject_kind = "tube";
    e.subject_id = tube_id;
    e.detail = json::serialize(detail);
    e.at = now;
    return auth::AuditLog::Append(s, e);
}

// The lab a load is for: `lab_id`, the caller's only lab, or 0 (each tube's own lab) for
// callers placed over streets or communities.
Result<int64_t> LabFor(db::Session& s, const auth::Principal& who, int64_t lab_id) {
    const Error missing(ErrorCode::kNotFound, "实验室未找到", "lab_id");
    if (lab_id == 0) {
        if (HasPlaceGrant(who, kWrite)) return int64_t{0};
        std::vector<int64_t> labs;
        for (const auth::Scope& scope : who.ScopesFor(kWrite)) {
            if (scope.kind == auth::ScopeKind::kLab) labs.push_back(scope.id);
        }
        if (labs.size() != 1) return InvalidArgument("请指定实验室 lab_id", "lab_id");
        return labs.front();
    }
    ASSIGN_OR_RETURN(auto name, TubeQueryStore::LabName(s, lab_id));
    if (!name) return missing;
    if (!HasPlaceGrant(who, kWrite) && !who.CanAt(kWrite, {.lab_id = lab_id})) return missing;
    return lab_id;
}

}  // namespace

std::string RowErrorText(const EntryError& e) {
    return "第 " + std::to_string(e.row) + " 行 " + FieldLabel(e.field) + ": " + e.message;
}

struct ResultsService::Planned {
    enum class Kind { kNew, kSame, kConflict, kConflictKnown };
    Kind kind = Kind::kNew;
    TubeForResult tube;
    ResultEntry entry;
    std::optional<StoredResult> existing;
};

ResultsService::ResultsService(db::Database& db, Clock& clock, RoundService& rounds)
    : db_(db), clock_(clock), procedure_(rounds) {}

Result<LoadOutcome> ResultsService::Plan(db::Session& s, const auth::Principal& who, int64_t lab_id,
                                         const std::vector<ResultEntry>& entries,
                                         std::vector<Planned>* out) {
    ASSIGN_OR_RETURN(int64_t lab, LabFor(s, who, lab_id));
    const int64_t now = clock_.NowMillis();
    LoadOutcome outcome;
    // barcode -> (index of its first entry, result)
    std::map<std::string, std::pair<size_t, Outcome>> seen;
    for (size_t i = 0; i < entries.size(); ++i) {
        const ResultEntry& e = entries[i];
        auto fail = [&](const char* field, std::string message) {
            outcome.errors.push_back({.row = e.row,
                                      .index = static_cast<int>(i),
                                      .field = field,
                                      .message = std::move(message)});
        };
        if (!ValidateBarcode(e.tube_barcode, "tube_barcode").ok()) {
            fail("tube_barcode",
                 e.tube_barcode.empty() ? "缺少试管条码" : "条码格式不对: " + e.tube_barcode);
            continue;
        }
        if (e.reported_at <= 0) {
            fail("reported_at", "缺少检测时间");
            continue;
        }
        if (e.reported_at > now + kFutureSlackMs) {
            fail("reported_at", "检测时间晚于当前时间");
            continue;
        }
        if (auto it = seen.find(e.tube_barcode); it != seen.end()) {
            if (it->second.second != e.result) {
                const ResultEntry& first = entries[it->second.first];
                fail("result", first.row > 0
                                   ? "试管 " + e.tube_barcode + " 与第 " +
                                         std::to_string(first.row) + " 行的结果不同"
                                   : "试管 " + e.tube_barcode + " 与第 " +
                                         std::to_string(it->second.first + 1) + " 条的结果不同");
            }
            continue;  // the same result twice is one result
        }
        seen.emplace(e.tube_barcode, std::pair{i, e.result});
        ASSIGN_OR_RETURN(auto tube, TubeQueryStore::TubeByBarcode(s, e.tube_barcode));
        if (!tube || !who.CanAt(kWrite, tube->placement())) {
            // Never the barcode: out of scope and missing must answer alike.
            fail("tube_barcode", "未知试管条码");
            continue;
        }
        if (tube->lab_id == 0) {
            fail("tube_barcode", "试管 " + e.tube_barcode + " 尚未交接给实验室");
            continue;
        }
        if (lab != 0 && tube->lab_id != lab) {
            fail("tube_barcode", "试管 " + e.tube_barcode + " 未送往该实验室");
            continue;
        }
        Planned p{.tube = *tube, .entry = e};
        ASSIGN_OR_RETURN(p.existing, ResultsStore::ResultOf(s, tube->id));
        if (!p.existing) {
            p.kind = Planned::Kind::kNew;
            ++outcome.summary.created;
        } else if (p.existing->result == e.result) {
            p.kind = Planned::Kind::kSame;
            ++outcome.summary.unchanged;
        } else {
            ASSIGN_OR_RETURN(auto known, ResultsStore::OpenConflictFor(s, tube->id, e.result));
            p.kind = known ? Planned::Kind::kConflictKnown : Planned::Kind::kConflict;
            ++outcome.summary.conflicts;
            outcome.summary.held.push_back({e.tube_barcode, p.existing->result, e.result});
        }
        if (out) out->push_back(std::move(p));
    }
    return outcome;
}

Status ResultsService::Write(db::Session& s, const auth::Principal& who, const Planned& p,
                             const std::string& source, int64_t now) {
    const TubeForResult& tube = p.tube;
    json::object detail{{"tube", tube.barcode},
                        {"result", OutcomeName(p.entry.result)},
                        {"reported_at", p.entry.reported_at},
                        {"lab_id", tube.lab_id},
                        {"source", source}};
    switch (p.kind) {
        case Planned::Kind::kSame:
        case Planned::Kind::kConflictKnown:
            return Ok();
        case Planned::Kind::kConflict: {
            Conflict c{.tube_id = tube.id,
                       .tube_barcode = tube.barcode,
                       .round_id = tube.round_id,
                       .street_id = tube.street_id,
                       .community_id = tube.community_id,
                       .lab_id = tube.lab_id,
                       .recorded = p.existing->result,
                       .recorded_reported_at = p.existing->reported_at,
                       .recorded_ct = p.existing->ct,
                       .incoming = p.entry.result,
                       .incoming_reported_at = p.entry.reported_at,
                       .incoming_ct = p.entry.ct,
                       .created_at = now};
            ASSIGN_OR_RETURN(int64_t id, ResultsStore::InsertConflict(s, c, who.user_id));
            detail["conflict_id"] = id;
            detail["recorded"] = OutcomeName(p.existing->result);
            return Audit(s, who, "result.conflict", tube.id, detail, now);
        }
        case Planned::Kind::kNew:
            break;
    }
    ASSIGN_OR_RETURN(std::vector<TubeSwab> members, TubeQueryStore::Members(s, tube.id));
    int64_t sampled_at = tube.closed_at;
    for (const TubeSwab& m : members) {
        if (sampled_at == 0 || m.sampled_at < sampled_at) sampled_at = m.sampled_at;
    }
    StoredResult r{.tube_id = tube.id,
                   .tube_barcode = tube.barcode,
                   .round_id = tube.round_id,
                   .street_id = tube.street_id,
                   .community_id = tube.community_id,
                   .lab_id = tube.lab_id,
                   .pool_size = tube.pool_size,
                   .result = p.entry.result,
                   .ct = p.entry.ct,
                   .sampled_at = sampled_at,
                   .reported_at = p.entry.reported_at,
                   .recorded_at = now,
                   .recorded_by = who.user_id,
                   .source = source};
    ASSIGN_OR_RETURN(bool inserted, ResultsStore::InsertResult(s, r));
    if (!inserted)
        return FailedPrecondition("试管 " + tube.barcode + " 的结果已被同时写入, 请重试");
    detail["members"] = static_cast<int64_t>(members.size());
    RETURN_IF_ERROR(Audit(s, who, "result.record", tube.id, detail, now));
    return procedure_.AfterResult(s, who, tube, r, now);
}

Result<LoadOutcome> ResultsService::Check(const auth::Principal& who, int64_t lab_id,
                                          const std::vector<ResultEntry>& entries) {
    return db_.ReadValue([&](db::Session& s) { return CheckIn(s, who, lab_id, entries); });
}

Result<LoadOutcome> ResultsService::CheckIn(db::Session& s, const auth::Principal& who,
                                            int64_t lab_id,
                                            const std::vector<ResultEntry>& entries) {
    return Plan(s, who, lab_id, entries, nullptr);
}

Result<LoadOutcome> ResultsService::Load(const auth::Principal& who, int64_t lab_id,
                                         const std::vector<ResultEntry>& entries,
                                         const std::string& source) {
    return db_.WriteValue([&](db::Session& s) { return LoadIn(s, who, lab_id, entries, source); });
}

Result<LoadOutcome> ResultsService::LoadIn(db::Session& s, const auth::Principal& who,
                                           int64_t lab_id, const std::vector<ResultEntry>& entries,
                                           const std::string& source) {
    std::vector<Planned> planned;
    ASSIGN_OR_RETURN(LoadOutcome outcome, Plan(s, who, lab_id, entries, &planned));
    if (!outcome.errors.empty()) return outcome;  // nothing written
    const int64_t now = clock_.NowMillis();
    for (const Planned& p : planned) RETURN_IF_ERROR(Write(s, who, p, source, now));
    return outcome;
}

Result<Page<Conflict>> ResultsService::Conflicts(const auth::Principal& who, bool open, int page,
                                                 int page_size) {
    PlaceFilter f;
    for (const auth::Scope& scope : who.ScopesFor(kReview)) {
        if (scope.kind == auth::ScopeKind::kStreet) f.streets.push_back(scope.id);
        if (scope.kind == auth::ScopeKind::kCommunity) f.communities.push_back(scope.id);
    }
    return db_.ReadValue([&](db::Session& s) -> Result<Page<Conflict>> {
        Page<Conflict> out;
        ASSIGN_OR_RETURN(out.total, ResultsStore::CountConflicts(s, f, open));
        ASSIGN_OR_RETURN(
            out.items, ResultsStore::ListConflicts(s, f, open, page_size, (page - 1) * page_size));
        return out;
    });
}

std::string ResultsService::LabName(int64_t lab_id) {
    auto name = db_.ReadValue([&](db::Session& s) { return TubeQueryStore::LabName(s, lab_id); });
    return name.ok() && *name ? **name : "";
}

Result<Conflict> ResultsService::Resolve(const auth::Principal& who, int64_t conflict_id,
                                         const std::string& decision, const std::string& note) {
    if (decision != "keep" && decision != "replace") {
        return InvalidArgument("decision 应为 keep 或 replace", "decision");
    }
    if (note.size() > 1000) return InvalidArgument("备注过长", "note");
    return db_.WriteValue([&](db::Session& s) -> Result<Conflict> {
        const int64_t now = clock_.NowMillis();
        ASSIGN_OR_RETURN(auto c, ResultsStore::GetConflict(s, conflict_id));
        if (!c ||
            !who.CanAt(kReview, {.street_id = c->street_id, .community_id = c->community_id})) {
            return NotFound("未找到");
        }
        if (!c->open) return FailedPrecondition("该冲突已处理", "decision");
        const std::string by = who.display_name.empty() ? who.username : who.display_name;
        ASSIGN_OR_RETURN(bool resolved,
                         ResultsStore::ResolveConflict(s, conflict_id, decision, by, note, now));
        if (!resolved) return FailedPrecondition("该冲突已处理", "decision");
        json::object detail{{"conflict_id", conflict_id},
                            {"tube", c->tube_barcode},
                            {"decision", decision},
                            {"recorded", OutcomeName(c->recorded)},
                            {"incoming", OutcomeName(c->incoming)},
                            {"note", note}};
        RETURN_IF_ERROR(Audit(s, who, "result.conflict_resolve", c->tube_id, detail, now));
        if (decision == "replace") {
            ASSIGN_OR_RETURN(auto stored, ResultsStore::ResultOf(s, c->tube_id));
            ASSIGN_OR_RETURN(auto tube, TubeQueryStore::TubeById(s, c->tube_id));
            if (!stored || !tube) return Internal("test_results: the conflict's tube vanished");
            StoredResult r = *stored;
            r.result = c->incoming;
            r.ct = c->incoming_ct;
            r.reported_at = c->incoming_reported_at;
            r.lab_id = c->lab_id;
            r.recorded_at = now;
            r.recorded_by = who.user_id;
            r.source = "conflict:" + std::to_string(conflict_id);
            RETURN_IF_ERROR(ResultsStore::ReplaceResult(s, r));
            RETURN_IF_ERROR(procedure_.AfterResult(s, who, *tube, r, now));
        }
        ASSIGN_OR_RETURN(auto after, ResultsStore::GetConflict(s, conflict_id));
        if (!after) return Internal("result_conflicts: resolved row vanished");
        return *after;
    });
}

}  // namespace bulwark::testing::results
