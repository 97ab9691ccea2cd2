#include "auth/guard.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth/auth_test_fixture.hpp"
#include "auth/csrf.hpp"

namespace bulwark::auth {
namespace {

using testing::AuthDbTest;

const ClientInfo kClient{.address = "127.0.0.1", .user_agent = "test", .request_id = "r1"};

// A router with the guard and a few routes of each kind, driven in-process.
class GuardTest : public AuthDbTest {
protected:
    void SetUp() override {
        AuthDbTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        ASSERT_TRUE(db_->Write([](db::Session& s) -> Status {
                           RETURN_IF_ERROR(
                               s.Exec("INSERT INTO role_permissions (role, permission) "
                                      "VALUES ('staff', 'things.read')"));
                           return Ok();
                       })
                        .ok());
        auto echo = [](http::Request& req) {
            const Principal& who = PrincipalOf(req);
            return http::Response::Json(boost::json::object{{"user", who.username}});
        };
        router_.Add(
            {.method = "POST", .pattern = "/api/v1/open", .is_public = true, .handler = echo});
        router_.Add({.method = "GET",
                     .pattern = "/api/v1/things",
                     .permission = "things.read",
                     .handler = echo});
        router_.Add({.method = "POST",
                     .pattern = "/api/v1/things",
                     .permission = "things.read",
                     .handler = echo});
        router_.Add({.method = "GET",
                     .pattern = "/api/v1/secrets",
                     .permission = "secrets.read",
                     .handler = echo});
        router_.Add({.method = "GET",
                     .pattern = "/api/v1/secrets/:id",
                     .permission = "secrets.read",
                     .handler = echo});
        router_.Add({.method = "GET", .pattern = "/api/v1/undeclared", .handler = echo});
        router_.Add({.method = "GET",
                     .pattern = "/api/v1/me",
                     .permission = "account.self",
                     .handler = echo});
        router_.SetGuard(MakeGuard(auth_));
        router_.Freeze();
        AddUser("sam", "sam-password-01");
        auto in = auth_->sessions.Login("sam", "sam-password-01", kClient);
        ASSERT_TRUE(in.ok() && in->kind == LoginOutcome::Kind::kSignedIn);
        token_ = in->token;
        csrf_ = in->csrf_token;
    }

    http::Response Send(const std::string& method, const std::string& path,
                        bool with_session = true, bool with_csrf = true,
                        const std::string& origin = "") {
        http::Request req = Build(method, path, with_session, with_csrf, origin);
        return router_.Dispatch(req);
    }

    http::Request Build(const std::string& method, const std::string& path, bool with_session,
                        bool with_csrf, const std::string& origin) {
        http::Request req;
        req.method = method;
        req.target = path;
        req.path = path;
        req.client_address = "127.0.0.1";
        req.request_id = "req-" + std::to_string(++requests_);
        req.headers.emplace_back("host", "bulwark.example:8443");
        if (with_session) req.headers.emplace_back("cookie", "bulwark_session=" + token_);
        if (with_csrf) req.headers.emplace_back("x-csrf-token", csrf_);
        if (!origin.empty()) req.headers.emplace_back("origin", origin);
        if (method == "POST") {
            req.headers.emplace_back("content-type", "application/json");
            req.body = "{}";
        }
        return req;
    }

    static std::string Code(const http::Response& r) {
        boost::system::error_code ec;
        auto v = boost::json::parse(r.body, ec);
        if (ec || !v.is_object() || !v.as_object().contains("error")) return "";
        return std::string(v.at("error").at("code").as_string());
    }

