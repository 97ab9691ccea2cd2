#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/coverage_access.hpp"
#include "testing/followup/coverage_cache.hpp"
#include "testing/idempotency.hpp"

namespace bulwark::testing::followup {

namespace json = boost::json;

// Filters of the missed list (0 / "" for none).
struct MissedFilter {
    int64_t grid_id = 0;
    int64_t building_id = 0;
    std::string tag;
    int64_t assigned_to = 0;
};

struct Paging {
    int64_t page = 1;
    int64_t page_size = 50;
};

// An attempt as a grid worker records it.
struct AttemptInput {
    std::string key;  // Idempotency-Key
    std::string outcome;
    std::string note;
    std::string place;
    int64_t tested_at = 0;
};

// A generated .xlsx file.
struct SheetFile {
    std::string filename;
    std::string bytes;
    int64_t rows = 0;
};

// Coverage and follow-up use cases (issue 6): each checks the caller's scope (out of scope
// answers exactly like a missing id: kNotFound), writes the audit rows of what it shows or does,
// and answers the JSON of the contract (docs: /tmp contract, README.md here). Thread-safe; the
// coverage cache is shared by all callers.
class FollowupService {
public:
    FollowupService(db::Database& db, Clock& clock,
                    std::shared_ptr<registry::CoverageAccess> access);

    // Coverage (coverage.read).
    Result<json::object> Coverage(const auth::Principal& who, int64_t round_id,
                                  const std::string& level, int64_t parent_id);
    Result<json::object> StreetCoverage(const auth::Principal& who, int64_t street_id);
    Result<json::object> Progress(const auth::Principal& who, int64_t round_id);

    // The missed list and follow-up (followup.read / followup.write / followup.assign).
    Result<json::object> Missed(const auth::Principal& who, int64_t round_id,
                                const MissedFilter& filter, const Paging& paging);
    Result<json::object> Mine(const auth::Principal& who, int64_t round_id, const Paging& paging);
    // One sheet per building; unmasked needs residents.unmask and a reason.
    Result<SheetFile> MissedSheet(const auth::Principal& who, int64_t round_id,
                                  const MissedFilter& filter, bool unmasked,
                                  const std::string& reason);
    Result<json::object> Assign(const auth::Principal& who, int64_t round_id,
                                const std::vector<int64_t>& resident_ids, int64_t user_id);
    Result<json::object> Detail(const auth::Principal& who, int64_t round_id, int64_t resident_id);
    Result<Answer> RecordAttempt(const auth::Principal& who, int64_t round_id, int64_t resident_id,
                                 const AttemptInput& input);
    Result<json::object> RevealPhone(const auth::Principal& who, int64_t round_id,
                                     int64_t resident_id);

    // The home-sampling list (followup.read / followup.write).
    Result<json::object> HomeSamplingList(const auth::Principal& who, int64_t community_id,
                                          const std::string& status, const Paging& paging);
    Result<json::object> RequestHomeSampling(const auth::Principal& who, int64_t resident_id,
                                             const std::string& note);

    // Across rounds and days (followup.read / reports.read).
    Result<json::object> RepeatedMisses(const auth::Principal& who, int64_t community_id,
                                        int64_t min_rounds, const Paging& paging);
    Result<json::object> DailyReport(const auth::Principal& who, int64_t community_id,
                                     const std::string& date);
    Result<SheetFile> DailyReportSheet(const auth::Principal& who, int64_t community_id,
                                       const std::string& date);

    // Health codes (healthcode.request / healthcode.approve). Decide answers kAlreadyExists
    // with field "same_person" when the approver made the request.
    Result<json::object> HealthCodeRequests(const auth::Principal& who, int64_t community_id,
                                            const std::string& status, const Paging& paging);
    Result<json::object> RequestHealthCode(const auth::Principal& who, int64_t resident_id,
                                           const std::string& to_status, const std::string& reason,
                                           const std::string& evidence);
    Result<json::object> DecideHealthCode(const auth::Principal& who, int64_t request_id,
                                          bool approve, const std::string& note);
    Result<json::object> HealthCodeOf(const auth::Principal& who, int64_t resident_id);

    CoverageCache& cache() { return cache_; }

private:
    db::Database& db_;
    Clock& clock_;
    std::shared_ptr<registry::CoverageAccess> access_;
    CoverageCache cache_;
};

}  // namespace bulwark::testing::followup
