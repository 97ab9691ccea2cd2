#include "testing/results/public_page.hpp"

#include <algorithm>

#include "auth/audit_log.hpp"
#include "auth/personal_data.hpp"
#include "registry/results_access.hpp"
#include "registry/sampling_access_store.hpp"
#include "testing/followup/home_sampling.hpp"

namespace bulwark::testing::results {
namespace {

// Tokens are base32 of 128 bits; anything longer is not one (and is not looked up).
constexpr size_t kMaxToken = 64;

Status AuditByCode(db::Session& s, const char* action, int64_t resident_id,
                   const std::string& address, const std::string& request_id, int64_t now) {
    auth::AuditEntry e;
    e.username = "code";
    e.role = "resident";
    e.action = action;
    e.subject_kind = "resident";
    e.subject_id = resident_id;
    e.client_address = address;
    e.request_id = request_id;
    e.at = now;
    return auth::AuditLog::Append(s, e);
}

std::optional<MemberStatus> CurrentStatus(const std::vector<ResidentResult>& results) {
    // The newest pooled-positive mark tells whether the resident must stay home.
    for (const ResidentResult& r : results) {
        if (r.status) return r.status;
    }
    return std::nullopt;
}

}  // namespace

Result<int64_t> PublicPage::Limit(db::Session& s, const std::string& address, int64_t now) {
    const int64_t since = now - limits_.window_ms;
    ASSIGN_OR_RETURN(int64_t calls, ResultsStore::CountHits(s, address, since));
    if (calls >= limits_.per_address) {
        ASSIGN_OR_RETURN(auto at,
                         ResultsStore::NthNewestHit(s, address, since, limits_.per_address - 1));
        const int64_t until = at.value_or(now) + limits_.window_ms;
        return std::max<int64_t>(1, (until - now + 999) / 1000);
    }
    RETURN_IF_ERROR(ResultsStore::DeleteHitsBefore(s, since));
    RETURN_IF_ERROR(ResultsStore::AddHit(s, address, now));
    return int64_t{0};
}

Result<PublicAnswer<OwnPage>> PublicPage::Results(const std::string& token,
                                                  const std::string& address,
                                                  const std::string& request_id) {
    const int64_t now = clock_.NowMillis();
    return db_.WriteValue([&](db::Session& s) -> Result<PublicAnswer<OwnPage>> {
        PublicAnswer<OwnPage> answer;
        ASSIGN_OR_RETURN(answer.retry_after_seconds, Limit(s, address, now));
        if (answer.retry_after_seconds > 0) return answer;
        std::optional<registry::SamplingSubject> subject;
        if (!token.empty() && token.size() <= kMaxToken) {
            ASSIGN_OR_RETURN(subject, registry::SamplingAccessStore::ByCode(s, token));
        }
        if (!subject) {
            answer.not_found = true;  // committed with the call counted: guesses are limited
            return answer;
        }
        OwnPage& page = answer.value;
        page.name = auth::MaskName(subject->name);
        ASSIGN_OR_RETURN(page.results, ResultsService::ResultsOf(s, *subject));
        page.status = CurrentStatus(page.results);
        ASSIGN_OR_RETURN(auto household, registry::ResultsAccess::HouseholdOf(s, subject->id));
        for (const registry::SamplingSubject& member : household) {
            OwnPage::Member m{.name = auth::MaskName(member.name)};
            ASSIGN_OR_RETURN(m.results, ResultsService::ResultsOf(s, member));
            m.status = CurrentStatus(m.results);
            page.household.push_back(std::move(m));
        }
        RETURN_IF_ERROR(AuditByCode(s, "public.results", subject->id, address, request_id, now));
        return answer;
    });
}

Result<PublicAnswer<bool>> PublicPage::RequestHomeSampling(const std::string& token,
                                                           const std::string& note,
                                                           const std::string& address,
                                                           const std::string& request_id) {
    if (note.size() > 600) return InvalidArgument("备注最多 200 个字", "note");
    const int64_t now = clock_.NowMillis();
    return db_.WriteValue([&](db::Session& s) -> Result<PublicAnswer<bool>> {
        PublicAnswer<bool> answer;
        ASSIGN_OR_RETURN(answer.retry_after_seconds, Limit(s, address, now));
        if (answer.retry_after_seconds > 0) return answer;
        std::optional<registry::SamplingSubject> subject;
        if (!token.empty() && token.size() <= kMaxToken) {
            ASSIGN_OR_RETURN(subject, registry::SamplingAccessStore::ByCode(s, token));
        }
        if (!subject) {
            answer.not_found = true;  // committed with the call counted: guesses are limited
            return answer;
        }
        RETURN_IF_ERROR(followup::AddHomeSampling(
            s,
            {.resident_id = subject->id,
             .community_id = subject->community_id,
             .reason = followup::HomeSamplingReason::kRequested,
             .urgent = false,
             .source = note.empty() ? "居民通过个人码申请" : "居民通过个人码申请: " + note},
            now));
        RETURN_IF_ERROR(
            AuditByCode(s, "public.home_sampling", subject->id, address, request_id, now));
        answer.value = true;
        return answer;
    });
}

}  // namespace bulwark::testing::results
