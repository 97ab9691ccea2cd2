// The read side of ResultsService: a tube's or a resident's results, invalid tubes, pools,
// alerts and the lab's overview.
#include <algorithm>
#include <map>

#include <boost/json.hpp>

#include "auth/audit_log.hpp"
#include "auth/personal_data.hpp"
#include "registry/results_access.hpp"
#include "registry/sampling_access_store.hpp"
#include "testing/model.hpp"
#include "testing/results/results_service.hpp"

namespace bulwark::testing::results {
namespace {

namespace json = boost::json;

constexpr const char* kRead = "results.read";
constexpr const char* kPools = "pools.read";
constexpr const char* kAlerts = "alerts.read";
constexpr const char* kOverview = "lab.overview";
constexpr int64_t kDayMs = 24LL * 3600 * 1000;

Error Missing() { return NotFound("未找到"); }

PlaceFilter FilterFor(const auth::Principal& who, const char* permission, int64_t community_id) {
    PlaceFilter f;
    f.community_id = community_id;
    for (const auth::Scope& scope : who.ScopesFor(permission)) {
        if (scope.kind == auth::ScopeKind::kStreet) f.streets.push_back(scope.id);
        if (scope.kind == auth::ScopeKind::kCommunity) f.communities.push_back(scope.id);
    }
    return f;
}

MemberView ViewOf(const registry::SamplingSubject& s) {
    return {.resident_id = s.id,
            .name = auth::MaskName(s.name),
            .building = s.building,
            .room = s.room};
}

// The audit row of an answer that shows people: one per read, naming the subject.
Status AuditRead(db::Session& s, const auth::Principal& who, const char* action,
                 const char* subject_kind, int64_t subject_id, const std::string& detail,
                 int64_t now) {
    auth::AuditEntry e = auth::AuditLog::For(who, action);
    e.subject_kind = subject_kind;
    e.subject_id = subject_id;
    e.detail = detail;
    e.at = now;
    return auth::AuditLog::Append(s, e);
}

}  // namespace

Result<std::vector<ResidentResult>> ResultsService::ResultsOf(
    db::Session& s, const registry::SamplingSubject& who) {
    ASSIGN_OR_RETURN(auto samples, TubeQueryStore::SamplesOf(s, who.id, who.community_id, 60));
    // The resident's pooled-positive marks by the pooled tube.
    std::map<int64_t, MemberStatus> marks;
    ASSIGN_OR_RETURN(auto pools, ResultsStore::MarksOf(s, who.id));
    for (const auto& [pool_id, status] : pools) {
        ASSIGN_OR_RETURN(auto pool, ResultsStore::GetPool(s, pool_id));
        if (pool) marks.emplace(pool->tube_id, status);
    }
    std::vector<ResidentResult> out;
    for (const ResidentSample& sample : samples) {
        ResidentResult r{.round_id = sample.round_id,
                         .round_name = sample.round_name,
                         .tube_barcode = sample.tube_barcode,
                         .pool_size = sample.pool_size,
                         .sampled_at = sample.sampled_at};
        ASSIGN_OR_RETURN(auto stored, ResultsStore::ResultOf(s, sample.tube_id));
        if (stored) {
            r.result = stored->result;
            r.reported_at = stored->reported_at;
            r.turnaround_minutes = TurnaroundMinutes(sample.sampled_at, stored->reported_at);
        }
        if (auto it = marks.find(sample.tube_id); it != marks.end()) r.status = it->second;
        out.push_back(std::move(r));
    }
    return out;
}

Result<TubeResultView> ResultsService::TubeResult(const auth::Principal& who,
                                                  const std::string& barcode) {
    return db_.WriteValue([&](db::Session& s) -> Result<TubeResultView> {
        ASSIGN_OR_RETURN(auto tube, TubeQueryStore::TubeByBarcode(s, barcode));
        if (!tube ||
            !who.CanAt(kRead, {.street_id = tube->street_id, .community_id = tube->community_id})) {
            return Missing();
        }
        ASSIGN_OR_RETURN(auto stored, ResultsStore::ResultOf(s, tube->id));
        if (!stored) return Missing();
        TubeResultView view{.result = *stored};
        ASSIGN_OR_RETURN(auto lab, TubeQueryStore::LabName(s, stored->lab_id));
        view.lab_name = lab.value_or("");
        ASSIGN_OR_RETURN(auto members, TubeQueryStore::Members(s, tube->id));
        std::vector<int64_t> ids;
        for (const TubeSwab& m : members) ids.push_back(m.resident_id);
        ASSIGN_OR_RETURN(auto people, registry::ResultsAccess::Subjects(s, ids));
        for (const auto& p : people) view.members.push_back(ViewOf(p));
        RETURN_IF_ERROR(AuditRead(s, who, "result.read", "tube", tube->id,
                                  "{\"members\":" + std::to_string(people.size()) + "}",
                                  clock_.NowMillis()));
        return view;
    });
}

Result<std::vector<ResidentResult>> ResultsService::ResidentResults(const auth::Principal& who,
                                                                    int64_t resident_id) {
    return db_.WriteValue([&](db::Session& s) -> Result<std::vector<ResidentResult>> {
        ASSIGN_OR_RETURN(auto subject, registry::SamplingAccessStore::ById(s, resident_id));
        if (!subject || !who.CanAt(kRead, {.street_id = subject->street_id,
                                           .community_id = subject->community_id,
                                           .grid_id = subject->grid_id})) {
            return Missing();
        }
        ASSIGN_OR_RETURN(auto results, ResultsOf(s, *subject));
        RETURN_IF_ERROR(
            AuditRead(s, who, "resident.results", "resident", resident_id, "", clock_.NowMillis()));
        return results;
    });
}

Result<Page<InvalidMember>> ResultsService::InvalidMembers(const auth::Principal& who,
                                                           int64_t round_id) {
    return db_.WriteValue([&](db::Session& s) -> Result<Page<InvalidMember>> {
        ASSIGN_OR_RETURN(auto round, TubeQueryStore::Round(s, round_id));
        if (!round || !who.CanAt(kRead, {.street_id = round->street_id,
                                         .community_id = round->community_id})) {
            return Missing();
        }
        Page<InvalidMember> out;
        ASSIGN_OR_RETURN(auto invalid,
                         ResultsStore::ResultsOfRound(s, round_id, Outcome::kInvalid));
        for (const StoredResult& r : invalid) {
            ASSIGN_OR_RETURN(auto members, TubeQueryStore::Members(s, r.tube_id));
            for (const TubeSwab& m : members) {
                ASSIGN_OR_RETURN(auto people,
                                 registry::ResultsAccess::Subjects(s, {m.resident_id}));
                if (people.empty()) continue;
                ASSIGN_OR_RETURN(auto later, TubeQueryStore::SamplesOf(
                                                 s, m.resident_id, people.front().community_id, 5));
                const bool resampled =
                    std::any_of(later.begin(), later.end(), [&](const ResidentSample& x) {
                        return x.tube_id != r.tube_id && x.sampled_at > m.sampled_at;
                    });
                out.items.push_back({.tube_barcode = r.tube_barcode,
                                     .member = ViewOf(people.front()),
                                     .resampled = resampled});
            }
        }
        out.total = static_cast<int64_t>(out.items.size());
        RETURN_IF_ERROR(AuditRead(s, who, "result.invalid_list", "round", round_id,
                                  "{\"members\":" + std::to_string(out.total) + "}",
                                  clock_.NowMillis()));
        return out;
    });
}

Result<Page<Pool>> ResultsService::Pools(const auth::Principal& who, std::optional<bool> open,
                                         int64_t community_id, int page, int page_size) {
    const PlaceFilter f = FilterFor(who, kPools, community_id);
    return db_.ReadValue([&](db::Session& s) -> Result<Page<Pool>> {
        Page<Pool> out;
        ASSIGN_OR_RETURN(out.total, ResultsStore::CountPools(s, f, open));
        ASSIGN_OR_RETURN(out.items,
                         ResultsStore::ListPools(s, f, open, page_size, (page - 1) * page_size));
        return out;
    });
}

Result<PoolDetail> ResultsService::PoolById(const auth::Principal& who, int64_t id) {
    return db_.WriteValue([&](db::Session& s) -> Result<PoolDetail> {
        ASSIGN_OR_RETURN(auto pool, ResultsStore::GetPool(s, id));
        if (!pool || !who.CanAt(kPools, {.street_id = pool->street_id,
                                         .community_id = pool->community_id})) {
            return Missing();
        }
        PoolDetail detail{.pool = *pool};
        ASSIGN_OR_RETURN(auto members, ResultsStore::Members(s, id));
        for (const PoolMember& m : members) {
            ASSIGN_OR_RETURN(auto people, registry::ResultsAccess::Subjects(s, {m.resident_id}));
            MemberView view{.resident_id = m.resident_id};
            if (!people.empty()) view = ViewOf(people.front());
            detail.members.emplace_back(std::move(view), m);
        }
        ASSIGN_OR_RETURN(detail.events, ResultsStore::Events(s, id));
        RETURN_IF_ERROR(AuditRead(s, who, "pool.read", "pool", id,
                                  "{\"members\":" + std::to_string(members.size()) + "}",
                                  clock_.NowMillis()));
        return detail;
    });
}

Result<std::vector<Alert>> ResultsService::Alerts(const auth::Principal& who,
                                                  int64_t community_id) {
    const PlaceFilter f = FilterFor(who, kAlerts, community_id);
    const int64_t now = clock_.NowMillis();
    return db_.ReadValue([&](db::Session& s) -> Result<std::vector<Alert>> {
        std::vector<Alert> out;
        ASSIGN_OR_RETURN(auto pools, ResultsStore::ListPools(s, f, true, 100, 0));
        for (const Pool& p : pools) {
            out.push_back({.kind = "pooled_positive",
                           .id = p.id,
                           .community_id = p.community_id,
                           .title = "混管 " + p.tube_barcode +
                                    " 阳性: " + std::to_string(p.pending) + " 人待单采复核",
                           .at = p.opened_at,
                           .link = "/pools/" + std::to_string(p.id)});
        }
        ASSIGN_OR_RETURN(auto conflicts, ResultsStore::ListConflicts(s, f, true, 100, 0));
        for (const Conflict& c : conflicts) {
            out.push_back({.kind = "result_conflict",
                           .id = c.id,
                           .community_id = c.community_id,
                           .title = "试管 " + c.tube_barcode + " 结果冲突: 已记录" +
                                    std::string(OutcomeLabel(c.recorded)) + ", 新报" +
                                    std::string(OutcomeLabel(c.incoming)),
                           .at = c.created_at,
                           .link = "/results/conflicts"});
        }
        ASSIGN_OR_RETURN(auto cases, ResultsStore::CasesSince(s, f, now - 7 * kDayMs));
        for (const ResultsStore::CaseRow& c : cases) {
            out.push_back({.kind = "case",
                           .id = c.id,
                           .community_id = c.community_id,
                           .title = "单采阳性: 新增病例 1 例",
                           .at = c.confirmed_at,
                           .link = c.pool_id > 0 ? "/pools/" + std::to_string(c.pool_id)
                                                 : "/residents/" + std::to_string(c.resident_id)});
        }
        std::stable_sort(out.begin(), out.end(),
                         [](const Alert& a, const Alert& b) { return a.at > b.at; });
        return out;
    });
}

Result<LabOverview> ResultsService::Overview(const auth::Principal& who, int64_t lab_id, int days) {
    if (days < 1 || days > 90) return InvalidArgument("days 应为 1 到 90", "days");
    bool places = false;
    std::vector<int64_t> labs;
    for (const auth::Scope& scope : who.ScopesFor(kOverview)) {
        if (scope.kind == auth::ScopeKind::kLab) labs.push_back(scope.id);
        if (scope.kind == auth::ScopeKind::kStreet || scope.kind == auth::ScopeKind::kCommunity) {
            places = true;
        }
    }
    if (lab_id == 0) {
        if (labs.size() != 1) return InvalidArgument("请指定实验室 lab_id", "lab_id");
        lab_id = labs.front();
    }
    if (!places && std::find(labs.begin(), labs.end(), lab_id) == labs.end()) return Missing();
    const int64_t now = clock_.NowMillis();
    return db_.ReadValue([&](db::Session& s) -> Result<LabOverview> {
        ASSIGN_OR_RETURN(auto name, TubeQueryStore::LabName(s, lab_id));
        if (!name) return Missing();
        LabOverview out{.lab_id = lab_id, .lab_name = *name};
        auto covers = [&](int64_t street, int64_t community, int64_t site) {
            return who.CanAt(kOverview, {.street_id = street,
                                         .community_id = community,
                                         .site_id = site,
                                         .lab_id = lab_id});
        };
        ASSIGN_OR_RETURN(auto boxes, TubeQueryStore::BoxesForLab(s, lab_id, now - days * kDayMs));
        for (LabBox& b : boxes) {
            if (!covers(b.street_id, b.community_id, b.site_id)) continue;
            ASSIGN_OR_RETURN(auto tubes, TubeQueryStore::TubesInBox(s, b.id));
            ASSIGN_OR_RETURN(int64_t done, ResultsStore::CountWithResult(s, tubes));
            out.pending_tubes += static_cast<int64_t>(tubes.size()) - done;
            out.boxes.push_back(std::move(b));
        }
        ASSIGN_OR_RETURN(auto times, ResultsStore::LabTimes(s, lab_id, now - days * kDayMs));
        const int64_t today = DayStartChina(now);
        std::vector<int64_t> all;
        std::map<std::string, std::vector<int64_t>> by_day;
        for (const ResultsStore::LabTime& t : times) {
            if (!covers(t.street_id, t.community_id, 0)) continue;
            if (t.reported_at >= today) ++out.results_today;
            auto minutes = TurnaroundMinutes(t.sampled_at, t.reported_at);
            if (!minutes) continue;
            all.push_back(*minutes);
            by_day[ChinaDate(t.reported_at)].push_back(*minutes);
        }
        out.p50_minutes = Percentile(all, 50);
        out.p90_minutes = Percentile(all, 90);
        for (const auto& [date, values] : by_day) {
            out.by_day.push_back({.date = date,
                                  .p50_minutes = Percentile(values, 50),
                                  .p90_minutes = Percentile(values, 90),
                                  .tubes = static_cast<int64_t>(values.size())});
        }
        return out;
    });
}

}  // namespace bulwark::testing::results
