#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "bench/lib/latency_histogram.hpp"
#include "bench/lib/loopback_target.hpp"
#include "bench/lib/scenario.hpp"

namespace bulwark::bench {

struct LoadOptions {
    // Connection i loads targets[i % targets.size()]: several servers sharing one database.
    std::vector<LoopbackTarget> targets;
    int connections = 64;       // keep-alive connections, each one request at a time
    int threads = 1;            // I/O threads; connection i runs on thread i % threads
    double duration_s = 10;     // no request starts after this
    uint64_t max_requests = 0;  // stop after this many requests in all; 0 = no limit
    // 0: closed loop, each connection sends its next request when the previous answer arrived;
    // latency is measured from the send. > 0: open loop, requests/s over all connections on a
    // fixed schedule; latency is measured from the scheduled time, so it includes queueing.
    double rate = 0;
    double timeout_s = 10;  // per request; a timeout counts as an error
    std::string run_id;     // prefix of idempotency keys
    // When set: each connection first POSTs login_body here, keeps the Set-Cookie cookies and
    // sends the bulwark_csrf cookie's value as X-CSRF-Token.
    std::string login_path;
    std::string login_body;
    // With a login: how many sessions (logins, made one at a time); connection i uses session
    // i % sessions. 0: one per connection.
    int sessions = 0;
    std::string acked_file;  // when set: keys of 2xx answers are appended here
};

// The answers and latency of the requests of one label (Request::label).
struct LabelReport {
    uint64_t completed = 0;
    uint64_t status_2xx = 0;
    LatencyHistogram latency;  // nanoseconds
};

struct LoadReport {
    bool open_loop = false;
    double rate = 0;
    int connections = 0;
    int threads = 0;
    double elapsed_s = 0;    // from the start to the last answer
    uint64_t sent = 0;       // requests written (or attempted) on a connection
    uint64_t completed = 0;  // answers received, any status
    uint64_t status_2xx = 0;
    uint64_t status_3xx = 0;
    uint64_t status_4xx = 0;
    uint64_t status_5xx = 0;
    uint64_t status_other = 0;
    uint64_t errors = 0;     // connect, write or read failures and timeouts (no answer)
    uint64_t unsent = 0;     // open loop: scheduled before the end but never sent (backlog)
    uint64_t abandoned = 0;  // still unanswered 1 s after the end
    uint64_t acked = 0;      // keys written to the acked-key file
    uint64_t acked_write_failures = 0;
    std::map<std::string, uint64_t> error_kinds;  // error message -> count
    LatencyHistogram latency;                     // nanoseconds, answered requests only
    std::map<std::string, LabelReport> by_label;  // requests that carried a label

    double Throughput() const { return elapsed_s > 0 ? completed / elapsed_s : 0; }
};

// Runs the load on the calling thread plus `threads - 1` more, and returns when it is over.
// Fails only when the run cannot start: the acked-key file cannot be opened, or a connection
// cannot connect or log in before the start; failures during the run are counted instead.
Result<LoadReport> RunLoad(const LoadOptions& options, Scenario& scenario);

}  // namespace bulwark::bench
