#include "testing/results/pool_procedure.hpp"

#include <boost/json.hpp>

#include "auth/audit_log.hpp"
#include "registry/results_access.hpp"
#include "testing/followup/home_sampling.hpp"

namespace bulwark::testing::results {
namespace {

namespace json = boost::json;
using followup::HomeSamplingReason;

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

Status Audit(db::Session& s, const auth::Principal& who, const char* action,
             const char* subject_kind, int64_t subject_id, const json::object& evidence,
             int64_t now) {
    auth::AuditEntry e = auth::AuditLog::For(who, action);
    e.subject_kind = subject_kind;
    e.subject_id = subject_id;
    e.detail = json::serialize(evidence);
    e.at = now;
    return auth::AuditLog::Append(s, e);
}

std::string Actor(const auth::Principal& who) {
    return who.username.empty() ? "platform" : who.username;
}

// The tube and its result as evidence: what was found, where, by whom.
json::object Evidence(const auth::Principal& who, const TubeForResult& tube,
                      const StoredResult& result) {
    json::object o{{"tube", tube.barcode},
                   {"round_id", tube.round_id},
                   {"pool_size", tube.pool_size},
                   {"result", OutcomeName(result.result)},
                   {"reported_at", result.reported_at},
                   {"lab_id", result.lab_id},
                   {"by", Actor(who)}};
    if (!result.ct.empty()) o["ct"] = json::parse(CtText(result.ct));
    return o;
}

Status Event(db::Session& s, int64_t pool_id, const char* action, const auth::Principal& who,
             const json::object& evidence, int64_t now) {
    return ResultsStore::AddEvent(
        s, pool_id,
        {.at = now, .action = action, .actor = Actor(who), .evidence = json::serialize(evidence)});
}

// The platform itself, acting for the community: it plans the follow-up round.
auth::Principal Platform(const auth::Principal& who, const TubeForResult& tube) {
    auth::Principal p{.username = "platform", .display_name = "平台 (混管复核)"};
    p.client_address = who.client_address;
    p.request_id = who.request_id;
    p.grants.push_back({.grant = {.role = auth::Role::kAdministrator,
                                  .scope = {auth::ScopeKind::kCommunity, tube.community_id}},
                        .permissions = {"rounds.read", "rounds.write"}});
    return p;
}

Status HomeSampling(db::Session& s, const registry::SamplingSubject& person, int64_t round_id,
                    HomeSamplingReason reason, bool urgent, const std::string& source,
                    const auth::Principal& who, int64_t now) {
    return followup::AddHomeSampling(s,
                                     {.resident_id = person.id,
                                      .community_id = person.community_id,
                                      .round_id = round_id,
                                      .reason = reason,
                                      .urgent = urgent,
                                      .source = source,
                                      .requested_by = who.user_id},
                                     now);
}

}  // namespace

Status PoolProcedure::AfterResult(db::Session& s, const auth::Principal& who,
                                  const TubeForResult& tube, const StoredResult& result,
                                  int64_t now) {
    ASSIGN_OR_RETURN(std::vector<TubeSwab> members, TubeQueryStore::Members(s, tube.id));
    if (members.empty()) return Ok();
    if (result.result == Outcome::kPositive && tube.pool_size > 1) {
        return OpenPool(s, who, tube, result, members, now);
    }
    std::vector<int64_t> resampled_in_procedure;
    if (tube.pool_size == 1) {
        for (const TubeSwab& m : members) {
            bool in_procedure = false;
            RETURN_IF_ERROR(ResolveRetests(s, who, tube, result, m, now, &in_procedure));
            if (in_procedure) resampled_in_procedure.push_back(m.resident_id);
        }
    }
    if (result.result != Outcome::kInvalid) return Ok();
    // An invalid tube: its members are sampled again (those in a procedure are on the list
    // already, urgent).
    std::vector<int64_t> ids;
    for (const TubeSwab& m : members) {
        if (std::find(resampled_in_procedure.begin(), resampled_in_procedure.end(),
                      m.resident_id) == resampled_in_procedure.end()) {
            ids.push_back(m.resident_id);
        }
    }
    ASSIGN_OR_RETURN(auto people, registry::ResultsAccess::Subjects(s, ids));
    for (const registry::SamplingSubject& person : people) {
        RETURN_IF_ERROR(HomeSampling(s, person, tube.round_id, HomeSamplingReason::kInvalidTube,
                                     false, "试管 " + tube.barcode + " 无效, 需重新采样", who,
                                     now));
    }
    json::object evidence = Evidence(who, tube, result);
    evidence["members"] = static_cast<int64_t>(people.size());
    return Audit(s, who, "result.invalid_resample", "tube", tube.id, evidence, now);
}

Status PoolProcedure::OpenPool(db::Session& s, const auth::Principal& who,
                               const TubeForResult& tube, const StoredResult& result,
                               const std::vector<TubeSwab>& members, int64_t now) {
    ASSIGN_OR_RETURN(auto pool_id, ResultsStore::InsertPool(s, {.tube_id = tube.id,
                                                                .tube_barcode = tube.barcode,
                                                                .round_id = tube.round_id,
                                                                .street_id = tube.street_id,
                                                                .community_id = tube.community_id,
                                                                .opened_at = now}));
    if (!pool_id) return Ok();  // the tube's procedure runs already
    const json::object evidence = Evidence(who, tube, result);
    RETURN_IF_ERROR(Event(s, *pool_id, "pool.opened", who, evidence, now));
    RETURN_IF_ERROR(Audit(s, who, "pool.open", "tube", tube.id, evidence, now));

    // Every member is marked: must stay home until their own single tube says otherwise.
    std::vector<int64_t> ids;
    for (const TubeSwab& m : members) ids.push_back(m.resident_id);
    ASSIGN_OR_RETURN(auto people, registry::ResultsAccess::Subjects(s, ids));
    json::array marked;
    for (const registry::SamplingSubject& person : people) {
        RETURN_IF_ERROR(ResultsStore::InsertMember(s, *pool_id, person.id, now));
        marked.push_back(person.id);
    }
    json::object marks{{"tube", tube.barcode},
                       {"status", "pending_retest"},
                       {"residents", marked},
                       {"by", Actor(who)}};
    RETURN_IF_ERROR(Event(s, *pool_id, "members.marked", who, marks, now));
    RETURN_IF_ERROR(Audit(s, who, "pool.members_marked", "pool", *pool_id, marks, now));

    // The follow-up round: the community's members, one tube each, within a day.
    std::vector<int64_t> in_community;
    for (const registry::SamplingSubject& person : people) {
        if (person.community_id == tube.community_id) in_community.push_back(person.id);
    }
    int64_t round_id = 0;
    if (!in_community.empty()) {
        ASSIGN_OR_RETURN(std::vector<int64_t> sites, TubeQueryStore::SitesOf(s, tube.community_id));
        RoundInput input{.community_id = tube.community_id,
                         .name = "混管复核 " + tube.barcode,
                         .kind = std::string("follow_up"),
                         .scope_kind = std::string("people"),
                         .scope_ids = in_community,
                         .starts_at = now,
                         .ends_at = now + kDayMs,
                         .pool_size = 1,
                         .site_ids = sites};
        ASSIGN_OR_RETURN(RoundView round, rounds_.CreateIn(s, Platform(who, tube), input));
        round_id = round.round.id;
        RETURN_IF_ERROR(ResultsStore::SetRetestRound(s, *pool_id, round_id));
        json::object made{{"tube", tube.barcode},
                          {"round_id", round_id},
                          {"name", round.round.name},
                          {"pool_size", 1},
                          {"members", static_cast<int64_t>(in_community.size())},
                          {"starts_at", now},
                          {"ends_at", now + kDayMs}};
        RETURN_IF_ERROR(Event(s, *pool_id, "retest_round.created", who, made, now));
        RETURN_IF_ERROR(Audit(s, who, "pool.retest_round", "round", round_id, made, now));
    }

    for (const registry::SamplingSubject& person : people) {
        RETURN_IF_ERROR(HomeSampling(s, person, round_id, HomeSamplingReason::kPooledPositive, true,
                                     "混管 " + tube.barcode + " 阳性, 待单采复核", who, now));
    }
    json::object listed{
        {"tube", tube.barcode}, {"urgent", true}, {"residents", marked}, {"round_id", round_id}};
    RETURN_IF_ERROR(Event(s, *pool_id, "home_sampling.listed", who, listed, now));
    RETURN_IF_ERROR(Audit(s, who, "pool.home_sampling", "pool", *pool_id, listed, now));

    json::object alert{{"kind", "pooled_positive"},
                       {"community_id", tube.community_id},
                       {"title", "混管 " + tube.barcode +
                                     " 阳性: " + std::to_string(people.size()) + " 人待单采复核"}};
    RETURN_IF_ERROR(Event(s, *pool_id, "alert.raised", who, alert, now));
    return Audit(s, who, "pool.alert", "pool", *pool_id, alert, now);
}

Status PoolProcedure::ResolveRetests(db::Session& s, const auth::Principal& who,
                                     const TubeForResult& tube, const StoredResult& result,
                                     const TubeSwab& member, int64_t now, bool* in_procedure) {
    ASSIGN_OR_RETURN(auto pending, ResultsStore::PendingPoolsOf(s, member.resident_id));
    json::object evidence = Evidence(who, tube, result);
    evidence["resident_id"] = member.resident_id;
    evidence["sampled_at"] = member.sampled_at;
    bool resolved_any = false;
    for (const auto& [pool_id, opened_at] : pending) {
        // Only a sample taken after the pool was found positive tells its member's state.
        if (member.sampled_at < opened_at) continue;
        resolved_any = true;
        PoolMember m{.pool_id = pool_id,
                     .resident_id = member.resident_id,
                     .retest_tube_id = tube.id,
                     .retest_barcode = tube.barcode,
                     .retest_result = result.result,
                     .retest_sampled_at = member.sampled_at,
                     .retest_reported_at = result.reported_at};
        ASSIGN_OR_RETURN(auto pool, ResultsStore::GetPool(s, pool_id));
        if (!pool) return Internal("result_pools: pending pool vanished");
        switch (result.result) {
            case Outcome::kNegative:
                m.status = MemberStatus::kCleared;
                RETURN_IF_ERROR(ResultsStore::UpdateMember(s, m, now));
                RETURN_IF_ERROR(Event(s, pool_id, "member.cleared", who, evidence, now));
                RETURN_IF_ERROR(Audit(s, who, "pool.member_cleared", "resident", member.resident_id,
                                      evidence, now));
                break;
            case Outcome::kPositive:
                m.status = MemberStatus::kCase;
                RETURN_IF_ERROR(ResultsStore::UpdateMember(s, m, now));
                RETURN_IF_ERROR(ResultsStore::InsertCase(s, member.resident_id, pool->street_id,
                                                         pool->community_id, pool_id, tube.id,
                                                         now));
                RETURN_IF_ERROR(Event(s, pool_id, "member.case", who, evidence, now));
                RETURN_IF_ERROR(
                    Audit(s, who, "case.confirmed", "resident", member.resident_id, evidence, now));
                break;
            case Outcome::kInvalid: {
                m.status = MemberStatus::kPendingRetest;
                RETURN_IF_ERROR(ResultsStore::UpdateMember(s, m, now));
                ASSIGN_OR_RETURN(auto people,
                                 registry::ResultsAccess::Subjects(s, {member.resident_id}));
                for (const registry::SamplingSubject& person : people) {
                    RETURN_IF_ERROR(HomeSampling(
                        s, person, pool->retest_round_id, HomeSamplingReason::kPooledPositive, true,
                        "单采 " + tube.barcode + " 无效, 混管 " + pool->tube_barcode + " 待复核",
                        who, now));
                }
                RETURN_IF_ERROR(Event(s, pool_id, "member.retest_invalid", who, evidence, now));
                RETURN_IF_ERROR(Audit(s, who, "pool.member_retest_invalid", "resident",
                                      member.resident_id, evidence, now));
                break;
            }
        }
        ASSIGN_OR_RETURN(auto after, ResultsStore::GetPool(s, pool_id));
        if (after && after->pending == 0 && after->closed_at == 0) {
            RETURN_IF_ERROR(ResultsStore::ClosePool(s, pool_id, now));
            json::object closed{{"tube", after->tube_barcode},
                                {"cleared", after->cleared},
                                {"cases", after->cases},
                                {"by", Actor(who)}};
            RETURN_IF_ERROR(Event(s, pool_id, "pool.closed", who, closed, now));
            RETURN_IF_ERROR(Audit(s, who, "pool.close", "pool", pool_id, closed, now));
        }
    }
    *in_procedure = resolved_any;
    if (!resolved_any && result.result == Outcome::kPositive) {
        // A single positive tube outside any procedure: the person is a case all the same.
        RETURN_IF_ERROR(ResultsStore::InsertCase(s, member.resident_id, tube.street_id,
                                                 tube.community_id, 0, tube.id, now));
        RETURN_IF_ERROR(
            Audit(s, who, "case.confirmed", "resident", member.resident_id, evidence, now));
    }
    return Ok();
}

}  // namespace bulwark::testing::results
