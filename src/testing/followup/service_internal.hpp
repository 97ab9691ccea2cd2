#pragma once

// Shared by the follow-up module's *_service.cpp files only.

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "auth/principal.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/coverage_access.hpp"
#include "testing/followup/followup_service.hpp"
#include "testing/followup/model.hpp"

namespace bulwark::testing::followup::internal {

// A round and what the caller may see of it.
struct SeenRound {
    Round round;
    Visibility visibility;
};

// The round if the caller holds `permission` over its community (whole) or over some of its
// grids (those only); kNotFound otherwise, as for a missing round.
Result<SeenRound> SeeRound(db::Session& s, const registry::CoverageAccess& access,
                           const auth::Principal& who, std::string_view permission,
                           int64_t round_id);
// The same for a community.
Result<Visibility> SeeCommunity(db::Session& s, const registry::CoverageAccess& access,
                                const auth::Principal& who, std::string_view permission,
                                int64_t community_id);
// A resident the caller holds `permission` over (by their grid); kNotFound otherwise.
Result<registry::CoveragePerson> SeePerson(db::Session& s, const registry::CoverageAccess& access,
                                           const auth::Principal& who, std::string_view permission,
                                           int64_t resident_id);

// Grid workers (a user with role grid_worker over grid:N; the first by id) and users' names.
struct Staff {
    std::map<int64_t, int64_t> grid_worker;  // grid id -> user id
    std::map<int64_t, std::string> names;    // user id -> display name (or username)
    std::map<int64_t, std::vector<auth::Grant>> grants;
};
Result<Staff> LoadStaff(db::Session& s);

// Appends an audit row of `who` doing `action` to a subject.
Status Audit(db::Session& s, const auth::Principal& who, const std::string& action,
             const std::string& subject_kind, int64_t subject_id, const std::string& detail,
             const std::string& reason = "");

// [begin, end) of a page of `total` items; page_size clamped to 1..500.
std::pair<size_t, size_t> Slice(size_t total, const Paging& paging);
// "YYYY-MM-DD HH:MM" in China time.
std::string LocalTime(int64_t unix_ms);
// yyyymmdd of a moment in China time.
int32_t LocalDate(int64_t unix_ms);
// {"id","name"} of a user, or null for 0.
boost::json::value UserRef(int64_t id, const Staff& staff);
// Totals as the contract's fields.
void PutTotals(boost::json::object& o, const Totals& t);
// The resident's masked phone ("138****5678"), from the plaintext; "" when none.
std::string MaskedPhone(const std::string& phone);

}  // namespace bulwark::testing::followup::internal
