#pragma once

#include <boost/json/object.hpp>
#include <vector>

#include "testing/box_store.hpp"
#include "testing/model.hpp"
#include "testing/sampling_store.hpp"

namespace bulwark::testing {

// JSON shapes of the testing routes (see /api/v1 contract in src/testing/README.md). Pure
// functions; thread-safe. Times are epoch milliseconds; absent times are null.

// A round as listed: its fields, the derived status and the samples so far.
struct RoundView {
    Round round;
    RoundStatus status = RoundStatus::kPlanned;
    int64_t sample_count = 0;
};
boost::json::object RoundJson(const RoundView& view);
boost::json::object SiteJson(const Site& site);
boost::json::object LabJson(const Lab& lab);
boost::json::object TubeJson(const Tube& tube);
boost::json::object BoxJson(const Box& box);

}  // namespace bulwark::testing
