#include "bench/lib/template_scenario.hpp"

#include <gtest/gtest.h>

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
    EXPECT_EQ(first.idempotency_key, "run-0-0");
    EXPECT_EQ(first.body, R"({"key":"run-0-0"})");
    EXPECT_EQ(second.idempotency_key, "run-0-1");
    EXPECT_EQ(other.idempotency_key, "run-1-0");
    ASSERT_EQ(other.headers.size(), 2u);
    EXPECT_EQ(other.headers[0].second, "run-1-0");
    EXPECT_EQ(other.headers[1].second, "1");
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
