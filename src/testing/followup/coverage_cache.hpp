#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/coverage_access.hpp"
#include "testing/followup/model.hpp"

namespace bulwark::testing::followup {

// The last coverage computed per round, kept while nothing it depends on changed. Each Get
// reads three fingerprints in the caller's transaction (the round's sample count and last
// sample id, the community's resident count and last change, the round's attempt count and last
// id: one indexed aggregate each) and computes the coverage again only when one moved, so
// viewers polling every 5 s share one computation per change; when only samples were added it
// reads just those and updates a copy of the last coverage. Several servers agree because
// each compares against the database, never against its own memory. Thread-safe.
class CoverageCache {
public:
    CoverageCache(std::shared_ptr<registry::CoverageAccess> access, Clock& clock);

    Result<std::shared_ptr<const RoundCoverage>> Get(db::Session& s, const Round& round);

    // Full computations and updates by new samples only, so far (for tests and figures).
    int64_t computations() const;
    int64_t updates() const;

private:
    struct Stamp {
        SampleStamp samples;
        registry::ResidentsStamp residents;
        std::pair<int64_t, int64_t> attempts;
        int64_t round_version = 0;
        bool operator==(const Stamp&) const = default;
    };
    struct Entry {
        Stamp stamp;
        std::shared_ptr<const RoundCoverage> coverage;
    };

    std::shared_ptr<registry::CoverageAccess> access_;
    Clock& clock_;
    mutable std::mutex mu_;
    std::unordered_map<int64_t, Entry> entries_;  // by round id
    int64_t computations_ = 0;
    int64_t updates_ = 0;
};

}  // namespace bulwark::testing::followup
