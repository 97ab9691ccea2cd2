#pragma once

#include <cstdint>
#include <string>

#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::testing::followup {

// Why a resident is on the home-sampling list (上门采集).
enum class HomeSamplingReason { kBedridden, kPooledPositive, kInvalidTube, kRequested };

// One request to sample a resident at home. A plain value type.
struct HomeSamplingRequest {
    int64_t resident_id = 0;
    int64_t community_id = 0;
    int64_t round_id = 0;  // 0 when not for a round
    HomeSamplingReason reason = HomeSamplingReason::kRequested;
    bool urgent = false;
    std::string source;        // evidence shown on the list, e.g. "混管 T0001234 阳性"
    int64_t requested_by = 0;  // user id; 0 for the platform itself
};

// Adds an open entry inside the caller's write transaction; a second open entry for the same
// resident and reason is not added (returns OK). kInvalidArgument for a missing resident id.
Status AddHomeSampling(db::Session& s, const HomeSamplingRequest& request, int64_t now_ms);

// The stable code of a reason ("bedridden", "pooled_positive", "invalid_tube", "requested").
const char* HomeSamplingReasonCode(HomeSamplingReason reason);

}  // namespace bulwark::testing::followup
