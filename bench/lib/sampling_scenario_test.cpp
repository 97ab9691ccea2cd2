#include "bench/lib/sampling_scenario.hpp"

#include <gtest/gtest.h>

#include <regex>

#include <set>

namespace bulwark::bench {
namespace {

SamplingPlan Plan() {
    SamplingPlan plan;
    plan.tables = {{7, 70}, {7, 71}};
    plan.rounds = {3, 4};
    plan.pool_size = 2;
    plan.codes = {"c0", "c1", "c2", "c3", "c4"};  // two blocks per round, c4 unused
    return plan;
}

Response Answer(unsigned status, std::string_view body) { return {status, body}; }

// Asks for the next request, as the engine does (seq counts up).
Request NextOf(SamplingScenario& s, ConnState& c) {
    Request r = s.Next(c);
    ++c.seq;
    return r;
}

TEST(SamplingPlanTest, ParsesAndRefusesWhatWouldBreakTheLoad) {
    auto plan = ParseSamplingPlan(
        R"({"tables":[[1,2],[1,3]],"rounds":[9],"pool_size":2,"codes":["a","b","c"]})");
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    EXPECT_EQ(plan->tables.size(), 2u);
    EXPECT_EQ(plan->tables[1].table_id, 3);
    EXPECT_EQ(plan->Capacity(), 2u);
    EXPECT_FALSE(ParseSamplingPlan("[]").ok());
    EXPECT_FALSE(
        ParseSamplingPlan(R"({"tables":[],"rounds":[1],"pool_size":2,"codes":["a","b"]})").ok());
    EXPECT_FALSE(
        ParseSamplingPlan(R"({"tables":[[1,2]],"rounds":[1],"pool_size":2,"codes":["a\"","b"]})")
            .ok());
    EXPECT_FALSE(
        ParseSamplingPlan(R"({"tables":[[1,2]],"rounds":[1],"pool_size":30,"codes":["a","b"]})")
            .ok());
    EXPECT_FALSE(
        ParseSamplingPlan(R"({"tables":[[1,2]],"rounds":[1],"pool_size":2,"codes":["a"]})").ok());
}

TEST(SamplingScenarioTest, OpensATubeScansUntilItClosesThenOpensTheNext) {
    SamplingScenario s(Plan());
    ConnState c{.conn = 1, .seq = 0, .run_id = "0123456789ab", .data = {}};
    Request open = NextOf(s, c);
    EXPECT_EQ(open.label, "open_tube");
    EXPECT_EQ(open.target, "/api/v1/sampling/tubes");
    EXPECT_TRUE(std::regex_match(open.idempotency_key, std::regex("0123456789ab-[0-9a-f]{13}-1-0")))
        << open.idempotency_key;
    EXPECT_EQ(open.body, R"({"key":")" + open.idempotency_key +
                             R"(","round_id":3,"site_id":7,"table_id":71,)"
                             R"("barcode":"T0123456789ab-1-1"})");
    s.OnResponse(c, open, Answer(201, R"({"id":55,"status":"open"})"));

    Request first = NextOf(s, c);
    EXPECT_EQ(first.label, "scan");
    EXPECT_EQ(first.target, "/api/v1/sampling/scans");
    EXPECT_EQ(first.body, R"({"key":")" + first.idempotency_key +
                              R"(","tube_barcode":"T0123456789ab-1-1","code":"c0"})");
    EXPECT_TRUE(first.idempotency_key.ends_with("-1-1")) << first.idempotency_key;
    s.OnResponse(c, first, Answer(201, R"({"tube":{"status":"open"}})"));
    Request second = NextOf(s, c);
    EXPECT_NE(second.body.find(R"("code":"c1")"), std::string::npos);
    s.OnResponse(c, second, Answer(201, R"({"tube":{"status":"closed"}})"));

    Request next = NextOf(s, c);
    EXPECT_EQ(next.label, "open_tube");
    EXPECT_NE(next.body.find(R"("barcode":"T0123456789ab-1-2")"), std::string::npos);
    EXPECT_EQ(s.blocks_claimed(), 2u);
}

