#include "testing/followup/service_internal.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "auth/account_store.hpp"
#include "auth/audit_log.hpp"
#include "auth/personal_data.hpp"
#include "testing/sample_queries.hpp"

namespace bulwark::testing::followup::internal {

Result<SeenRound> SeeRound(db::Session& s, const registry::CoverageAccess& access,
                           const auth::Principal& who, std::string_view permission,
                           int64_t round_id) {
    ASSIGN_OR_RETURN(auto round, SampleQueries::RoundById(s, round_id));
    if (!round) return NotFound("检测轮次未找到");
    auto visibility = SeeCommunity(s, access, who, permission, round->community_id);
    if (!visibility.ok()) return NotFound("检测轮次未找到");
    return SeenRound{std::move(*round), std::move(*visibility)};
}

Result<Visibility> SeeCommunity(db::Session& s, const registry::CoverageAccess& access,
                                const auth::Principal& who, std::string_view permission,
                                int64_t community_id) {
    ASSIGN_OR_RETURN(auto community, access.CommunityById(s, community_id));
    if (!community) return NotFound("社区未找到");
    if (who.CanAt(permission, {.street_id = community->street_id, .community_id = community->id})) {
        return Visibility{};
    }
    Visibility v;
    v.whole = false;
    std::vector<int64_t> asked;
    for (const auth::Scope& scope : who.ScopesFor(permission)) {
        if (scope.kind == auth::ScopeKind::kGrid) asked.push_back(scope.id);
    }
    if (!asked.empty()) {
        ASSIGN_OR_RETURN(auto grids, access.GridsOf(s, community_id));
        for (const registry::Grid& g : grids) {
            if (std::find(asked.begin(), asked.end(), g.id) != asked.end()) v.grids.insert(g.id);
        }
    }
    if (v.grids.empty()) return NotFound("社区未找到");
    return v;
}

Result<registry::CoveragePerson> SeePerson(db::Session& s, const registry::CoverageAccess& access,
                                           const auth::Principal& who, std::string_view permission,
                                           int64_t resident_id) {
    ASSIGN_OR_RETURN(auto person, access.Person(s, resident_id));
    if (!person || !who.CanAt(permission, {.street_id = person->street_id,
                                           .community_id = person->community_id,
                                           .grid_id = person->grid_id})) {
        return NotFound("居民未找到");
    }
    return *person;
}

Result<Staff> LoadStaff(db::Session& s) {
    ASSIGN_OR_RETURN(auto users, auth::AccountStore::ListUsers(s));
    std::sort(users.begin(), users.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    Staff staff;
    for (const auth::UserRecord& u : users) {
        staff.names[u.id] = u.display_name.empty() ? u.username : u.display_name;
        staff.grants[u.id] = u.grants;
        if (u.locked) continue;
        for (const auth::Grant& g : u.grants) {
            if (g.role == auth::Role::kGridWorker && g.scope.kind == auth::ScopeKind::kGrid) {
                staff.grid_worker.emplace(g.scope.id, u.id);
            }
        }
    }
    return staff;
}

Status Audit(db::Session& s, const auth::Principal& who, const std::string& action,
             const std::string& subject_kind, int64_t subject_id, const std::string& detail,
             const std::string& reason) {
    auth::AuditEntry entry = auth::AuditLog::For(who, action);
    entry.subject_kind = subject_kind;
    entry.subject_id = subject_id;
    entry.detail = detail;
    entry.reason = reason;
    return auth::AuditLog::Append(s, entry);
}

std::pair<size_t, size_t> Slice(size_t total, const Paging& paging) {
    const int64_t size = std::clamp<int64_t>(paging.page_size, 1, 500);
    const int64_t page = std::max<int64_t>(paging.page, 1);
    const size_t begin = std::min(total, static_cast<size_t>((page - 1) * size));
    const size_t end = std::min(total, begin + static_cast<size_t>(size));
    return {begin, end};
}

std::string LocalTime(int64_t unix_ms) {
    std::time_t t = static_cast<std::time_t>(unix_ms / 1000 + 8 * 3600);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min);
    return buf;
}

int32_t LocalDate(int64_t unix_ms) {
    std::time_t t = static_cast<std::time_t>(unix_ms / 1000 + 8 * 3600);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

boost::json::value UserRef(int64_t id, const Staff& staff) {
    if (id == 0) return nullptr;
    auto it = staff.names.find(id);
    return boost::json::object{{"id", id}, {"name", it == staff.names.end() ? "" : it->second}};
}

void PutTotals(boost::json::object& o, const Totals& t) {
    o["in_scope"] = t.in_scope;
    o["sampled"] = t.sampled;
    o["exempt"] = t.exempt;
    o["missed"] = t.missed;
    o["percent"] = t.Percent();
}

std::string MaskedPhone(const std::string& phone) {
    return phone.empty() ? std::string() : auth::MaskPhone(phone);
}

}  // namespace bulwark::testing::followup::internal
