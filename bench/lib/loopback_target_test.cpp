#include "bench/lib/loopback_target.hpp"

#include <gtest/gtest.h>

namespace bulwark::bench {
namespace {

TEST(LoopbackTargetTest, AcceptsLoopbackForms) {
    auto a = ParseLoopbackTarget("http://127.0.0.1:8080");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->address, "127.0.0.1");
    EXPECT_EQ(a->port, 8080);
    EXPECT_EQ(a->host, "127.0.0.1:8080");

    auto b = ParseLoopbackTarget("localhost:9000/");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->address, "127.0.0.1");
    EXPECT_EQ(b->host, "localhost:9000");

    auto c = ParseLoopbackTarget("http://[::1]:1234");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->address, "::1");
    EXPECT_EQ(c->port, 1234);

    auto d = ParseLoopbackTarget("http://localhost");
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->port, 80);
}

TEST(LoopbackTargetTest, RefusesOtherHostsAndSchemes) {
    for (const char* url : {"http://10.0.0.1:80", "http://example.com", "https://127.0.0.1:443",
                            "http://127.0.0.2:80", "http://[::2]:80", "http://127.0.0.1:8080/x",
                            "http://127.0.0.1:0", "http://127.0.0.1:99999", "http://[::1"}) {
        auto result = ParseLoopbackTarget(url);
        EXPECT_FALSE(result.ok()) << url;
        if (!result.ok()) {
            EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
        }
    }
}

}  // namespace
}  // namespace bulwark::bench
