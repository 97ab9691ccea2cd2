// The missed list, its export, assignment, attempts and the phone for a call.
#include <algorithm>
#include <map>
#include <set>

#include "auth/personal_data.hpp"
#include "testing/followup/followup_service.hpp"
#include "testing/followup/followup_store.hpp"
#include "testing/followup/home_sampling.hpp"
#include "testing/followup/home_sampling_store.hpp"
#include "testing/followup/service_internal.hpp"
#include "testing/followup/workbook_writer.hpp"

namespace bulwark::testing::followup {
namespace {

using namespace internal;
using registry::CoveragePerson;

// What the missed list shows beside the coverage: who follows each person up, their attempts
// and whether they wait on the home-sampling list.
struct MissedContext {
    std::shared_ptr<const RoundCoverage> coverage;
    Staff staff;
    std::map<int64_t, int64_t> assignments;
    std::map<int64_t, std::vector<Attempt>> attempts;
    std::set<int64_t> home;
    int32_t today = 0;

    int64_t AssignedTo(const CoveragePerson& p) const {
        auto it = assignments.find(p.id);
        if (it != assignments.end()) return it->second;
        auto worker = staff.grid_worker.find(p.grid_id);
        return worker == staff.grid_worker.end() ? 0 : worker->second;
    }
    std::vector<std::string> Tags(const CoveragePerson& p) const {
        return registry::TagNames(registry::EffectiveTags(p.stored_tags, p.birth_date, today));
    }
};

Result<MissedContext> LoadContext(db::Session& s, CoverageCache& cache, const Round& round,
                                  int64_t now) {
    MissedContext ctx;
    ASSIGN_OR_RETURN(ctx.coverage, cache.Get(s, round));
    ASSIGN_OR_RETURN(ctx.staff, LoadStaff(s));
    ASSIGN_OR_RETURN(ctx.assignments, FollowupStore::AssignmentsOf(s, round.id));
    ASSIGN_OR_RETURN(auto attempts, FollowupStore::AttemptsOfRound(s, round.id));
    for (Attempt& a : attempts) ctx.attempts[a.resident_id].push_back(std::move(a));
    std::vector<int64_t> missed;
    for (size_t i = 0; i < ctx.coverage->people.size(); ++i) {
        if (ctx.coverage->standing[i] == Standing::kMissed) {
            missed.push_back(ctx.coverage->people[i].id);
        }
    }
    ASSIGN_OR_RETURN(auto open, HomeSamplingStore::OpenOf(s, missed));
    for (const auto& e : open) ctx.home.insert(e.resident_id);
    ctx.today = LocalDate(now);
    return ctx;
}

// The missed people the caller sees that pass the filter, by building, unit, floor and room.
std::vector<const CoveragePerson*> Select(const MissedContext& ctx, const Visibility& v,
                                          const MissedFilter& f) {
    std::vector<const CoveragePerson*> out;
    const RoundCoverage& c = *ctx.coverage;
    for (size_t i = 0; i < c.people.size(); ++i) {
        const CoveragePerson& p = c.people[i];
        if (c.standing[i] != Standing::kMissed || !v.Sees(p.grid_id)) continue;
        if (f.grid_id != 0 && p.grid_id != f.grid_id) continue;
        if (f.building_id != 0 && p.building_id != f.building_id) continue;
        if (f.assigned_to != 0 && ctx.AssignedTo(p) != f.assigned_to) continue;
        if (!f.tag.empty()) {
            auto tags = ctx.Tags(p);
            if (std::find(tags.begin(), tags.end(), f.tag) == tags.end()) continue;
        }
        out.push_back(&p);
    }
    std::stable_sort(out.begin(), out.end(), [](const CoveragePerson* a, const CoveragePerson* b) {
        return std::tie(a->building, a->unit, a->floor, a->room, a->id) <
               std::tie(b->building, b->unit, b->floor, b->room, b->id);
    });
    return out;
}

json::value LastOutcome(const std::vector<Attempt>* attempts) {
    if (attempts == nullptr || attempts->empty()) return nullptr;
    const Attempt& a = attempts->back();
    return json::object{{"outcome", a.outcome}, {"note", a.note}, {"at", a.at}, {"by", a.by_name}};
}

json::object Item(const MissedContext& ctx, const CoveragePerson& p, const std::string& phone) {
    auto attempts = ctx.attempts.find(p.id);
    const std::vector<Attempt>* list = attempts == ctx.attempts.end() ? nullptr : &attempts->second;
    json::array tags;
    for (const std::string& t : ctx.Tags(p)) tags.push_back(json::string(t));
    return json::object{{"resident_id", p.id},
                        {"name", auth::MaskName(p.name)},
                        {"building_id", p.building_id},
                        {"building", p.building},
                        {"unit", p.unit},
                        {"room", p.room},
                        {"floor", p.floor},
                        {"phone", MaskedPhone(phone)},
                        {"tags", std::move(tags)},
                        {"grid_id", p.grid_id},
                        {"assigned_to", UserRef(ctx.AssignedTo(p), ctx.staff)},
                        {"attempts", list == nullptr ? 0 : static_cast<int64_t>(list->size())},
                        {"last_outcome", LastOutcome(list)},
                        {"home_sampling", ctx.home.count(p.id) > 0}};
}

// One page of items, with the phones of that page only.
Result<json::object> PageOf(db::Session& s, const registry::CoverageAccess& access,
                            const MissedContext& ctx,
                            const std::vector<const CoveragePerson*>& people,
                            const Paging& paging) {
    auto [begin, end] = Slice(people.size(), paging);
    std::vector<int64_t> ids;
    for (size_t i = begin; i < end; ++i) ids.push_back(people[i]->id);
    ASSIGN_OR_RETURN(auto phones, access.Phones(s, ids));
    json::array items;
    for (size_t i = begin; i < end; ++i)
        items.push_back(Item(ctx, *people[i], phones[people[i]->id]));
    return json::object{{"total", static_cast<int64_t>(people.size())},
                        {"items", std::move(items)}};
}

std::string FilterDetail(const MissedFilter& f, size_t count) {
    return json::serialize(json::object{{"grid_id", f.grid_id},
                                        {"building_id", f.building_id},
                                        {"tag", f.tag},
                                        {"assigned_to", f.assigned_to},
                                        {"count", count}});
}

const CoveragePerson* FindPerson(const RoundCoverage& c, int64_t id, Standing* standing) {
    for (size_t i = 0; i < c.people.size(); ++i) {
        if (c.people[i].id == id) {
            if (standing != nullptr) *standing = c.standing[i];
            return &c.people[i];
        }
    }
    return nullptr;
}

json::object AttemptJson(const Attempt& a) {
    return json::object{
        {"id", a.id},
        {"outcome", a.outcome},
        {"note", a.note},
        {"place", a.place},
        {"tested_at", a.tested_at == 0 ? json::value(nullptr) : json::value(a.tested_at)},
        {"at", a.at},
        {"by", json::object{{"id", a.by}, {"name", a.by_name}}}};
}

std::string WhoText(const auth::Principal& who) {
    return who.display_name.empty() ? who.username : who.display_name + " (" + who.username + ")";
}

}  // namespace

Result<json::object> FollowupService::Missed(const auth::Principal& who, int64_t round_id,
                                             const MissedFilter& filter, const Paging& paging) {
    return db_.WriteValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(SeenRound seen, SeeRound(s, *access_, who, "followup.read", round_id));
        ASSIGN_OR_RETURN(MissedContext ctx, LoadContext(s, cache_, seen.round, clock_.NowMillis()));
        auto people = Select(ctx, seen.visibility, filter);
        ASSIGN_OR_RETURN(json::object page, PageOf(s, *access_, ctx, people, paging));
        RETURN_IF_ERROR(Audit(s, who, "followup.missed.read", "round", round_id,
                              FilterDetail(filter, page["items"].as_array().size())));
        return page;
    });
}

