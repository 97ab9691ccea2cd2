#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/lib/scenario.hpp"

namespace bulwark::bench {

// A string with placeholders {key}, {seq} and {conn}, parsed once and expanded per request. Any
// other brace is literal text, so JSON bodies need no escaping. Immutable after construction:
// thread-safe.
class RequestTemplate {
public:
    explicit RequestTemplate(std::string_view text);

    // Appends the text to `out` with {key} -> key, {seq} -> seq, {conn} -> conn.
    void ExpandTo(std::string& out, std::string_view key, uint64_t seq, int conn) const;
    std::string Expand(std::string_view key, uint64_t seq, int conn) const;
    bool UsesKey() const { return uses_key_; }

private:
    enum class Kind { kText, kKey, kSeq, kConn };
    std::vector<std::pair<Kind, std::string>> parts_;
    bool uses_key_ = false;
};

// The scenario behind --get and --post: the same request again and again, with placeholders
// expanded per request. When the target, body or a header uses {key}, the key is
// "<run-id>-<conn>-<seq>" and is recorded as the request's idempotency key. Thread-safe.
class TemplateScenario final : public Scenario {
public:
    TemplateScenario(std::string method, std::string_view target, std::string_view body,
                     const std::vector<std::pair<std::string, std::string>>& headers);

    Request Next(ConnState& state) override;

private:
    std::string method_;
    RequestTemplate target_;
    RequestTemplate body_;
    std::vector<std::pair<std::string, RequestTemplate>> headers_;
    bool uses_key_ = false;
};

// "<run-id>-<time>-<conn>-<seq>": <time> is 13 hex digits of microseconds since 1970.
std::string IdempotencyKey(std::string_view run_id, int conn, uint64_t seq);

}  // namespace bulwark::bench
