#include "auth/session_service.hpp"

#include <gtest/gtest.h>

#include "auth/auth_test_fixture.hpp"
#include "auth/secure_random.hpp"

namespace bulwark::auth {
namespace {

using testing::AuthDbTest;

constexpr int64_t kMinute = 60 * 1000;
const ClientInfo kClient{.address = "127.0.0.1", .user_agent = "test", .request_id = "r1"};

class SessionServiceTest : public AuthDbTest {
protected:
    LoginOutcome MustLogin(const std::string& name, const std::string& password) {
        auto outcome = auth_->sessions.Login(name, password, kClient);
        EXPECT_TRUE(outcome.ok()) << outcome.error().message;
        EXPECT_EQ(outcome->kind, LoginOutcome::Kind::kSignedIn) << outcome->message;
        return outcome.ok() ? std::move(*outcome) : LoginOutcome{};
    }
    bool Valid(const std::string& token) {
        return auth_->sessions.Authenticate(token, kClient).ok();
    }
};

TEST_P(SessionServiceTest, LoginGivesA128BitTokenStoredOnlyAsItsDigest) {
    int64_t id = AddUser("alice", "alice-password-1");
    LoginOutcome in = MustLogin("Alice", "alice-password-1");  // names are case-insensitive
    EXPECT_EQ(in.token.size(), 32u);
    EXPECT_EQ(in.csrf_token.size(), 32u);
    EXPECT_NE(in.token, in.csrf_token);
    EXPECT_EQ(in.user.id, id);
    EXPECT_TRUE(in.user.password_hash.empty());
    EXPECT_TRUE(in.principal.Can("account.self"));
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM sessions WHERE token_digest = ?", {in.token}), 0);
    EXPECT_EQ(
        CountRows("SELECT COUNT(*) FROM sessions WHERE token_digest = ?", {TokenDigest(in.token)}),
        1);
    EXPECT_EQ(AuditCount("login"), 1);

    auto session = auth_->sessions.Authenticate(in.token, kClient);
    ASSERT_TRUE(session.ok()) << session.error().message;
    EXPECT_EQ(session->principal.user_id, id);
    EXPECT_EQ(session->csrf_token, in.csrf_token);
    EXPECT_EQ(session->principal.client_address, "127.0.0.1");
    EXPECT_EQ(session->principal.request_id, "r1");

    // A second login gets a new token; the first stays valid (another device)...
    LoginOutcome again = MustLogin("alice", "alice-password-1");
    EXPECT_NE(again.token, in.token);
    EXPECT_TRUE(Valid(in.token));
    // ...unless the browser presented it at login: then it is replaced.
    auto replaced = auth_->sessions.Login("alice", "alice-password-1", kClient, in.token);
    ASSERT_TRUE(replaced.ok());
    EXPECT_FALSE(Valid(in.token));
    EXPECT_TRUE(Valid(replaced->token));
}

TEST_P(SessionServiceTest, WrongPasswordAndUnknownNameGetTheSameAnswer) {
    AddUser("bob", "bob-password-12");
    auto wrong = auth_->sessions.Login("bob", "not-his-password", kClient);
    auto unknown = auth_->sessions.Login("nobody", "not-his-password", kClient);
    ASSERT_TRUE(wrong.ok() && unknown.ok());
    EXPECT_EQ(wrong->kind, LoginOutcome::Kind::kRejected);
    EXPECT_EQ(unknown->kind, LoginOutcome::Kind::kRejected);
    EXPECT_EQ(wrong->message, "用户名或密码错误");
    EXPECT_EQ(unknown->message, wrong->message);
    EXPECT_TRUE(wrong->token.empty());
    EXPECT_EQ(AuditCount("login.failed"), 2);
    EXPECT_EQ(AuditCount("login"), 0);
}

TEST_P(SessionServiceTest, GarbageTokensAreRejected) {
    for (const std::string& token : std::vector<std::string>{"", "x", std::string(32, 'g'),
                                                             std::string(64, 'a'), RandomHex(16)}) {
        auto r = auth_->sessions.Authenticate(token, kClient);
        ASSERT_FALSE(r.ok()) << token;
        EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
    }
}

TEST_P(SessionServiceTest, IdleExpiryAfterThirtyMinutes) {
    AddUser("carol", "carol-password-1");
    LoginOutcome in = MustLogin("carol", "carol-password-1");
    // Activity keeps it alive well past 30 minutes in all...
    for (int i = 0; i < 4; ++i) {
        clock_.Advance(29 * kMinute);
        ASSERT_TRUE(Valid(in.token)) << "after " << (i + 1) * 29 << " minutes with activity";
    }
    // ...but 30 minutes without a request end it, and it stays ended.
    clock_.Advance(30 * kMinute);
    auto r = auth_->sessions.Authenticate(in.token, kClient);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
    clock_.Advance(-29 * kMinute);
    EXPECT_FALSE(Valid(in.token)) << "an expired session must be gone from the server";
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM sessions"), 0);
}

TEST_P(SessionServiceTest, IdleTimeIsMeasuredFromTheLastRequest) {
    AddUser("carl", "carl-password-1");
    LoginOutcome in = MustLogin("carl", "carl-password-1");
    clock_.Advance(20 * kMinute);
    ASSERT_TRUE(Valid(in.token));
    clock_.Advance(29 * kMinute);  // 49 minutes after login, 29 after the last request
    EXPECT_TRUE(Valid(in.token));
    clock_.Advance(30 * kMinute);
    EXPECT_FALSE(Valid(in.token));
}

TEST_P(SessionServiceTest, AbsoluteExpiryAfterTwelveHoursWhateverTheActivity) {
    AddUser("dave", "dave-password-1");
    LoginOutcome in = MustLogin("dave", "dave-password-1");
    for (int minute = 10; minute < 12 * 60; minute += 10) {
        clock_.Set(kStart + minute * kMinute);
        ASSERT_TRUE(Valid(in.token)) << "at minute " << minute;
    }
    clock_.Set(kStart + 12 * 60 * kMinute);
    EXPECT_FALSE(Valid(in.token));
}

TEST_P(SessionServiceTest, LogoutEndsTheSessionOnTheServer) {
    AddUser("erin", "erin-password-1");
    LoginOutcome in = MustLogin("erin", "erin-password-1");
    auto session = auth_->sessions.Authenticate(in.token, kClient);
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE(auth_->sessions.Logout(session->principal).ok());
    EXPECT_FALSE(Valid(in.token));
    EXPECT_EQ(AuditCount("logout"), 1);
}

TEST_P(SessionServiceTest, LockingOrResettingEndsTheUsersSessions) {
    int64_t id = AddUser("frank", "frank-password-1");
    LoginOutcome a = MustLogin("frank", "frank-password-1");
    LoginOutcome b = MustLogin("frank", "frank-password-1");
    ASSERT_TRUE(auth_->accounts.Update(nullptr, id, {.locked = true}).ok());
    EXPECT_FALSE(Valid(a.token));
    EXPECT_FALSE(Valid(b.token));
    auto locked = auth_->sessions.Login("frank", "frank-password-1", kClient);
    ASSERT_TRUE(locked.ok());
    EXPECT_EQ(locked->kind, LoginOutcome::Kind::kRejected);
    EXPECT_NE(locked->message, "用户名或密码错误");  // told only to someone who knows the password
    auto wrong = auth_->sessions.Login("frank", "wrong-password-x", kClient);
    EXPECT_EQ(wrong->message, "用户名或密码错误");
    EXPECT_EQ(AuditCount("user.lock"), 1);

    ASSERT_TRUE(auth_->accounts.Update(nullptr, id, {.locked = false}).ok());
    LoginOutcome c = MustLogin("frank", "frank-password-1");
    auto password = auth_->accounts.ResetPassword(nullptr, id);
    ASSERT_TRUE(password.ok());
    EXPECT_FALSE(Valid(c.token));
    EXPECT_EQ(AuditCount("user.reset_password"), 1);
    LoginOutcome d = MustLogin("frank", *password);
    EXPECT_TRUE(d.user.must_change_password);
    auto session = auth_->sessions.Authenticate(d.token, kClient);
    ASSERT_TRUE(session.ok());
    EXPECT_TRUE(session->must_change_password);
}

TEST_P(SessionServiceTest, TenFailuresLockTheAccountOutForFifteenMinutes) {
    AddUser("gina", "gina-password-1");
    for (int i = 0; i < 10; ++i) {
        clock_.Advance(1000);
        auto r = auth_->sessions.Login("gina", "wrong-" + std::to_string(i), kClient);
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(r->kind, LoginOutcome::Kind::kRejected) << i;
    }
    // Even the right password is refused now, with a Retry-After.
    auto limited = auth_->sessions.Login("gina", "gina-password-1", kClient);
    ASSERT_TRUE(limited.ok());
    EXPECT_EQ(limited->kind, LoginOutcome::Kind::kLimited);
    EXPECT_GT(limited->retry_after_seconds, 14 * 60);
    EXPECT_LE(limited->retry_after_seconds, 15 * 60);
    EXPECT_EQ(AuditCount("login.limited"), 1);
    clock_.Advance(limited->retry_after_seconds * 1000);
    MustLogin("gina", "gina-password-1");
}

TEST_P(SessionServiceTest, SuccessfulLoginsDoNotCountAsFailures) {
    AddUser("hank", "hank-password-1");
    for (int i = 0; i < 15; ++i) MustLogin("hank", "hank-password-1");
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM login_failures"), 0);
}

// What another server process does to the shared database, behind this service's back.
void ExecBehindTheCache(db::Database& db, const std::string& sql) {
    ASSERT_TRUE(db.Write([&](db::Session& s) -> Status {
                      RETURN_IF_ERROR(s.Exec(sql));
                      return Ok();
                  }).ok());
}

TEST_P(SessionServiceTest, AValidatedSessionIsTrustedForTheCacheTtlThenReadAgain) {
    AddUser("iris", "iris-password-1");
    LoginOutcome in = MustLogin("iris", "iris-password-1");
    ASSERT_TRUE(Valid(in.token));
    // Another process ends the session: this one keeps trusting its copy for up to one TTL...
    ExecBehindTheCache(*db_, "DELETE FROM sessions");
    clock_.Advance(auth_->sessions.policy().cache_ttl_ms - 1);
    auto cached = auth_->sessions.Authenticate(in.token, kClient);
    ASSERT_TRUE(cached.ok());
    EXPECT_EQ(cached->csrf_token, in.csrf_token);
    EXPECT_EQ(cached->principal.request_id, "r1");  // the request's own, not the cached one's
    // ...and reads the database again once the TTL is over.
    clock_.Advance(1);
    auto after = auth_->sessions.Authenticate(in.token, kClient);
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(SessionServiceTest, ALockInAnotherProcessTakesEffectWithinTheTtl) {
    int64_t id = AddUser("jack", "jack-password-1");
    LoginOutcome in = MustLogin("jack", "jack-password-1");
    ASSERT_TRUE(Valid(in.token));
    ExecBehindTheCache(*db_, "UPDATE users SET locked = 1 WHERE id = " + std::to_string(id));
    EXPECT_TRUE(Valid(in.token));
    clock_.Advance(auth_->sessions.policy().cache_ttl_ms);
    EXPECT_FALSE(Valid(in.token));
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM sessions"), 0) << "a locked user's sessions end";
}

TEST_P(SessionServiceTest, LogoutAndLockInThisProcessEvictAtOnce) {
    int64_t id = AddUser("kate", "kate-password-1");
    LoginOutcome a = MustLogin("kate", "kate-password-1");
    LoginOutcome b = MustLogin("kate", "kate-password-1");
    auto session = auth_->sessions.Authenticate(a.token, kClient);
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE(Valid(b.token));
    ASSERT_TRUE(auth_->sessions.Logout(session->principal).ok());
    EXPECT_FALSE(Valid(a.token)) << "the clock has not moved: only eviction explains this";
    EXPECT_TRUE(Valid(b.token));
    ASSERT_TRUE(auth_->accounts.Update(nullptr, id, {.locked = true}).ok());
    EXPECT_FALSE(Valid(b.token));
}

TEST_P(SessionServiceTest, ATouchDueGoesToTheDatabase) {
    AddUser("liam", "liam-password-1");
    LoginOutcome in = MustLogin("liam", "liam-password-1");
    const SessionPolicy& policy = auth_->sessions.policy();
    // Requests every half TTL find a fresh cached copy every other time (at 1, 2, 3... TTLs),
    // yet last_seen_at is written as soon as the touch interval has passed, by such a request.
    for (int64_t t = policy.cache_ttl_ms / 2; t <= policy.touch_interval_ms;
         t += policy.cache_ttl_ms / 2) {
        clock_.Set(kStart + t);
        ASSERT_TRUE(Valid(in.token)) << t;
    }
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM sessions WHERE last_seen_at = ?",
                        {kStart + policy.touch_interval_ms}),
              1);
}

TEST_P(SessionServiceTest, ACacheTtlOfZeroReadsEveryTime) {
    AddUser("mia", "mia-password-1");
    LoginOutcome in = MustLogin("mia", "mia-password-1");
    SessionService uncached(*db_, clock_, SessionPolicy{.cache_ttl_ms = 0});
    ASSERT_TRUE(uncached.Authenticate(in.token, kClient).ok());
    ExecBehindTheCache(*db_, "DELETE FROM sessions");
    EXPECT_FALSE(uncached.Authenticate(in.token, kClient).ok());
}

BULWARK_AUTH_DB_TEST_SUITE(SessionServiceTest);

}  // namespace
}  // namespace bulwark::auth