Result<json::object> FollowupService::Mine(const auth::Principal& who, int64_t round_id,
                                           const Paging& paging) {
    return db_.WriteValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(SeenRound seen, SeeRound(s, *access_, who, "followup.read", round_id));
        ASSIGN_OR_RETURN(MissedContext ctx, LoadContext(s, cache_, seen.round, clock_.NowMillis()));
        MissedFilter filter;
        filter.assigned_to = who.user_id;
        auto people = Select(ctx, seen.visibility, filter);
        ASSIGN_OR_RETURN(json::object page, PageOf(s, *access_, ctx, people, paging));
        RETURN_IF_ERROR(Audit(s, who, "followup.mine.read", "round", round_id,
                              FilterDetail(filter, page["items"].as_array().size())));
        return page;
    });
}

Result<SheetFile> FollowupService::MissedSheet(const auth::Principal& who, int64_t round_id,
                                               const MissedFilter& filter, bool unmasked,
                                               const std::string& reason) {
    std::string clean_reason = reason;
    if (unmasked) {
        if (clean_reason.empty()) return InvalidArgument("请填写导出原因", "reason");
        if (clean_reason.size() > 600) return InvalidArgument("导出原因过长", "reason");
    }
    return db_.WriteValue([&](db::Session& s) -> Result<SheetFile> {
        ASSIGN_OR_RETURN(SeenRound seen, SeeRound(s, *access_, who, "followup.read", round_id));
        if (unmasked && !who.CanAt("residents.unmask", {.street_id = seen.round.street_id,
                                                        .community_id = seen.round.community_id})) {
            return PermissionDenied("无权导出完整姓名和电话");
        }
        const int64_t now = clock_.NowMillis();
        ASSIGN_OR_RETURN(MissedContext ctx, LoadContext(s, cache_, seen.round, now));
        auto people = Select(ctx, seen.visibility, filter);
        std::vector<int64_t> ids;
        for (const CoveragePerson* p : people) ids.push_back(p->id);
        ASSIGN_OR_RETURN(auto phones, access_->Phones(s, ids));
        ASSIGN_OR_RETURN(auto book, WorkbookWriter::Open());
        const std::string who_line =
            "导出人: " + WhoText(who) + ", 导出时间: " + LocalTime(now) + " (北京时间), " +
            (unmasked ? "含完整姓名和电话, 导出原因: " + clean_reason : std::string("已脱敏"));
        const std::vector<double> widths = {10, 8, 8, 6, 12, 16, 16, 12, 8, 16, 24};
        const std::vector<std::string> header = {"楼栋",     "单元",     "房号", "楼层",
                                                 "姓名",     "电话",     "标签", "跟进人",
                                                 "跟进次数", "最近结果", "备注"};
        size_t i = 0;
        if (people.empty()) {
            RETURN_IF_ERROR(book->AddSheet("漏检名单", widths, {5}));
            book->Title(seen.round.name + " 漏检名单");
            book->Note("无漏检人员");
            book->Note(who_line);
        }
        while (i < people.size()) {
            const int64_t building_id = people[i]->building_id;
            RETURN_IF_ERROR(book->AddSheet(people[i]->building, widths, {5}));
            book->Title(seen.round.name + " 漏检名单 " + people[i]->building);
            book->Note(who_line);
            book->Header(header);
            for (; i < people.size() && people[i]->building_id == building_id; ++i) {
                const CoveragePerson& p = *people[i];
                const std::string& phone = phones[p.id];
                std::string tags;
                for (const std::string& t : ctx.Tags(p)) tags += (tags.empty() ? "" : ",") + t;
                auto attempts = ctx.attempts.find(p.id);
                const size_t n = attempts == ctx.attempts.end() ? 0 : attempts->second.size();
                const Attempt* last = n == 0 ? nullptr : &attempts->second.back();
                auto worker = ctx.staff.names.find(ctx.AssignedTo(p));
                book->Row({p.building, p.unit, p.room, std::to_string(p.floor),
                           unmasked ? p.name : auth::MaskName(p.name),
                           unmasked ? phone : MaskedPhone(phone), tags,
                           worker == ctx.staff.names.end() ? "" : worker->second, std::to_string(n),
                           last ? OutcomeLabel(last->outcome) : "", last ? last->note : ""});
            }
        }
        ASSIGN_OR_RETURN(std::string bytes, book->Finish());
        RETURN_IF_ERROR(Audit(
            s, who, unmasked ? "followup.missed.export_unmasked" : "followup.missed.export",
            "round", round_id, FilterDetail(filter, people.size()), unmasked ? clean_reason : ""));
        return SheetFile{"漏检名单-" + seen.round.name + ".xlsx", std::move(bytes),
                         static_cast<int64_t>(people.size())};
    });
}

