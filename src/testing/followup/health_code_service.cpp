// Health-code change requests: requested with a reason and evidence, approved by a second person.
#include <algorithm>
#include <map>

#include "auth/personal_data.hpp"
#include "testing/followup/followup_service.hpp"
#include "testing/followup/followup_store.hpp"
#include "testing/followup/service_internal.hpp"

namespace bulwark::testing::followup {
namespace {

using namespace internal;

bool IsCodeStatus(const std::string& s) { return s == "green" || s == "yellow" || s == "red"; }

json::object RequestJson(const HealthCodeRequest& q, const std::string& name) {
    json::value decided_by = nullptr;
    if (q.decided_by != 0)
        decided_by = json::object{{"id", q.decided_by}, {"name", q.decided_name}};
    return json::object{
        {"id", q.id},
        {"resident_id", q.resident_id},
        {"name", auth::MaskName(name)},
        {"from_status", q.from_status},
        {"to_status", q.to_status},
        {"reason", q.reason},
        {"evidence", q.evidence},
        {"requested_by", json::object{{"id", q.requested_by}, {"name", q.requested_name}}},
        {"requested_at", q.requested_at},
        {"decided_by", std::move(decided_by)},
        {"decided_at", q.decided_at == 0 ? json::value(nullptr) : json::value(q.decided_at)},
        {"decision_note", q.decision_note},
        {"status", q.status}};
}

std::string NameOf(const auth::Principal& who) {
    return who.display_name.empty() ? who.username : who.display_name;
}

}  // namespace

Result<json::object> FollowupService::HealthCodeRequests(const auth::Principal& who,
                                                         int64_t community_id,
                                                         const std::string& status,
                                                         const Paging& paging) {
    if (community_id <= 0) return InvalidArgument("请指定社区", "community_id");
    if (!status.empty() && status != "pending" && status != "approved" && status != "rejected") {
        return InvalidArgument("status 应为 pending、approved 或 rejected", "status");
    }
    return db_.WriteValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(Visibility v,
                         SeeCommunity(s, *access_, who, "healthcode.request", community_id));
        ASSIGN_OR_RETURN(auto requests,
                         FollowupStore::HealthCodeRequestsOf(s, community_id, status));
        std::vector<const HealthCodeRequest*> shown;
        for (const auto& q : requests) {
            if (v.Sees(q.grid_id)) shown.push_back(&q);
        }
        auto [begin, end] = Slice(shown.size(), paging);
        json::array items;
        for (size_t i = begin; i < end; ++i) {
            ASSIGN_OR_RETURN(auto person, access_->Person(s, shown[i]->resident_id));
            items.push_back(RequestJson(*shown[i], person ? person->name : ""));
        }
        RETURN_IF_ERROR(Audit(s, who, "healthcode.requests.read", "community", community_id,
                              "{\"count\":" + std::to_string(items.size()) + "}"));
        return json::object{{"total", static_cast<int64_t>(shown.size())},
                            {"items", std::move(items)}};
    });
}

Result<json::object> FollowupService::RequestHealthCode(const auth::Principal& who,
                                                        int64_t resident_id,
                                                        const std::string& to_status,
                                                        const std::string& reason,
                                                        const std::string& evidence) {
    if (!IsCodeStatus(to_status)) {
        return InvalidArgument("to_status 应为 green、yellow 或 red", "to_status");
    }
    if (reason.empty()) return InvalidArgument("请填写变更原因", "reason");
    if (reason.size() > 1000) return InvalidArgument("变更原因过长", "reason");
    if (evidence.empty()) return InvalidArgument("请填写依据 (如检测结果、证明材料)", "evidence");
    if (evidence.size() > 2000) return InvalidArgument("依据过长", "evidence");
    return db_.WriteValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(registry::CoveragePerson p,
                         SeePerson(s, *access_, who, "healthcode.request", resident_id));
        ASSIGN_OR_RETURN(HealthCode current, FollowupStore::CodeOf(s, resident_id));
        HealthCodeRequest q;
        q.resident_id = p.id;
        q.community_id = p.community_id;
        q.grid_id = p.grid_id;
        q.from_status = current.status;
        q.to_status = to_status;
        q.reason = reason;
        q.evidence = evidence;
        q.requested_by = who.user_id;
        q.requested_name = NameOf(who);
        q.requested_at = clock_.NowMillis();
        q.status = "pending";
        ASSIGN_OR_RETURN(q.id, FollowupStore::InsertHealthCodeRequest(s, q));
        RETURN_IF_ERROR(
            Audit(s, who, "healthcode.request", "health_code_request", q.id,
                  json::serialize(json::object{
                      {"resident_id", p.id}, {"from", q.from_status}, {"to", to_status}}),
                  reason));
        return RequestJson(q, p.name);
    });
}