    http::Router router_;
    std::string token_;
    std::string csrf_;
    int requests_ = 0;
};

TEST_P(GuardTest, SignedInWithPermissionPasses) {
    http::Response r = Send("GET", "/api/v1/things");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("\"sam\""), std::string::npos);
    EXPECT_EQ(Send("POST", "/api/v1/things").status, 200);
    EXPECT_EQ(Send("GET", "/api/v1/me").status, 200);
    EXPECT_EQ(AuditCount("request.denied"), 0);
}

TEST_P(GuardTest, NoSessionIs401AndAudited) {
    http::Response r = Send("GET", "/api/v1/things", false);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(Code(r), "unauthenticated");
    EXPECT_EQ(AuditCount("request.denied"), 1);
    token_ = std::string(32, 'a');
    EXPECT_EQ(Send("GET", "/api/v1/things").status, 401);
    EXPECT_EQ(AuditCount("request.denied"), 2);
}

TEST_P(GuardTest, PublicRoutesPassWithoutSession) {
    EXPECT_EQ(Send("POST", "/api/v1/open", false, false).status, 200);
    // ...but not from a foreign origin.
    http::Response r = Send("POST", "/api/v1/open", false, false, "https://evil.example");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(Code(r), "csrf");
}

TEST_P(GuardTest, StateChangesNeedTheCsrfTokenAndTheOwnOrigin) {
    http::Response missing = Send("POST", "/api/v1/things", true, false);
    EXPECT_EQ(missing.status, 403);
    EXPECT_EQ(Code(missing), "csrf");
    csrf_ = std::string(32, '0');
    EXPECT_EQ(Code(Send("POST", "/api/v1/things")), "csrf");
    auto in = auth_->sessions.Authenticate(token_, kClient);
    ASSERT_TRUE(in.ok());
    csrf_ = in->csrf_token;
    EXPECT_EQ(Send("POST", "/api/v1/things", true, true, "http://bulwark.example:8443").status, 200)
        << "the own scheme://host (plain HTTP request)";
    EXPECT_EQ(Code(Send("POST", "/api/v1/things", true, true, "https://bulwark.example:8443")),
              "csrf")
        << "another scheme is another origin";
    EXPECT_EQ(Code(Send("POST", "/api/v1/things", true, true, "http://evil.example")), "csrf");
    EXPECT_EQ(Code(Send("POST", "/api/v1/things", true, true, "null")), "csrf");
    // Reads need no token.
    EXPECT_EQ(Send("GET", "/api/v1/things", true, false).status, 200);
    EXPECT_EQ(AuditCount("request.denied"), 5);
}

TEST_P(GuardTest, MissingPermissionIs403OrLooksLikeAMissingId) {
    http::Response list = Send("GET", "/api/v1/secrets");
    EXPECT_EQ(list.status, 403);
    EXPECT_EQ(Code(list), "permission_denied");
    http::Response one = Send("GET", "/api/v1/secrets/5");
    EXPECT_EQ(one.status, 404);
    EXPECT_EQ(Code(one), "not_found");
    EXPECT_NE(one.body.find("未找到"), std::string::npos);
    EXPECT_EQ(AuditCount("request.denied"), 2);
}

TEST_P(GuardTest, RoutesWithoutAPermissionAreClosed) {
    EXPECT_EQ(Send("GET", "/api/v1/undeclared").status, 403);
}

TEST_P(GuardTest, AForcedPasswordChangeAllowsOnlyTheOwnAccount) {
    auto user = auth_->accounts.GetByUsername(nullptr, "sam");
    ASSERT_TRUE(user.ok());
    auto password = auth_->accounts.ResetPassword(nullptr, user->id);
    ASSERT_TRUE(password.ok());
    EXPECT_EQ(Send("GET", "/api/v1/things").status, 401) << "a reset ends the sessions";
    auto in = auth_->sessions.Login("sam", *password, kClient);
    ASSERT_TRUE(in.ok());
    token_ = in->token;
    csrf_ = in->csrf_token;
    http::Response r = Send("GET", "/api/v1/things");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(Code(r), "password_change_required");
    EXPECT_EQ(Send("GET", "/api/v1/me").status, 200);
}

// The quick path (never-blocking routes, on an I/O thread) lets through only what the guard
// would, and only from the session cache; it never answers, so it writes no audit row.
TEST_P(GuardTest, TheQuickGuardPassesOnlyCachedSessionsTheGuardWouldPass) {
    const http::QuickGuard quick = MakeQuickGuard(auth_);
    auto passes = [&](const std::string& method, const std::string& path, bool with_session = true,
                      bool with_csrf = true, const std::string& origin = "") {
        http::Request req = Build(method, path, with_session, with_csrf, origin);
        const http::RouteSpec* spec = router_.Find(req).route;
        EXPECT_NE(spec, nullptr) << path;
        if (spec == nullptr || !quick(*spec, req)) return false;
        EXPECT_EQ(PrincipalOf(req).username, "sam");
        EXPECT_EQ(PrincipalOf(req).request_id, req.request_id);
        return true;
    };
    EXPECT_FALSE(passes("GET", "/api/v1/things")) << "not in the cache yet";
    EXPECT_EQ(Send("GET", "/api/v1/things").status, 200);  // read from the database, cached
    EXPECT_TRUE(passes("GET", "/api/v1/things"));
    EXPECT_TRUE(passes("POST", "/api/v1/things"));
    EXPECT_TRUE(passes("GET", "/api/v1/me"));
    EXPECT_FALSE(passes("POST", "/api/v1/things", true, false)) << "no CSRF token";
    EXPECT_FALSE(passes("POST", "/api/v1/things", true, true, "http://evil.example"));
    EXPECT_FALSE(passes("GET", "/api/v1/secrets")) << "a permission sam lacks";
    EXPECT_FALSE(passes("GET", "/api/v1/secrets/5"));
    EXPECT_FALSE(passes("GET", "/api/v1/undeclared"));
    EXPECT_FALSE(passes("GET", "/api/v1/things", false)) << "no session cookie";
    EXPECT_FALSE(passes("POST", "/api/v1/open", false, false)) << "public: the usual way";
    EXPECT_EQ(AuditCount("request.denied"), 0);

    // A session ended is gone from the cache at once.
    auto in = auth_->sessions.Authenticate(token_, kClient);
    ASSERT_TRUE(in.ok());
    ASSERT_TRUE(auth_->sessions.Logout(in->principal).ok());
    EXPECT_FALSE(passes("GET", "/api/v1/things"));
    EXPECT_EQ(Send("GET", "/api/v1/things").status, 401);
}

TEST(CsrfTest, SameOrigin) {
    http::Request req;
    req.headers = {{"host", "Example.org"}};
    EXPECT_TRUE(SameOrigin(req));
    req.headers.emplace_back("origin", "http://example.org");
    EXPECT_TRUE(SameOrigin(req));
    req.secure = true;
    EXPECT_FALSE(SameOrigin(req));
    req.headers = {{"host", "example.org"}, {"origin", "https://example.org"}};
    EXPECT_TRUE(SameOrigin(req));
    req.headers = {{"host", "example.org"}, {"sec-fetch-site", "cross-site"}};
    EXPECT_FALSE(SameOrigin(req));
    req.headers = {{"host", "example.org"}, {"sec-fetch-site", "same-origin"}};
    EXPECT_TRUE(SameOrigin(req));
    EXPECT_TRUE(ChangesState("DELETE"));
    EXPECT_FALSE(ChangesState("GET"));
    EXPECT_FALSE(ChangesState("HEAD"));
}

BULWARK_AUTH_DB_TEST_SUITE(GuardTest);

}  // namespace
}  // namespace bulwark::auth
