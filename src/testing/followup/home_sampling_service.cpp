// The home-sampling list: entries are done by a sample taken after they were made.
#include <algorithm>
#include <map>

#include "auth/personal_data.hpp"
#include "testing/followup/followup_service.hpp"
#include "testing/followup/home_sampling.hpp"
#include "testing/followup/home_sampling_store.hpp"
#include "testing/followup/service_internal.hpp"

namespace bulwark::testing::followup {
namespace {

using namespace internal;

// How far back a sample may close an entry: the community's recent rounds.
constexpr int kRecentRounds = 30;

// Marks done every open entry of the community whose resident was sampled after it was made
// (with the sampling page, in any of the community's recent rounds).
Status CloseSampled(db::Session& s, int64_t community_id) {
    ASSIGN_OR_RETURN(auto open, HomeSamplingStore::OfCommunity(s, community_id, false));
    if (open.empty()) return Ok();
    int64_t oldest = open.front().requested_at;
    std::vector<int64_t> residents;
    for (const auto& e : open) {
        oldest = std::min(oldest, e.requested_at);
        residents.push_back(e.resident_id);
    }
    ASSIGN_OR_RETURN(auto rounds, SampleQueries::RoundsOf(s, community_id, kRecentRounds));
    std::vector<int64_t> round_ids;
    for (const Round& r : rounds) {
        if (EffectiveEnd(r) + kLateArrivalMs >= oldest) round_ids.push_back(r.id);
    }
    ASSIGN_OR_RETURN(auto samples, SampleQueries::SamplesAfter(s, round_ids, residents, oldest));
    std::sort(samples.begin(), samples.end(),
              [](const auto& a, const auto& b) { return a.scanned_at < b.scanned_at; });
    for (const auto& e : open) {
        for (const SampleWithTube& sample : samples) {
            if (sample.resident_id != e.resident_id || sample.scanned_at <= e.requested_at) {
                continue;
            }
            ASSIGN_OR_RETURN(
                bool done, HomeSamplingStore::MarkDone(s, e.id, sample.scanned_at, sample.round_id,
                                                       sample.tube_barcode));
            (void)done;
            break;
        }
    }
    return Ok();
}

}  // namespace

Result<json::object> FollowupService::HomeSamplingList(const auth::Principal& who,
                                                       int64_t community_id,
                                                       const std::string& status,
                                                       const Paging& paging) {
    if (community_id <= 0) return InvalidArgument("请指定社区", "community_id");
    if (!status.empty() && status != "open" && status != "done") {
        return InvalidArgument("status 应为 open 或 done", "status");
    }
    return db_.WriteValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(Visibility v,
                         SeeCommunity(s, *access_, who, "followup.read", community_id));
        RETURN_IF_ERROR(CloseSampled(s, community_id));
        ASSIGN_OR_RETURN(auto entries,
                         HomeSamplingStore::OfCommunity(s, community_id, status == "done"));
        ASSIGN_OR_RETURN(auto residents, access_->ResidentsOf(s, community_id));
        std::map<int64_t, const registry::CoveragePerson*> by_id;
        for (const auto& p : residents) by_id[p.id] = &p;
        struct Shown {
            const HomeSamplingEntry* entry;
            const registry::CoveragePerson* person;
        };
        std::vector<Shown> shown;
        for (const auto& e : entries) {
            auto it = by_id.find(e.resident_id);
            if (it == by_id.end() || !v.Sees(it->second->grid_id)) continue;
            shown.push_back({&e, it->second});
        }
        std::stable_sort(shown.begin(), shown.end(), [](const Shown& a, const Shown& b) {
            return std::make_tuple(!a.entry->urgent, a.person->building, a.person->floor,
                                   a.person->room, a.entry->id) <
                   std::make_tuple(!b.entry->urgent, b.person->building, b.person->floor,
                                   b.person->room, b.entry->id);
        });
        auto [begin, end] = Slice(shown.size(), paging);
        json::array items;
        for (size_t i = begin; i < end; ++i) {
            const HomeSamplingEntry& e = *shown[i].entry;
            const registry::CoveragePerson& p = *shown[i].person;
            json::value sample = nullptr;
            if (e.done_at != 0) {
                sample = json::object{{"round_id", e.done_round_id},
                                      {"tube_barcode", e.done_tube},
                                      {"at", e.done_at}};
            }
            items.push_back(json::object{
                {"id", e.id},
                {"resident_id", e.resident_id},
                {"name", auth::MaskName(p.name)},
                {"building_id", p.building_id},
                {"building", p.building},
                {"unit", p.unit},
                {"room", p.room},
                {"floor", p.floor},
                {"reason", e.reason},
                {"urgent", e.urgent},
                {"source", e.source},
                {"round_id", e.round_id == 0 ? json::value(nullptr) : json::value(e.round_id)},
                {"requested_at", e.requested_at},
                {"done_at", e.done_at == 0 ? json::value(nullptr) : json::value(e.done_at)},
                {"sample", std::move(sample)}});
        }
        RETURN_IF_ERROR(Audit(s, who, "followup.home_sampling.read", "community", community_id,
                              "{\"count\":" + std::to_string(items.size()) + "}"));
        return json::object{{"total", static_cast<int64_t>(shown.size())},
                            {"items", std::move(items)}};
    });
}

Result<json::object> FollowupService::RequestHomeSampling(const auth::Principal& who,
                                                          int64_t resident_id,
                                                          const std::string& note) {
    if (note.size() > 500) return InvalidArgument("备注过长", "note");
    return db_.WriteValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(registry::CoveragePerson p,
                         SeePerson(s, *access_, who, "followup.write", resident_id));
        const int64_t now = clock_.NowMillis();
        RETURN_IF_ERROR(AddHomeSampling(s,
                                        {.resident_id = p.id,
                                         .community_id = p.community_id,
                                         .reason = HomeSamplingReason::kRequested,
                                         .source = note.empty() ? "申请上门采集" : note,
                                         .requested_by = who.user_id},
                                        now));
        ASSIGN_OR_RETURN(auto open, HomeSamplingStore::OpenOf(s, {p.id}));
        auto entry = std::find_if(open.begin(), open.end(), [](const HomeSamplingEntry& e) {
            return e.reason == "requested";
        });
        if (entry == open.end()) return Internal("home_sampling: entry vanished");
        RETURN_IF_ERROR(Audit(s, who, "followup.home_sampling.request", "home_sampling", entry->id,
                              "{\"resident_id\":" + std::to_string(p.id) + "}"));
        return json::object{{"id", entry->id},
                            {"resident_id", p.id},
                            {"name", auth::MaskName(p.name)},
                            {"building_id", p.building_id},
                            {"building", p.building},
                            {"unit", p.unit},
                            {"room", p.room},
                            {"floor", p.floor},
                            {"reason", entry->reason},
                            {"urgent", entry->urgent},
                            {"source", entry->source},
                            {"round_id", nullptr},
                            {"requested_at", entry->requested_at},
                            {"done_at", nullptr},
                            {"sample", nullptr}};
    });
}

}  // namespace bulwark::testing::followup
