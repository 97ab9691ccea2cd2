// Across rounds (repeated misses) and days (the daily report, 日报).
#include <algorithm>
#include <cstdio>
#include <map>

#include "auth/personal_data.hpp"
#include "testing/followup/followup_service.hpp"
#include "testing/followup/followup_store.hpp"
#include "testing/followup/home_sampling_store.hpp"
#include "testing/followup/service_internal.hpp"
#include "testing/followup/workbook_writer.hpp"

namespace bulwark::testing::followup {
namespace {

using namespace internal;

// Closed rounds looked back over for repeated misses.
constexpr int kRoundsBack = 12;

struct Report {
    int64_t community_id = 0;
    std::string community;
    std::string date;
    struct RoundLine {
        Round round;
        Totals totals;
    };
    std::vector<RoundLine> rounds;
    std::vector<SiteDay> sites;
    std::map<std::string, int64_t> missed_by_reason;
    int64_t followups_done = 0;
    std::pair<int64_t, int64_t> home = {0, 0};  // open, done that day
};

Result<Report> BuildReport(db::Session& s, const registry::CoverageAccess& access,
                           CoverageCache& cache, const auth::Principal& who, int64_t community_id,
                           const std::string& date, int64_t now) {
    Report r;
    int64_t from = 0, to = 0;
    if (date.empty()) {
        const int32_t today = LocalDate(now);
        char text[48];
        std::snprintf(text, sizeof text, "%04d-%02d-%02d", today / 10000, today / 100 % 100,
                      today % 100);
        return BuildReport(s, access, cache, who, community_id, text, now);
    }
    if (!ChinaDay(date, &from, &to)) return InvalidArgument("date 应为 YYYY-MM-DD", "date");
    ASSIGN_OR_RETURN(Visibility v, SeeCommunity(s, access, who, "reports.read", community_id));
    if (!v.whole) return NotFound("社区未找到");
    ASSIGN_OR_RETURN(auto community, access.CommunityById(s, community_id));
    r.community_id = community_id;
    r.community = community ? community->name : "";
    r.date = date;
    ASSIGN_OR_RETURN(auto rounds, SampleQueries::RoundsOf(s, community_id, 200));
    std::vector<int64_t> round_ids;
    for (auto it = rounds.rbegin(); it != rounds.rend(); ++it) {
        if (it->starts_at >= to || EffectiveEnd(*it) < from) continue;
        ASSIGN_OR_RETURN(auto coverage, cache.Get(s, *it));
        r.rounds.push_back({*it, coverage->totals});
        round_ids.push_back(it->id);
    }
    ASSIGN_OR_RETURN(r.sites, SampleQueries::PerSite(s, round_ids, from, to));
    ASSIGN_OR_RETURN(auto attempts, FollowupStore::AttemptsBetween(s, community_id, from, to));
    r.followups_done = static_cast<int64_t>(attempts.size());
    std::map<std::pair<int64_t, int64_t>, std::string> latest;  // (round, resident) -> outcome
    for (const Attempt& a : attempts) latest[{a.round_id, a.resident_id}] = a.outcome;
    for (const auto& [key, outcome] : latest) ++r.missed_by_reason[outcome];
    ASSIGN_OR_RETURN(r.home, HomeSamplingStore::Counts(s, community_id, from, to));
    return r;
}

}  // namespace

Result<json::object> FollowupService::RepeatedMisses(const auth::Principal& who,
                                                     int64_t community_id, int64_t min_rounds,
                                                     const Paging& paging) {
    if (min_rounds < 2 || min_rounds > kRoundsBack) {
        return InvalidArgument("min_rounds 应在 2 到 12 之间", "min_rounds");
    }
    return db_.WriteValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(Visibility v,
                         SeeCommunity(s, *access_, who, "followup.read", community_id));
        const int64_t now = clock_.NowMillis();
        ASSIGN_OR_RETURN(auto all, SampleQueries::RoundsOf(s, community_id, 200));
        std::vector<std::shared_ptr<const RoundCoverage>> closed;  // latest first
        for (const Round& r : all) {
            if (StatusAt(r, now) != RoundStatus::kClosed) continue;
            ASSIGN_OR_RETURN(auto coverage, cache_.Get(s, r));
            closed.push_back(coverage);
            if (closed.size() == static_cast<size_t>(kRoundsBack)) break;
        }
        // Per round: resident -> standing (absent: not in that round's scope, skipped).
        std::vector<std::map<int64_t, Standing>> standings(closed.size());
        for (size_t k = 0; k < closed.size(); ++k) {
            for (size_t i = 0; i < closed[k]->people.size(); ++i) {
                standings[k][closed[k]->people[i].id] = closed[k]->standing[i];
            }
        }
        struct Line {
            const registry::CoveragePerson* person;
            std::vector<size_t> rounds;
        };
        std::vector<Line> lines;
        if (!closed.empty()) {
            for (size_t i = 0; i < closed[0]->people.size(); ++i) {
                const registry::CoveragePerson& p = closed[0]->people[i];
                if (closed[0]->standing[i] != Standing::kMissed || !v.Sees(p.grid_id)) continue;
                Line line{&p, {}};
                for (size_t k = 0; k < closed.size(); ++k) {
                    auto it = standings[k].find(p.id);
                    if (it == standings[k].end()) continue;
                    if (it->second != Standing::kMissed) break;
                    line.rounds.push_back(k);
                }
                if (line.rounds.size() >= static_cast<size_t>(min_rounds)) lines.push_back(line);
            }
        }
        std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
            if (a.rounds.size() != b.rounds.size()) return a.rounds.size() > b.rounds.size();
            return std::tie(a.person->building, a.person->room, a.person->id) <
                   std::tie(b.person->building, b.person->room, b.person->id);
        });
        std::map<int64_t, std::string> last_outcome;
        if (!closed.empty()) {
            ASSIGN_OR_RETURN(auto attempts, FollowupStore::AttemptsOfRound(s, closed[0]->round.id));
            for (const Attempt& a : attempts) last_outcome[a.resident_id] = a.outcome;
        }
        auto [begin, end] = Slice(lines.size(), paging);
        json::array items;
        for (size_t i = begin; i < end; ++i) {
            const registry::CoveragePerson& p = *lines[i].person;
            json::array rounds;
            for (size_t k : lines[i].rounds) {
                const Round& r = closed[k]->round;
                rounds.push_back(
                    json::object{{"id", r.id}, {"name", r.name}, {"starts_at", r.starts_at}});
            }
            auto outcome = last_outcome.find(p.id);
            items.push_back(json::object{
                {"resident_id", p.id},
                {"name", auth::MaskName(p.name)},
                {"building", p.building},
                {"room", p.room},
                {"grid_id", p.grid_id},
                {"missed_rounds", static_cast<int64_t>(lines[i].rounds.size())},
                {"rounds", std::move(rounds)},
                {"last_outcome", outcome == last_outcome.end() ? json::value(nullptr)
                                                               : json::value(outcome->second)}});
        }
        RETURN_IF_ERROR(Audit(s, who, "followup.repeated_misses.read", "community", community_id,
                              "{\"count\":" + std::to_string(items.size()) + "}"));
        return json::object{{"total", static_cast<int64_t>(lines.size())},
                            {"items", std::move(items)}};
    });
}

