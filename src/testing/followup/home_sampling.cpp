#include "testing/followup/home_sampling.hpp"

#include "testing/followup/home_sampling_store.hpp"

namespace bulwark::testing::followup {

const char* HomeSamplingReasonCode(HomeSamplingReason reason) {
    switch (reason) {
        case HomeSamplingReason::kBedridden:
            return "bedridden";
        case HomeSamplingReason::kPooledPositive:
            return "pooled_positive";
        case HomeSamplingReason::kInvalidTube:
            return "invalid_tube";
        case HomeSamplingReason::kRequested:
            return "requested";
    }
    return "requested";
}

Status AddHomeSampling(db::Session& s, const HomeSamplingRequest& request, int64_t now_ms) {
    if (request.resident_id <= 0) return InvalidArgument("请指定居民", "resident_id");
    if (request.community_id <= 0) return InvalidArgument("请指定社区", "community_id");
    HomeSamplingEntry entry;
    entry.resident_id = request.resident_id;
    entry.community_id = request.community_id;
    entry.round_id = request.round_id;
    entry.reason = HomeSamplingReasonCode(request.reason);
    entry.urgent = request.urgent;
    entry.source = request.source;
    entry.requested_by = request.requested_by;
    entry.requested_at = now_ms;
    ASSIGN_OR_RETURN(bool added, HomeSamplingStore::InsertOpen(s, entry));
    (void)added;
    return Ok();
}

}  // namespace bulwark::testing::followup