Result<json::object> FollowupService::Assign(const auth::Principal& who, int64_t round_id,
                                             const std::vector<int64_t>& resident_ids,
                                             int64_t user_id) {
    if (resident_ids.empty()) return InvalidArgument("请选择居民", "resident_ids");
    if (resident_ids.size() > 5000) return InvalidArgument("一次最多分派 5000 人", "resident_ids");
    return db_.WriteValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(SeenRound seen, SeeRound(s, *access_, who, "followup.assign", round_id));
        if (!seen.visibility.whole) return NotFound("检测轮次未找到");
        ASSIGN_OR_RETURN(Staff staff, LoadStaff(s));
        ASSIGN_OR_RETURN(auto grids, access_->GridsOf(s, seen.round.community_id));
        const auth::Placement community{.street_id = seen.round.street_id,
                                        .community_id = seen.round.community_id};
        bool user_ok = false;
        for (const auth::Grant& g : staff.grants[user_id]) {
            if (g.role == auth::Role::kScanner || g.role == auth::Role::kLab) continue;
            if (auth::Covers(g.scope, community)) user_ok = true;
            if (g.scope.kind == auth::ScopeKind::kGrid) {
                for (const registry::Grid& grid : grids) user_ok |= grid.id == g.scope.id;
            }
        }
        if (!user_ok) return Error(ErrorCode::kNotFound, "跟进人员未找到", "user_id");
        ASSIGN_OR_RETURN(auto coverage, cache_.Get(s, seen.round));
        const int64_t now = clock_.NowMillis();
        std::set<int64_t> unique(resident_ids.begin(), resident_ids.end());
        for (int64_t id : unique) {
            const CoveragePerson* p = FindPerson(*coverage, id, nullptr);
            if (p == nullptr) {
                return Error(ErrorCode::kNotFound, "居民未找到: " + std::to_string(id),
                             "resident_ids");
            }
            const auth::Placement where{
                .street_id = p->street_id, .community_id = p->community_id, .grid_id = p->grid_id};
            const auto& grants = staff.grants[user_id];
            if (std::none_of(grants.begin(), grants.end(), [&](const auth::Grant& g) {
                    return g.role != auth::Role::kScanner && g.role != auth::Role::kLab &&
                           auth::Covers(g.scope, where);
                })) {
                return InvalidArgument("该人员无权跟进 " + p->building + " " + p->room + " 的居民",
                                       "user_id");
            }
        }
        for (int64_t id : unique) {
            RETURN_IF_ERROR(FollowupStore::Assign(s, round_id, id, user_id, who.user_id, now));
        }
        RETURN_IF_ERROR(
            Audit(s, who, "followup.assign", "round", round_id,
                  json::serialize(json::object{{"user_id", user_id},
                                               {"count", static_cast<int64_t>(unique.size())}})));
        return json::object{{"assigned", static_cast<int64_t>(unique.size())}};
    });
}

