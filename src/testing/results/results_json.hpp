#pragma once

#include <boost/json.hpp>

#include "testing/results/public_page.hpp"
#include "testing/results/result_imports.hpp"
#include "testing/results/results_service.hpp"

namespace bulwark::testing::results {

// JSON shapes of the results routes (the contract in src/testing/results/README.md). Pure;
// thread-safe. Absent times and results are null.
boost::json::value CtJson(const CtValues& ct);
boost::json::object SummaryJson(const LoadSummary& s);
boost::json::object ImportJson(const ResultImport& i);
boost::json::object ConflictJson(const Conflict& c, const std::string& lab_name);
// One of a resident's results; `with_tube` adds round id, tube barcode and pool size (staff
// see them; the resident's own page does not need them).
boost::json::object ResidentResultJson(const ResidentResult& r, bool with_tube);
boost::json::object MemberJson(const MemberView& m);
boost::json::object PoolJson(const Pool& p);
boost::json::object PoolDetailJson(const PoolDetail& d);
boost::json::object OwnPageJson(const OwnPage& page);
boost::json::object OverviewJson(const LabOverview& o);

}  // namespace bulwark::testing::results
