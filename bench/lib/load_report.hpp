#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "bench/lib/load_engine.hpp"

namespace bulwark::bench {

// The report as one JSON object (counts, throughput_rps, latency_ms {p50, p90, p99, p99_9, max,
// mean}, error_kinds); bench/README.md lists the keys.
boost::json::object ReportToJson(const LoadReport& report);

// The same figures as a few lines of text for people.
std::string ReportToText(const LoadReport& report);

}  // namespace bulwark::bench