Result<json::object> FollowupService::Detail(const auth::Principal& who, int64_t round_id,
                                             int64_t resident_id) {
    return db_.WriteValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(SeenRound seen, SeeRound(s, *access_, who, "followup.read", round_id));
        ASSIGN_OR_RETURN(MissedContext ctx, LoadContext(s, cache_, seen.round, clock_.NowMillis()));
        const CoveragePerson* p = FindPerson(*ctx.coverage, resident_id, nullptr);
        if (p == nullptr || !seen.visibility.Sees(p->grid_id)) return NotFound("居民未找到");
        ASSIGN_OR_RETURN(auto phones, access_->Phones(s, {p->id}));
        json::array attempts;
        auto it = ctx.attempts.find(p->id);
        if (it != ctx.attempts.end()) {
            for (const Attempt& a : it->second) attempts.push_back(AttemptJson(a));
        }
        RETURN_IF_ERROR(Audit(s, who, "followup.read", "resident", resident_id,
                              "{\"round_id\":" + std::to_string(round_id) + "}"));
        return json::object{{"resident", Item(ctx, *p, phones[p->id])},
                            {"attempts", std::move(attempts)}};
    });
}

Result<Answer> FollowupService::RecordAttempt(const auth::Principal& who, int64_t round_id,
                                              int64_t resident_id, const AttemptInput& in) {
    Outcome outcome;
    if (!ParseOutcome(in.outcome, &outcome)) {
        return InvalidArgument(
            "outcome 应为 tested_elsewhere、away、moved_out、quarantine_or_hospital、bedridden、"
            "infant_no_document、unreachable 或 refused",
            "outcome");
    }
    if (in.note.size() > 1000) return InvalidArgument("备注过长", "note");
    if (in.place.size() > 200) return InvalidArgument("检测地点过长", "place");
    if (outcome == Outcome::kTestedElsewhere) {
        if (in.place.empty()) return InvalidArgument("请填写在何处检测", "place");
        if (in.tested_at <= 0) return InvalidArgument("请填写检测时间", "tested_at");
    }
    // The missed count before this attempt, read outside the write (the cache is filled only
    // from committed data).
    ASSIGN_OR_RETURN(
        auto before,
        db_.ReadValue([&](db::Session& s) -> Result<std::shared_ptr<const RoundCoverage>> {
            ASSIGN_OR_RETURN(SeenRound seen,
                             SeeRound(s, *access_, who, "followup.write", round_id));
            return cache_.Get(s, seen.round);
        }));
    const std::string canonical = std::to_string(round_id) + "\x1f" + std::to_string(resident_id) +
                                  "\x1f" + in.outcome + "\x1f" + in.note + "\x1f" + in.place +
                                  "\x1f" + std::to_string(in.tested_at);
    WriteKey key{in.key, who.user_id, "followup.attempt", RequestHash(canonical)};
    return Idempotency::Run(db_, clock_, key, [&](db::Session& s) -> Result<Answer> {
        ASSIGN_OR_RETURN(SeenRound seen, SeeRound(s, *access_, who, "followup.write", round_id));
        Standing standing = Standing::kMissed;
        const CoveragePerson* p = FindPerson(*before, resident_id, &standing);
        if (p == nullptr || !seen.visibility.Sees(p->grid_id)) return NotFound("居民未找到");
        const int64_t now = clock_.NowMillis();
        Attempt a;
        a.round_id = round_id;
        a.resident_id = resident_id;
        a.community_id = seen.round.community_id;
        a.outcome = std::string(OutcomeName(outcome));
        a.exempting = IsExempting(outcome);
        a.note = in.note;
        a.place = in.place;
        a.tested_at = in.tested_at;
        a.by = who.user_id;
        a.by_name = who.display_name.empty() ? who.username : who.display_name;
        a.at = now;
        ASSIGN_OR_RETURN(a.id, FollowupStore::InsertAttempt(s, a));
        if (outcome == Outcome::kMovedOut) {
            ASSIGN_OR_RETURN(bool moved, access_->MarkMovedOut(s, resident_id));
            if (!moved) return NotFound("居民未找到");
            RETURN_IF_ERROR(Audit(s, who, "resident.presence", "resident", resident_id,
                                  "{\"presence\":\"moved_out\",\"by\":\"followup\"}"));
        }
        if (outcome == Outcome::kBedridden) {
            RETURN_IF_ERROR(AddHomeSampling(s,
                                            {.resident_id = resident_id,
                                             .community_id = seen.round.community_id,
                                             .round_id = round_id,
                                             .reason = HomeSamplingReason::kBedridden,
                                             .source = seen.round.name + " 漏检, 卧床",
                                             .requested_by = who.user_id},
                                            now));
        }
        RETURN_IF_ERROR(
            Audit(s, who, "followup.attempt", "resident", resident_id,
                  json::serialize(json::object{{"round_id", round_id}, {"outcome", a.outcome}})));
        int64_t missed = before->totals.missed;
        if (standing == Standing::kMissed && a.exempting) --missed;
        if (standing == Standing::kExempt && !a.exempting) ++missed;
        json::object body{
            {"attempt", AttemptJson(a)}, {"exempt", a.exempting}, {"missed_total", missed}};
        return Answer{201, json::serialize(body)};
    });
}

Result<json::object> FollowupService::RevealPhone(const auth::Principal& who, int64_t round_id,
                                                  int64_t resident_id) {
    return db_.WriteValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(SeenRound seen, SeeRound(s, *access_, who, "followup.write", round_id));
        ASSIGN_OR_RETURN(CoveragePerson p,
                         SeePerson(s, *access_, who, "followup.write", resident_id));
        if (p.community_id != seen.round.community_id) return NotFound("居民未找到");
        ASSIGN_OR_RETURN(auto phones, access_->Phones(s, {resident_id}));
        RETURN_IF_ERROR(Audit(s, who, "resident.phone_reveal", "resident", resident_id,
                              "{\"round_id\":" + std::to_string(round_id) + "}",
                              "漏检跟进拨打电话"));
        return json::object{{"phone", phones[resident_id]}};
    });
}

}  // namespace bulwark::testing::followup
