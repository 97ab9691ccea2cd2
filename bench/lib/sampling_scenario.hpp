#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "bench/lib/scenario.hpp"

namespace bulwark::bench {

// What the sampling load works on, made by bench/run before the load (bench/README.md): sites
// and tables, rounds open now over the residents' community, and those residents' code tokens.
struct SamplingPlan {
    struct Table {
        int64_t site_id = 0;
        int64_t table_id = 0;
    };
    std::vector<Table> tables;       // connection i works at tables[i % size]
    std::vector<int64_t> rounds;     // used one after another as the residents run out
    int pool_size = 10;              // the rounds' pool size: a tube closes by itself at it
    std::vector<std::string> codes;  // personal code tokens of residents in the rounds' scope

    // Scans the plan holds before a resident would be scanned a second time in a round.
    uint64_t Capacity() const;
};

// The plan file: {"tables": [[site_id, table_id], ...], "rounds": [...], "pool_size": 10,
// "codes": ["token", ...]}. Fails with a message naming what is wrong.
Result<SamplingPlan> ParseSamplingPlan(std::string_view json);

// Scanners at sampling tables (issues 5 and 8): each connection is one table with one phone.
// It opens a tube (POST /api/v1/sampling/tubes), scans residents' codes into it
// (POST /api/v1/sampling/scans) until the pool is full, when the server closes it by itself,
// and opens the next. Every request has its own idempotency key; a request that got no answer
// (a transport error) or a 503 is sent again with the same key, as the phone's queue does.
// A scan refused for another reason (422) moves on; a tube left short is closed by hand
// (POST /api/v1/sampling/tubes/:id/close). A table that still has an open tube (from an earlier
// run, or a server killed mid-tube: 422 table_has_open_tube) has it looked up
// (GET /api/v1/sampling/tables/:id/open-tube) and closed first. Requests are labelled
// "open_tube", "scan", "close_tube" and "find_open_tube" for the report.
//
// Residents are handed out in blocks of one tube: block b is round rounds[b / n] and codes
// [(b % n) * pool, +pool) with n = codes / pool, so that no resident is scanned twice in a
// round while Capacity() lasts; past it the blocks start over (and the server answers
// already_sampled). Thread-safe: the block counter is atomic, the rest is per connection.
class SamplingScenario final : public Scenario {
public:
    explicit SamplingScenario(SamplingPlan plan);

    Request Next(ConnState& state) override;
    void OnResponse(ConnState& state, const Request& request, const Response& response) override;

    // Blocks handed out so far (tubes opened or about to be).
    uint64_t blocks_claimed() const { return next_block_.load(std::memory_order_relaxed); }
    // Answers outside 2xx by "<label> <status> <error code>", for the report: why scans were
    // refused. Call after the load.
    std::map<std::string, uint64_t> Refusals() const;

private:
    struct Table;
    Table& TableOf(ConnState& state);
    void Claim(Table& table, const ConnState& state);

    const SamplingPlan plan_;
    const uint64_t blocks_per_round_;
    std::atomic<uint64_t> next_block_{0};
    mutable std::mutex refusals_mu_;
    std::map<std::string, uint64_t> refusals_;  // guarded by refusals_mu_
};

}  // namespace bulwark::bench
