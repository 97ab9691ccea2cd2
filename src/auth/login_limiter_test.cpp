#include "auth/login_limiter.hpp"

#include <gtest/gtest.h>

#include "auth/auth_test_fixture.hpp"

namespace bulwark::auth {
namespace {

using testing::AuthDbTest;

class LoginLimiterTest : public AuthDbTest {
protected:
    LoginLimiter::Decision Reserve(const LoginLimiter& limiter, const std::string& name,
                                   const std::string& address) {
        auto d = db_->WriteValue([&](db::Session& s) { return limiter.Reserve(s, name, address); });
        EXPECT_TRUE(d.ok()) << d.error().message;
        return d.ok() ? *d : LoginLimiter::Decision{};
    }
};

TEST_P(LoginLimiterTest, AccountLimitSlidesWithTheWindow) {
    LoginLimiter limiter({.per_account = 10, .per_address = 1000, .window_ms = 15 * 60000}, clock_);
    for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(Reserve(limiter, "alice", "10.0.0." + std::to_string(i)).allowed) << i;
        clock_.Advance(60000);  // one a minute
    }
    auto refused = Reserve(limiter, "alice", "10.0.0.99");
    EXPECT_FALSE(refused.allowed);
    // The oldest failure (10 minutes ago) leaves the window in 5 minutes.
    EXPECT_EQ(refused.retry_after_seconds, 5 * 60);
    // Other accounts are unaffected.
    EXPECT_TRUE(Reserve(limiter, "bob", "10.0.0.99").allowed);
    clock_.Advance(5 * 60000);
    EXPECT_TRUE(Reserve(limiter, "alice", "10.0.0.99").allowed);
    EXPECT_FALSE(Reserve(limiter, "alice", "10.0.0.99").allowed);
}

TEST_P(LoginLimiterTest, AddressLimitCoversManyAccounts) {
    LoginLimiter limiter({.per_account = 10, .per_address = 50, .window_ms = 15 * 60000}, clock_);
    for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(Reserve(limiter, "user" + std::to_string(i), "192.0.2.7").allowed) << i;
    }
    auto refused = Reserve(limiter, "someone-new", "192.0.2.7");
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after_seconds, 15 * 60);
    EXPECT_TRUE(Reserve(limiter, "someone-new", "192.0.2.8").allowed);
    clock_.Advance(15 * 60000);
    EXPECT_TRUE(Reserve(limiter, "someone-new", "192.0.2.7").allowed);
}

TEST_P(LoginLimiterTest, ReleasedAttemptsDoNotCount) {
    LoginLimiter limiter({.per_account = 3, .per_address = 50, .window_ms = 60000}, clock_);
    for (int i = 0; i < 20; ++i) {
        auto d = Reserve(limiter, "carol", "127.0.0.1");
        ASSERT_TRUE(d.allowed) << i;
        ASSERT_TRUE(
            db_->Write([&](db::Session& s) { return limiter.Release(s, d.attempt_id); }).ok());
    }
}

TEST_P(LoginLimiterTest, OldFailuresArePruned) {
    LoginLimiter limiter({}, clock_);
    for (int i = 0; i < 5; ++i) Reserve(limiter, "dave", "127.0.0.1");
    clock_.Advance(16 * 60000);
    Reserve(limiter, "dave", "127.0.0.1");
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM login_failures"), 1);
}

BULWARK_AUTH_DB_TEST_SUITE(LoginLimiterTest);

}  // namespace
}  // namespace bulwark::auth