Result<json::object> FollowupService::DecideHealthCode(const auth::Principal& who,
                                                       int64_t request_id, bool approve,
                                                       const std::string& note) {
    if (note.size() > 1000) return InvalidArgument("意见过长", "note");
    return db_.WriteValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(auto q, FollowupStore::GetHealthCodeRequest(s, request_id));
        if (!q) return NotFound("健康码变更申请未找到");
        auto person = SeePerson(s, *access_, who, "healthcode.approve", q->resident_id);
        if (!person.ok()) return NotFound("健康码变更申请未找到");
        if (q->requested_by == who.user_id) {
            return Error(ErrorCode::kAlreadyExists, "申请人不能审批自己的申请, 请由另一人审批",
                         "same_person");
        }
        const std::string decision = approve ? "approved" : "rejected";
        if (q->status != "pending") {
            // The same person deciding the same way again (a retry): the request as it stands.
            if (q->decided_by != who.user_id || q->status != decision) {
                return FailedPrecondition("该申请已处理 (" + q->status + ")", "status");
            }
            RETURN_IF_ERROR(Audit(
                s, who, approve ? "healthcode.approve" : "healthcode.reject", "health_code_request",
                q->id, "{\"resident_id\":" + std::to_string(q->resident_id) + ",\"repeat\":true}"));
            return RequestJson(*q, person->name);
        }
        q->status = decision;
        q->decided_by = who.user_id;
        q->decided_name = NameOf(who);
        q->decided_at = clock_.NowMillis();
        q->decision_note = note;
        ASSIGN_OR_RETURN(bool decided, FollowupStore::Decide(s, *q));
        if (!decided) return FailedPrecondition("该申请已处理", "status");
        if (approve) {
            RETURN_IF_ERROR(
                FollowupStore::SetCode(s, q->resident_id, q->to_status, q->decided_at, q->id));
        }
        RETURN_IF_ERROR(Audit(
            s, who, approve ? "healthcode.approve" : "healthcode.reject", "health_code_request",
            q->id,
            json::serialize(json::object{
                {"resident_id", q->resident_id}, {"from", q->from_status}, {"to", q->to_status}}),
            note));
        return RequestJson(*q, person->name);
    });
}

Result<json::object> FollowupService::HealthCodeOf(const auth::Principal& who,
                                                   int64_t resident_id) {
    return db_.WriteValue([&](db::Session& s) -> Result<json::object> {
        ASSIGN_OR_RETURN(registry::CoveragePerson p,
                         SeePerson(s, *access_, who, "healthcode.request", resident_id));
        ASSIGN_OR_RETURN(HealthCode code, FollowupStore::CodeOf(s, resident_id));
        ASSIGN_OR_RETURN(auto approved, FollowupStore::ApprovedFor(s, resident_id));
        json::array history;
        for (const auto& q : approved) history.push_back(RequestJson(q, p.name));
        RETURN_IF_ERROR(Audit(s, who, "healthcode.read", "resident", resident_id, ""));
        return json::object{
            {"status", code.status},
            {"since", code.since == 0 ? json::value(nullptr) : json::value(code.since)},
            {"history", std::move(history)}};
    });
}

}  // namespace bulwark::testing::followup
