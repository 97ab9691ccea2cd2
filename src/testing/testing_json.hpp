#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
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

// The answer to an accepted scan: {"sample", "resident", "tube", "warnings"}. Written by hand
// into one string, the same bytes boost::json gives for the same objects
// (testing_json_test.cpp): a group commit builds one per scan on the writer thread, where
// building the objects took a twentieth of its time.
struct AcceptedScan {
    int64_t sample_id = 0;
    const Tube& tube;  // where the sample went: its round, barcode, site and table
    int64_t resident_id = 0;
    std::string_view name_masked;
    const Tube& after;  // the tube with this sample in it
    int64_t taken_at = 0;
    uint32_t warning_bits = 0;
};
std::string AcceptedScanJson(const AcceptedScan& scan);

}  // namespace bulwark::testing