Result<json::object> FollowupService::DailyReport(const auth::Principal& who, int64_t community_id,
                                                  const std::string& date) {
    return db_.ReadValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(Report r, BuildReport(s, *access_, cache_, who, community_id, date,
                                               clock_.NowMillis()));
        json::array rounds;
        for (const auto& line : r.rounds) {
            json::object o{{"id", line.round.id}, {"name", line.round.name}};
            PutTotals(o, line.totals);
            rounds.push_back(std::move(o));
        }
        json::array sites;
        for (const SiteDay& d : r.sites) {
            sites.push_back(json::object{{"site_id", d.site_id},
                                         {"name", d.name},
                                         {"samples", d.samples},
                                         {"tubes", d.tubes}});
        }
        json::array reasons;
        for (const auto& [outcome, n] : r.missed_by_reason) {
            reasons.push_back(json::object{{"outcome", outcome}, {"count", n}});
        }
        return json::object{
            {"community_id", community_id},
            {"date", date},
            {"rounds", std::move(rounds)},
            {"samples_per_site", std::move(sites)},
            {"missed_by_reason", std::move(reasons)},
            {"followups_done", r.followups_done},
            {"home_sampling", json::object{{"open", r.home.first}, {"done", r.home.second}}}};
    });
}

Result<SheetFile> FollowupService::DailyReportSheet(const auth::Principal& who,
                                                    int64_t community_id, const std::string& date) {
    return db_.ReadValue([&](db::Session& s) -> Result<SheetFile> {
        ASSIGN_OR_RETURN(Report r, BuildReport(s, *access_, cache_, who, community_id, date,
                                               clock_.NowMillis()));
        ASSIGN_OR_RETURN(auto book, WorkbookWriter::Open());
        RETURN_IF_ERROR(book->AddSheet("日报", {24, 12, 12, 12, 12, 10}));
        book->Title(r.community + " 核酸检测日报 " + date);
        book->Note("生成人: " + (who.display_name.empty() ? who.username : who.display_name) +
                   ", 生成时间: " + LocalTime(clock_.NowMillis()) + " (北京时间)");
        book->Row({});
        book->Title("检测轮次覆盖");
        book->Header({"轮次", "应检", "已检", "免检", "漏检", "覆盖率%"});
        for (const auto& line : r.rounds) {
            char percent[48];
            std::snprintf(percent, sizeof percent, "%.1f", line.totals.Percent());
            book->Row({line.round.name, std::to_string(line.totals.in_scope),
                       std::to_string(line.totals.sampled), std::to_string(line.totals.exempt),
                       std::to_string(line.totals.missed), percent});
        }
        book->Row({});
        book->Title("各采样点采样量");
        book->Header({"采样点", "采样人数", "试管数"});
        for (const SiteDay& d : r.sites) {
            book->Row({d.name, std::to_string(d.samples), std::to_string(d.tubes)});
        }
        book->Row({});
        book->Title("漏检原因");
        book->Header({"原因", "人数"});
        for (const auto& [outcome, n] : r.missed_by_reason) {
            book->Row({OutcomeLabel(outcome), std::to_string(n)});
        }
        book->Row({});
        book->Header({"当日跟进次数", "上门采集待办", "上门采集当日完成"});
        book->Row({std::to_string(r.followups_done), std::to_string(r.home.first),
                   std::to_string(r.home.second)});
        ASSIGN_OR_RETURN(std::string bytes, book->Finish());
        return SheetFile{"日报-" + r.community + "-" + date + ".xlsx", std::move(bytes),
                         static_cast<int64_t>(r.rounds.size())};
    });
}

}  // namespace bulwark::testing::followup
