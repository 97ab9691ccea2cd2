#pragma once

#include <any>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulwark::bench {

// One HTTP request a scenario wants sent. The engine adds Host, Content-Length, the login cookie
// and X-CSRF-Token; everything else is the scenario's.
struct Request {
    std::string method = "GET";
    std::string target = "/";  // path and query
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Set when the request carries an idempotency key: a 2xx answer appends it to --acked-file.
    std::string idempotency_key;
    // When set, the report also counts this request's answers and latency under this name
    // (LoadReport::by_label): "scan" and "open_tube" apart in one load.
    std::string label;
};

// What came back; body is valid only during OnResponse.
struct Response {
    unsigned status = 0;
    std::string_view body;
};

// Per-connection state, owned by the engine and touched only by that connection's thread.
struct ConnState {
    int conn = 0;        // 0-based connection number
    uint64_t seq = 0;    // requests this connection has asked Next() for before this one
    std::string run_id;  // unique per loadgen run, to keep idempotency keys fresh
    std::any data;       // free for the scenario (for instance the current tube)
};

// What each connection does, request after request: the closed-loop engine calls Next() when the
// previous answer arrived, the open-loop engine when the clock says so. One Scenario object is
// shared by all connections and threads: keep per-connection state in ConnState::data, and make
// any shared state thread-safe.
class Scenario {
public:
    virtual ~Scenario() = default;
    virtual Request Next(ConnState& state) = 0;
    // Called for every answer, whatever its status; not called for transport errors.
    virtual void OnResponse(ConnState& state, const Request& request, const Response& response) {
        (void)state, (void)request, (void)response;
    }
};

}  // namespace bulwark::bench
