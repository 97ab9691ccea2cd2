#include "bench/lib/template_scenario.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <thread>

namespace bulwark::bench {
namespace {

TEST(RequestTemplateTest, ExpandsPlaceholdersAndKeepsOtherBraces) {
    RequestTemplate t(R"({"key":"{key}","n":{seq},"c":{conn},"x":{other}})");
    EXPECT_TRUE(t.UsesKey());
    EXPECT_EQ(t.Expand("r-1-7", 7, 1), R"({"key":"r-1-7","n":7,"c":1,"x":{other}})");
    EXPECT_FALSE(RequestTemplate("/healthz").UsesKey());
    EXPECT_EQ(RequestTemplate("").Expand("k", 1, 2), "");
    EXPECT_EQ(RequestTemplate("{seq}{seq}{").Expand("k", 3, 0), "33{");
}

TEST(TemplateScenarioTest, KeysAreFreshPerRequestAndConnection) {
    TemplateScenario scenario("POST", "/api/scans", R"({"key":"{key}"})",
                              {{"Idempotency-Key", "{key}"}, {"X-Conn", "{conn}"}});
    ConnState c0{.conn = 0, .seq = 0, .run_id = "run", .data = {}};
    ConnState c1{.conn = 1, .seq = 0, .run_id = "run", .data = {}};
    Request first = scenario.Next(c0);
    c0.seq++;
    Request second = scenario.Next(c0);
    Request other = scenario.Next(c1);
    EXPECT_EQ(first.method, "POST");
    EXPECT_EQ(first.target, "/api/scans");
    // "<run-id>-<13 hex digits of time>-<conn>-<seq>"
    const std::regex shape("run-[0-9a-f]{13}-([0-9]+)-([0-9]+)");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(first.idempotency_key, m, shape)) << first.idempotency_key;
    EXPECT_EQ(m[1], "0");
    EXPECT_EQ(m[2], "0");
    ASSERT_TRUE(std::regex_match(second.idempotency_key, m, shape)) << second.idempotency_key;
    EXPECT_EQ(m[2], "1");
    ASSERT_TRUE(std::regex_match(other.idempotency_key, m, shape)) << other.idempotency_key;
    EXPECT_EQ(m[1], "1");
    EXPECT_EQ(first.body, R"({"key":")" + first.idempotency_key + R"("})");
    // Made one after another, they sort one after another (the database takes each at the end
    // of its index of keys).
    EXPECT_LT(first.idempotency_key, second.idempotency_key);
    EXPECT_LE(second.idempotency_key.substr(0, 17), other.idempotency_key.substr(0, 17));
    ASSERT_EQ(other.headers.size(), 2u);
    EXPECT_EQ(other.headers[0].second, other.idempotency_key);
    EXPECT_EQ(other.headers[1].second, "1");
}

TEST(TemplateScenarioTest, KeysMadeLaterSortLater) {
    const std::string a = IdempotencyKey("run", 9, 99);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const std::string b = IdempotencyKey("run", 0, 0);
    EXPECT_LT(a, b);  // the time decides, not the connection or the sequence
}

TEST(TemplateScenarioTest, NoKeyWithoutPlaceholder) {
    TemplateScenario scenario("GET", "/healthz", "", {});
    ConnState state{.conn = 3, .seq = 9, .run_id = "run", .data = {}};
    Request request = scenario.Next(state);
    EXPECT_TRUE(request.idempotency_key.empty());
    EXPECT_EQ(request.target, "/healthz");
    EXPECT_TRUE(request.body.empty());
}

}  // namespace
}  // namespace bulwark::bench
