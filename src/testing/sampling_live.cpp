// Live figures of a round, from the counters the scans keep.
#include <map>

#include "testing/round_store.hpp"
#include "testing/sampling_service.hpp"
#include "testing/sampling_store.hpp"
#include "testing/site_store.hpp"

namespace bulwark::testing {

Result<LiveFigures> SamplingService::Live(const auth::Principal& who, int64_t round_id) {
    const int64_t now = clock_.NowMillis();
    return db_.ReadValue([&](db::Session& s) -> Result<LiveFigures> {
        ASSIGN_OR_RETURN(auto round, RoundStore::Get(s, round_id, false));
        if (!round || !RoundCovers(who, "sampling.live", *round)) return NotFound("未找到");
        ASSIGN_OR_RETURN(std::vector<TableFigures> figures,
                         SamplingStore::Figures(s, round_id, DayStartChina(now), HourStart(now)));
        LiveFigures out{.round_id = round->id, .round_name = round->name, .as_of = now};
        std::map<int64_t, TableFigures> by_table;
        for (const TableFigures& f : figures) {
            out.sample_count += f.samples;
            by_table[f.table_id] = f;
        }
        for (int64_t site_id : round->site_ids) {
            ASSIGN_OR_RETURN(auto site, SiteStore::GetSite(s, site_id));
            if (!site || !who.CanAt("sampling.live", site->placement())) continue;
            LiveSite live{.site_id = site->id, .name = site->name};
            for (const TableFigures& f : figures) {
                if (f.site_id != site->id) continue;
                live.today += f.today;
                live.this_hour += f.this_hour;
                live.tubes_open += f.tubes_open;
                live.tubes_closed += f.tubes_closed;
            }
            for (const SiteTable& t : site->tables) {
                LiveTable table{.table_id = t.id, .name = t.name, .priority_lane = t.priority_lane};
                if (auto it = by_table.find(t.id); it != by_table.end()) {
                    table.today = it->second.today;
                    table.this_hour = it->second.this_hour;
                    table.tubes_open = it->second.tubes_open;
                    table.tubes_closed = it->second.tubes_closed;
                }
                live.tables.push_back(std::move(table));
            }
            out.sites.push_back(std::move(live));
        }
        return out;
    });
}

}  // namespace bulwark::testing