TEST(SamplingScenarioTest, ResendsTheSameKeyWhenNoAnswerCameOrTheServerWasBusy) {
    SamplingScenario s(Plan());
    ConnState c{.conn = 0, .seq = 0, .run_id = "0123456789ab", .data = {}};
    Request open = NextOf(s, c);
    // No OnResponse: a transport error. The same request goes again.
    Request again = NextOf(s, c);
    EXPECT_EQ(again.idempotency_key, open.idempotency_key);
    EXPECT_EQ(again.body, open.body);
    s.OnResponse(c, again, Answer(503, R"({"error":{}})"));
    Request third = NextOf(s, c);
    EXPECT_EQ(third.idempotency_key, open.idempotency_key);
    s.OnResponse(c, third, Answer(201, R"({"id":9})"));
    EXPECT_EQ(NextOf(s, c).label, "scan");
    EXPECT_EQ(s.blocks_claimed(), 1u);
}

TEST(SamplingScenarioTest, ARefusedScanMovesOnAndAShortTubeIsClosedByHand) {
    SamplingScenario s(Plan());
    ConnState c{.conn = 0, .seq = 0, .run_id = "0123456789ab", .data = {}};
    s.OnResponse(c, NextOf(s, c), Answer(201, R"({"id":12})"));
    s.OnResponse(c, NextOf(s, c),
                 Answer(422, R"({"error":{"code":"already_sampled","field":"code"}})"));
    s.OnResponse(c, NextOf(s, c), Answer(201, R"({"tube":{"status":"open"}})"));
    Request close = NextOf(s, c);
    EXPECT_EQ(close.label, "close_tube");
    EXPECT_EQ(close.target, "/api/v1/sampling/tubes/12/close");
    s.OnResponse(c, close, Answer(200, R"({"status":"closed"})"));
    EXPECT_EQ(NextOf(s, c).label, "open_tube");
}

TEST(SamplingScenarioTest, AnOpenTubeLeftAtTheTableIsFoundAndClosedFirst) {
    SamplingScenario s(Plan());
    ConnState c{.conn = 0, .seq = 0, .run_id = "0123456789ab", .data = {}};
    Request open = NextOf(s, c);
    s.OnResponse(c, open, Answer(422, R"({"error":{"code":"table_has_open_tube"}})"));
    Request find = NextOf(s, c);
    EXPECT_EQ(find.label, "find_open_tube");
    EXPECT_EQ(find.method, "GET");
    EXPECT_EQ(find.target, "/api/v1/sampling/tables/70/open-tube");
    EXPECT_TRUE(find.idempotency_key.empty());
    s.OnResponse(c, find, Answer(200, R"({"id":33,"status":"open"})"));
    Request close = NextOf(s, c);
    EXPECT_EQ(close.target, "/api/v1/sampling/tubes/33/close");
    s.OnResponse(c, close, Answer(200, R"({"id":33,"status":"closed"})"));
    Request again = NextOf(s, c);
    EXPECT_EQ(again.label, "open_tube");
    EXPECT_NE(again.body.find(R"("round_id":3)"), std::string::npos);
    EXPECT_EQ(s.blocks_claimed(), 1u) << "the block is still the first one";
}

TEST(SamplingScenarioTest, BlocksNeverScanAResidentTwiceInARoundWhileCapacityLasts) {
    SamplingScenario s(Plan());
    std::set<std::pair<std::string, std::string>> seen;  // (round, code)
    for (int conn = 0; conn < 4; ++conn) {
        ConnState c{.conn = conn, .seq = 0, .run_id = "0123456789ab", .data = {}};
        Request open = NextOf(s, c);
        const size_t at = open.body.find("\"round_id\":") + 11;
        const std::string round = open.body.substr(at, open.body.find(',', at) - at);
        s.OnResponse(c, open, Answer(201, R"({"id":1})"));
        for (int i = 0; i < 2; ++i) {
            Request scan = NextOf(s, c);
            const size_t code = scan.body.find("\"code\":\"") + 8;
            EXPECT_TRUE(seen.insert({round, scan.body.substr(code, 2)}).second) << scan.body;
            s.OnResponse(c, scan, Answer(201, "{}"));
        }
    }
    EXPECT_EQ(seen.size(), Plan().Capacity());
}

}  // namespace
}  // namespace bulwark::bench
