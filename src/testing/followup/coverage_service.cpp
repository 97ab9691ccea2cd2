// Coverage of a round at every level, of a street's communities, and a round's progress.
#include <algorithm>
#include <map>

#include "testing/followup/followup_service.hpp"
#include "testing/followup/service_internal.hpp"

namespace bulwark::testing::followup {
namespace {

using namespace internal;

constexpr int64_t kQuarter = 15 * 60'000;
constexpr int64_t kHour = 3'600'000;

// The round a street's table shows for a community: the open one, else the last started.
const Round* CurrentRound(const std::vector<Round>& rounds, int64_t now) {
    for (const Round& r : rounds) {
        if (StatusAt(r, now) == RoundStatus::kOpen) return &r;
    }
    for (const Round& r : rounds) {
        if (r.starts_at <= now) return &r;
    }
    return nullptr;
}

}  // namespace

FollowupService::FollowupService(db::Database& db, Clock& clock,
                                 std::shared_ptr<registry::CoverageAccess> access)
    : db_(db), clock_(clock), access_(access), cache_(access, clock) {}

Result<json::object> FollowupService::Coverage(const auth::Principal& who, int64_t round_id,
                                               const std::string& level, int64_t parent_id) {
    if (level != "community" && level != "grid" && level != "building" && level != "unit") {
        return InvalidArgument("level 应为 community、grid、building 或 unit", "level");
    }
    if (level == "unit" && parent_id == 0) {
        return InvalidArgument("按单元统计时请给出楼栋 parent_id", "parent_id");
    }
    return db_.ReadValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(SeenRound seen, SeeRound(s, *access_, who, "coverage.read", round_id));
        ASSIGN_OR_RETURN(auto coverage, cache_.Get(s, seen.round));
        const Visibility& v = seen.visibility;
        Totals totals;
        std::vector<CoverageRow> rows;
        if (level == "community") {
            ASSIGN_OR_RETURN(auto community, access_->CommunityById(s, seen.round.community_id));
            rows.push_back({"community", seen.round.community_id,
                            community ? community->name : std::string()});
        } else if (level == "grid") {
            ASSIGN_OR_RETURN(auto grids, access_->GridsOf(s, seen.round.community_id));
            for (const registry::Grid& g : grids) {
                if (v.Sees(g.id)) rows.push_back({"grid", g.id, g.name});
            }
        } else if (level == "building") {
            ASSIGN_OR_RETURN(auto buildings, access_->BuildingsOf(s, seen.round.community_id));
            bool parent_found = parent_id == 0;
            for (const registry::Building& b : buildings) {
                if (parent_id != 0 && b.grid_id != parent_id) continue;
                if (!v.Sees(b.grid_id)) continue;
                parent_found = true;
                rows.push_back({"building", b.id, b.name});
            }
            if (!parent_found) return NotFound("网格未找到");
        } else {
            ASSIGN_OR_RETURN(auto buildings, access_->BuildingsOf(s, seen.round.community_id));
            auto b = std::find_if(buildings.begin(), buildings.end(),
                                  [&](const registry::Building& x) { return x.id == parent_id; });
            if (b == buildings.end() || !v.Sees(b->grid_id)) return NotFound("楼栋未找到");
            std::vector<std::string> units;
            for (const auto& p : coverage->people) {
                if (p.building_id == parent_id &&
                    std::find(units.begin(), units.end(), p.unit) == units.end()) {
                    units.push_back(p.unit);
                }
            }
            std::sort(units.begin(), units.end());
            for (const std::string& u : units) {
                rows.push_back({"unit", parent_id, u.empty() ? std::string("(无单元)") : u});
            }
        }
        std::map<std::pair<int64_t, std::string>, size_t> index;
        for (size_t i = 0; i < rows.size(); ++i) {
            index[{rows[i].id, level == "unit" ? rows[i].name : std::string()}] = i;
        }
        for (size_t i = 0; i < coverage->people.size(); ++i) {
            const registry::CoveragePerson& p = coverage->people[i];
            if (!v.Sees(p.grid_id)) continue;
            const Standing standing = coverage->standing[i];
            totals.Add(standing);
            int64_t key = 0;
            std::string unit;
            if (level == "community") {
                key = seen.round.community_id;
            } else if (level == "grid") {
                key = p.grid_id;
            } else if (level == "building") {
                key = p.building_id;
            } else {
                if (p.building_id != parent_id) continue;
                key = parent_id;
                unit = p.unit.empty() ? std::string("(无单元)") : p.unit;
            }
            auto it = index.find({key, unit});
            if (it != index.end()) rows[it->second].totals.Add(standing);
        }
        json::array out_rows;
        for (const CoverageRow& r : rows) {
            json::object o{{"level", r.level}, {"id", r.id}, {"name", r.name}};
            PutTotals(o, r.totals);
            out_rows.push_back(std::move(o));
        }
        json::object out_totals;
        PutTotals(out_totals, totals);
        return json::object{{"round_id", seen.round.id},
                            {"as_of", coverage->computed_at},
                            {"totals", std::move(out_totals)},
                            {"rows", std::move(out_rows)}};
    });
}

