#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "http/connection_registry.hpp"

namespace bulwark::http {
namespace {

struct Call {
    uint64_t id;
    bool only_if_idle;
};

TEST(ConnectionRegistryTest, StopCancelsOnlyIdleConnectionsAndRefusesNewOnes) {
    ConnectionRegistry registry;
    std::vector<Call> calls;
    auto record = [&calls](uint64_t id, bool only_if_idle) { calls.push_back({id, only_if_idle}); };
    uint64_t idle = registry.Add(record);
    uint64_t busy = registry.Add(record);
    ASSERT_NE(idle, 0u);
    ASSERT_NE(busy, idle);
    EXPECT_TRUE(registry.SetIdle(busy, false));
    EXPECT_TRUE(registry.IsIdle(idle));
    EXPECT_FALSE(registry.IsIdle(busy));

    registry.BeginStop();
    EXPECT_TRUE(registry.stopping());
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].id, idle);
    EXPECT_TRUE(calls[0].only_if_idle);
    EXPECT_EQ(registry.Add(record), 0u);
    EXPECT_FALSE(registry.SetIdle(busy, true));  // a busy one must close after its answer

    registry.CancelAll();
    EXPECT_EQ(calls.size(), 3u);
}

TEST(ConnectionRegistryTest, CloseExpiredClosesEachConnectionPastItsDeadlineOnce) {
    ConnectionRegistry registry;
    std::vector<Call> calls;
    auto record = [&calls](uint64_t id, bool only_if_idle) { calls.push_back({id, only_if_idle}); };
    ConnectionScope late(registry, record);
    ConnectionScope busy(registry, record);  // no deadline: reading nothing, waiting on a worker
    ConnectionScope waiting(registry, record);
    const int64_t now = ConnectionRegistry::NowMillis();
    late.ExpireAfter(std::chrono::milliseconds(10));
    busy.NeverExpire();
    waiting.ExpireAfter(std::chrono::hours(1));

    EXPECT_EQ(registry.CloseExpired(now), 0u);
    EXPECT_EQ(registry.CloseExpired(now + 10), 1u);
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].id, late.id());
    EXPECT_FALSE(calls[0].only_if_idle);
    EXPECT_EQ(registry.CloseExpired(now + 20), 0u) << "asked once; it closes on its own thread";
    EXPECT_EQ(registry.CloseExpired(now + 2 * 3600 * 1000), 1u);
    EXPECT_EQ(calls.back().id, waiting.id());
}

TEST(ConnectionRegistryTest, WaitEmpty) {
    ConnectionRegistry registry;
    auto noop = [](uint64_t, bool) {};
    {
        ConnectionScope scope(registry, noop);
        EXPECT_TRUE(scope.registered());
        EXPECT_EQ(registry.WaitEmpty(std::chrono::steady_clock::now()), 1u);
    }
    EXPECT_EQ(registry.WaitEmpty(std::chrono::steady_clock::now()), 0u);

    uint64_t id = registry.Add(noop);
    std::thread closer([&] { registry.Remove(id); });
    EXPECT_EQ(registry.WaitEmpty(std::chrono::steady_clock::now() + std::chrono::seconds(5)), 0u);
    closer.join();
}

}  // namespace
}  // namespace bulwark::http