Result<json::object> FollowupService::StreetCoverage(const auth::Principal& who,
                                                     int64_t street_id) {
    return db_.ReadValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(auto communities, access_->CommunitiesOf(s, street_id));
        const int64_t now = clock_.NowMillis();
        json::array rows;
        bool any = false;
        for (const registry::Community& c : communities) {
            // A grid worker's row counts their grids' residents only.
            auto visibility = SeeCommunity(s, *access_, who, "coverage.read", c.id);
            if (!visibility.ok()) continue;
            any = true;
            json::object row{{"community_id", c.id},
                             {"name", c.name},
                             {"round_id", nullptr},
                             {"round_name", nullptr}};
            ASSIGN_OR_RETURN(auto rounds, SampleQueries::RoundsOf(s, c.id, 50));
            Totals totals;
            if (const Round* round = CurrentRound(rounds, now)) {
                ASSIGN_OR_RETURN(auto coverage, cache_.Get(s, *round));
                if (visibility->whole) {
                    totals = coverage->totals;
                } else {
                    for (size_t i = 0; i < coverage->people.size(); ++i) {
                        if (visibility->Sees(coverage->people[i].grid_id)) {
                            totals.Add(coverage->standing[i]);
                        }
                    }
                }
                row["round_id"] = round->id;
                row["round_name"] = round->name;
            }
            PutTotals(row, totals);
            rows.push_back(std::move(row));
        }
        if (!any) return NotFound("街道未找到");
        return json::object{{"street_id", street_id}, {"as_of", now}, {"rows", std::move(rows)}};
    });
}

Result<json::object> FollowupService::Progress(const auth::Principal& who, int64_t round_id) {
    return db_.ReadValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(SeenRound seen, SeeRound(s, *access_, who, "coverage.read", round_id));
        ASSIGN_OR_RETURN(auto coverage, cache_.Get(s, seen.round));
        const Round& round = seen.round;
        const int64_t now = clock_.NowMillis();
        const int64_t end = std::max(round.starts_at, std::min(EffectiveEnd(round), now));
        // A grid worker sees the figures of their grids' residents only.
        std::vector<const SampleFact*> samples;
        if (seen.visibility.whole) {
            for (const SampleFact& f : coverage->samples) samples.push_back(&f);
        } else {
            std::map<int64_t, int64_t> grid_of;
            for (const auto& p : coverage->people) grid_of[p.id] = p.grid_id;
            for (const SampleFact& f : coverage->samples) {
                if (seen.visibility.Sees(grid_of[f.resident_id])) samples.push_back(&f);
            }
        }
        std::vector<int64_t> times;
        std::map<int64_t, std::map<int64_t, int64_t>> per_site;  // site -> hour -> samples
        for (const SampleFact* f : samples) {
            times.push_back(f->scanned_at);
            const int64_t hour = f->scanned_at - ((f->scanned_at % kHour) + kHour) % kHour;
            ++per_site[f->site_id][hour];
        }
        std::sort(times.begin(), times.end());
        json::array cumulative;
        size_t at = 0;
        for (int64_t t = round.starts_at; t <= end + kQuarter - 1; t += kQuarter) {
            const int64_t point = std::min(t, end);
            while (at < times.size() && times[at] <= point) ++at;
            cumulative.push_back(
                json::object{{"at", point}, {"sampled", static_cast<int64_t>(at)}});
            if (point == end) break;
        }
        std::vector<int64_t> site_ids;
        for (int64_t id : round.site_ids) site_ids.push_back(id);
        for (const auto& [id, hours] : per_site) {
            if (std::find(site_ids.begin(), site_ids.end(), id) == site_ids.end()) {
                site_ids.push_back(id);
            }
        }
        ASSIGN_OR_RETURN(auto names, SampleQueries::SiteNames(s, site_ids));
        json::array sites;
        for (int64_t id : site_ids) {
            json::array hours;
            for (const auto& [hour, n] : per_site[id]) {
                hours.push_back(json::object{{"hour_start", hour}, {"samples", n}});
            }
            sites.push_back(json::object{
                {"site_id", id}, {"site_name", names[id]}, {"hours", std::move(hours)}});
        }
        return json::object{{"round_id", round.id},
                            {"starts_at", round.starts_at},
                            {"ends_at", round.ends_at},
                            {"cumulative", std::move(cumulative)},
                            {"per_site_hour", std::move(sites)}};
    });
}

}  // namespace bulwark::testing::followup
