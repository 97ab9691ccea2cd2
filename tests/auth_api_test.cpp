// Black-box tests of accounts, sessions, CSRF and the route registry: the real server on port
// 0, on each database driver.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <set>

#include "tests/support/accounts.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

namespace bulwark {
namespace {

using testsupport::HttpClient;
using testsupport::HttpResult;
using testsupport::ServerProcess;
namespace json = boost::json;

json::value Parse(const std::string& body) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    return ec ? json::value() : v;
}

std::string ErrorCodeOf(const HttpResult& r) {
    json::value v = Parse(r.body);
    if (!v.is_object() || !v.as_object().contains("error")) return "";
    return std::string(v.at("error").at("code").as_string());
}

std::string LoginBody(const std::string& user, const std::string& password) {
    return json::serialize(json::object{{"username", user}, {"password", password}});
}

// The Set-Cookie line of cookie `name` from a response ("" if none).
std::string SetCookieLine(const HttpResult& r, const std::string& name) {
    std::string all = r.Header("set-cookie");
    size_t start = 0;
    while (start <= all.size()) {
        size_t end = all.find('\n', start);
        std::string line = all.substr(start, end == std::string::npos ? end : end - start);
        if (line.rfind(name + "=", 0) == 0) return line;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return "";
}

std::string CookieValue(const std::string& set_cookie_line) {
    auto eq = set_cookie_line.find('=');
    auto semi = set_cookie_line.find(';');
    return set_cookie_line.substr(eq + 1, semi - eq - 1);
}

struct RouteInfo {
    std::string method;
    std::string pattern;
    bool is_public = false;
    std::string permission;
    std::string content_type;  // the first body type the route accepts
};

// Parameter: "sqlite" or "postgres".
class AuthApiTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        data_dir_ = testsupport::MakeTempDir("bulwark-auth-api");
        if (GetParam() == "postgres") {
            if (testsupport::TestPostgresUrl().empty()) GTEST_SKIP() << "BULWARK_TEST_PG not set";
            db_url_ = testsupport::CreateTestPostgresDatabase();
            ASSERT_FALSE(db_url_.empty()) << "could not create a test database";
        }
    }

    std::unique_ptr<ServerProcess> StartServer(std::vector<std::string> extra = {}) {
        auto server = std::make_unique<ServerProcess>(data_dir_, db_url_, std::move(extra));
        EXPECT_TRUE(server->Start()) << server->output();
        return server;
    }

    void AddUser(const std::string& name, const std::string& password,
                 const std::string& role = "administrator", const std::string& scope = "street:1") {
        std::string output;
        ASSERT_TRUE(testsupport::AddUser(data_dir_, db_url_, name, password, role, scope, &output))
            << output;
    }

    // Runs the binary with `args` after the common options; returns stdout.
    std::string RunBulwark(const std::string& args, int* status = nullptr) {
        std::string cmd =
            testsupport::BulwarkBinary() + " --data '" + data_dir_ + "' --log-level warn";
        if (!db_url_.empty()) cmd += " --db '" + db_url_ + "'";
        cmd += " " + args + " 2>/dev/null";
        FILE* pipe = ::popen(cmd.c_str(), "r");
        std::string out;
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
        int rc = ::pclose(pipe);
        if (status != nullptr) *status = rc;
        return out;
    }

    std::vector<RouteInfo> Routes() {
        json::value v = Parse(RunBulwark("routes --json"));
        std::vector<RouteInfo> routes;
        if (!v.is_array()) {
            ADD_FAILURE() << "bulwark routes --json did not print a JSON array";
            return routes;
        }
        for (const json::value& r : v.as_array()) {
            const json::array& accepts = r.at("accepts").as_array();
            routes.push_back(
                {std::string(r.at("method").as_string()), std::string(r.at("pattern").as_string()),
                 r.at("public").as_bool(), std::string(r.at("permission").as_string()),
                 accepts.empty() ? "application/json" : std::string(accepts.at(0).as_string())});
        }
        return routes;
    }

    std::string data_dir_;
    std::string db_url_;
};

// A concrete path for a pattern: ":x" segments become 1, a final "*" becomes "x".
std::string PathFor(const std::string& pattern) {
    std::string out;
    size_t i = 0;
    while (i < pattern.size()) {
        if (pattern[i] == ':' || pattern[i] == '*') {
            out += pattern[i] == ':' ? "1" : "x";
            while (i < pattern.size() && pattern[i] != '/') ++i;
        } else {
            out += pattern[i++];
        }
    }
    return out;
}

TEST_P(AuthApiTest, LoginAnswersWrongPasswordAndUnknownNameAlike) {
    AddUser("admin", "admin-password-1");
    auto server = StartServer();
    HttpClient client(server->port());
    HttpResult wrong =
        client.PostJson("/api/v1/auth/login", LoginBody("admin", "wrong-password-1"));
    HttpResult unknown =
        client.PostJson("/api/v1/auth/login", LoginBody("nobody", "wrong-password-1"));
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(unknown.status, 401);
    EXPECT_EQ(wrong.body, unknown.body);
    EXPECT_EQ(Parse(wrong.body).at("error").at("message").as_string(), "用户名或密码错误");
    EXPECT_TRUE(wrong.Header("set-cookie").empty());

    HttpResult ok = client.PostJson("/api/v1/auth/login", LoginBody("admin", "admin-password-1"));
    ASSERT_EQ(ok.status, 200) << ok.body;
    json::value body = Parse(ok.body);
    EXPECT_EQ(body.at("user").at("username").as_string(), "admin");
    EXPECT_FALSE(body.at("user").as_object().contains("password_hash"));
    std::string csrf(body.at("csrf_token").as_string());
    EXPECT_EQ(csrf.size(), 32u);

    std::string session = SetCookieLine(ok, "bulwark_session");
    std::string csrf_cookie = SetCookieLine(ok, "bulwark_csrf");
    ASSERT_FALSE(session.empty()) << ok.Header("set-cookie");
    ASSERT_FALSE(csrf_cookie.empty()) << ok.Header("set-cookie");
    EXPECT_EQ(CookieValue(session).size(), 32u) << "128-bit token, hex";
    EXPECT_NE(session.find("; HttpOnly"), std::string::npos) << session;
    EXPECT_NE(session.find("; SameSite=Strict"), std::string::npos) << session;
    EXPECT_NE(session.find("; Path=/"), std::string::npos) << session;
    EXPECT_EQ(session.find("Secure"), std::string::npos) << "not over plain HTTP: " << session;
    EXPECT_EQ(CookieValue(csrf_cookie), csrf);
    EXPECT_EQ(csrf_cookie.find("HttpOnly"), std::string::npos) << "the page must read it";
    EXPECT_NE(csrf_cookie.find("; SameSite=Strict"), std::string::npos);

    // A second login gets a new token.
    HttpClient other(server->port());
    HttpResult again = other.PostJson("/api/v1/auth/login", LoginBody("admin", "admin-password-1"));
    ASSERT_EQ(again.status, 200);
    EXPECT_NE(CookieValue(SetCookieLine(again, "bulwark_session")), CookieValue(session));
}

TEST_P(AuthApiTest, EverythingButLoginHealthAndStaticFilesNeedsASession) {
    auto server = StartServer();
    HttpClient client(server->port());
    EXPECT_EQ(client.Get("/healthz").status, 200);
    for (const char* path : {"/api/v1/system/info", "/api/v1/auth/me", "/api/v1/users",
                             "/api/v1/users/1", "/api/v1/audit", "/api/v1/client-errors"}) {
        HttpResult r = client.Get(path);
        EXPECT_EQ(r.status, 401) << path << " " << r.body;
        EXPECT_EQ(ErrorCodeOf(r), "unauthenticated") << path;
    }
}

TEST_P(AuthApiTest, MeAndLogoutEndTheSessionOnTheServer) {
    AddUser("admin", "admin-password-1");
    auto server = StartServer();
    HttpClient client(server->port());
    HttpResult login =
        client.PostJson("/api/v1/auth/login", LoginBody("admin", "admin-password-1"));
    ASSERT_EQ(login.status, 200);
    std::string token = CookieValue(SetCookieLine(login, "bulwark_session"));
    std::string csrf(Parse(login.body).at("csrf_token").as_string());

    HttpResult me = client.Get("/api/v1/auth/me");
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(Parse(me.body).at("csrf_token").as_string(), csrf);
    EXPECT_EQ(CookieValue(SetCookieLine(me, "bulwark_csrf")), csrf);
    std::set<std::string> permissions;
    json::value me_body = Parse(me.body);
    for (auto& p : me_body.at("permissions").as_array()) {
        permissions.insert(std::string(p.as_string()));
    }
    EXPECT_TRUE(permissions.count("users.manage"));
    EXPECT_TRUE(permissions.count("system.info.read"));
    EXPECT_EQ(client.Get("/api/v1/system/info").status, 200);

    HttpResult logout = client.Send("POST", "/api/v1/auth/logout", "", {{"X-CSRF-Token", csrf}});
    EXPECT_EQ(logout.status, 204) << logout.body;
    EXPECT_NE(SetCookieLine(logout, "bulwark_session").find("Max-Age=0"), std::string::npos);
    // The old token, replayed by someone who kept it, no longer works.
    HttpClient replay(server->port());
    HttpResult r =
        replay.Send("GET", "/api/v1/auth/me", "", {{"Cookie", "bulwark_session=" + token}});
    EXPECT_EQ(r.status, 401);
}

TEST_P(AuthApiTest, EveryRouteDeclaresAPermissionUnlessPublic) {
    std::vector<RouteInfo> routes = Routes();
    ASSERT_FALSE(routes.empty());
    std::set<std::string> public_routes;
    for (const RouteInfo& r : routes) {
        if (r.is_public) {
            public_routes.insert(r.method + " " + r.pattern);
            EXPECT_TRUE(r.permission.empty()) << r.method << " " << r.pattern;
        } else {
            EXPECT_FALSE(r.permission.empty())
                << r.method << " " << r.pattern << " is neither public nor declares a permission";
            EXPECT_NE(r.permission.find('.'), std::string::npos) << r.permission;
        }
    }
    EXPECT_EQ(public_routes,
              (std::set<std::string>{"POST /api/v1/auth/login", "GET /healthz",
                                     "GET /api/v1/public/codes/:token/results",
                                     "POST /api/v1/public/codes/:token/home-sampling"}));
}

// Missing token or foreign Origin: 403 "csrf" on every state-changing route of the registry.
TEST_P(AuthApiTest, CsrfOnEveryStateChangingRoute) {
    AddUser("admin", "admin-password-1");
    std::vector<RouteInfo> routes = Routes();
    auto server = StartServer();
    HttpClient client(server->port());
    std::string csrf = testsupport::LogIn(client, "admin", "admin-password-1");
    ASSERT_FALSE(csrf.empty());
    int checked = 0;
    for (const RouteInfo& r : routes) {
        if (r.method == "GET" || r.method == "HEAD") continue;
        std::string path = PathFor(r.pattern);
        std::vector<std::pair<std::string, std::string>> json_type = {
            {"Content-Type", r.content_type}};
        if (!r.is_public) {
            client.SetHeader("X-CSRF-Token", "");
            HttpResult missing = client.Send(r.method, path, "{}", json_type);
            EXPECT_EQ(missing.status, 403)
                << r.method << " " << path << " without token: " << missing.body;
            EXPECT_EQ(ErrorCodeOf(missing), "csrf") << r.method << " " << path;
            client.SetHeader("X-CSRF-Token", std::string(32, '0'));
            HttpResult wrong = client.Send(r.method, path, "{}", json_type);
            EXPECT_EQ(ErrorCodeOf(wrong), "csrf") << r.method << " " << path << " wrong token";
            client.SetHeader("X-CSRF-Token", csrf);
        }
        auto foreign = json_type;
        foreign.emplace_back("Origin", "http://evil.example");
        HttpResult cross = client.Send(r.method, path, "{}", foreign);
        EXPECT_EQ(cross.status, 403)
            << r.method << " " << path << " foreign origin: " << cross.body;
        EXPECT_EQ(ErrorCodeOf(cross), "csrf") << r.method << " " << path;
        ++checked;
    }
    EXPECT_GE(checked, 6);
    // The own origin with the token passes (the session is still alive).
    HttpResult own = client.Send("GET", "/api/v1/auth/me", "", {{"Origin", "http://127.0.0.1"}});
    EXPECT_EQ(own.status, 200);
}

TEST_P(AuthApiTest, TenFailedLoginsThen429WithRetryAfter) {
    AddUser("target", "target-password-1", "staff", "community:3");
    auto server = StartServer();
    HttpClient client(server->port());
    for (int i = 0; i < 10; ++i) {
        HttpResult r = client.PostJson("/api/v1/auth/login",
                                       LoginBody("target", "guess-" + std::to_string(i) + "-xxxx"));
        ASSERT_EQ(r.status, 401) << i << " " << r.body;
    }
    HttpResult limited =
        client.PostJson("/api/v1/auth/login", LoginBody("target", "target-password-1"));
    EXPECT_EQ(limited.status, 429) << limited.body;
    int retry_after = std::atoi(limited.Header("retry-after").c_str());
    EXPECT_GT(retry_after, 800);
    EXPECT_LE(retry_after, 900);
    // An unknown name is limited the same way, so the limit does not tell who exists.
    for (int i = 0; i < 10; ++i)
        client.PostJson("/api/v1/auth/login", LoginBody("ghost", "guess-xxxxxxxx"));
    EXPECT_EQ(client.PostJson("/api/v1/auth/login", LoginBody("ghost", "guess-xxxxxxxx")).status,
              429);
}

TEST_P(AuthApiTest, MissingPermissionIs403OrLooksLikeAMissingId) {
    AddUser("admin", "admin-password-1", "administrator", "community:3");
    AddUser("worker", "worker-password-1", "staff", "community:3");
    auto server = StartServer();
    HttpClient admin(server->port());
    ASSERT_FALSE(testsupport::LogIn(admin, "admin", "admin-password-1").empty());
    HttpClient staff(server->port());
    ASSERT_FALSE(testsupport::LogIn(staff, "worker", "worker-password-1").empty());

    EXPECT_EQ(staff.Get("/api/v1/system/info").status, 200);
    HttpResult list = staff.Get("/api/v1/users");
    EXPECT_EQ(list.status, 403);
    EXPECT_EQ(ErrorCodeOf(list), "permission_denied");
    HttpResult audit = staff.Get("/api/v1/audit");
    EXPECT_EQ(audit.status, 403);
    // An existing id without permission looks exactly like a missing id with it.
    HttpResult denied = staff.Get("/api/v1/users/1");
    HttpResult missing = admin.Get("/api/v1/users/999999");
    EXPECT_EQ(denied.status, 404);
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(denied.body, missing.body);
    HttpResult patch = staff.Send("PATCH", "/api/v1/users/1", "{\"locked\":true}",
                                  {{"Content-Type", "application/json"}});
    EXPECT_EQ(patch.status, 404);

    // Denials are audited.
    HttpResult rows = admin.Get("/api/v1/audit?action=request.denied&page_size=100");
    ASSERT_EQ(rows.status, 200) << rows.body;
    EXPECT_GE(Parse(rows.body).at("total").as_int64(), 4);
}

TEST_P(AuthApiTest, AdministratorManagesAccounts) {
    AddUser("admin", "admin-password-1", "administrator", "community:5");
    auto server = StartServer();
    HttpClient admin(server->port());
    ASSERT_FALSE(testsupport::LogIn(admin, "admin", "admin-password-1").empty());

    // Outside the own scope: refused.
    HttpResult outside = admin.PostJson(
        "/api/v1/users",
        R"({"username":"far","grants":[{"role":"staff","scope_kind":"community","scope_id":6}]})");
    EXPECT_EQ(outside.status, 403) << outside.body;

    HttpResult created = admin.PostJson(
        "/api/v1/users",
        R"({"username":"li.ming","display_name":"李明","grants":[{"role":"staff","scope_kind":"community","scope_id":5}]})");
    ASSERT_EQ(created.status, 201) << created.body;
    json::value c = Parse(created.body);
    int64_t id = c.at("user").at("id").as_int64();
    std::string password(c.at("password").as_string());
    EXPECT_TRUE(c.at("user").at("must_change_password").as_bool());
    EXPECT_EQ(
        admin
            .PostJson(
                "/api/v1/users",
                R"({"username":"LI.MING","grants":[{"role":"staff","scope_kind":"community","scope_id":5}]})")
            .status,
        409);

    // The new user must change the one-time password before anything else.
    HttpClient user(server->port());
    std::string csrf = testsupport::LogIn(user, "li.ming", password);
    ASSERT_FALSE(csrf.empty());
    HttpResult blocked = user.Get("/api/v1/system/info");
    EXPECT_EQ(blocked.status, 403);
    EXPECT_EQ(ErrorCodeOf(blocked), "password_change_required");
    HttpResult too_short = user.PostJson(
        "/api/v1/auth/password",
        json::serialize(json::object{{"old_password", password}, {"new_password", "short"}}));
    EXPECT_EQ(too_short.status, 400);
    HttpResult changed =
        user.PostJson("/api/v1/auth/password",
                      json::serialize(json::object{{"old_password", password},
                                                   {"new_password", "li-ming-password-2"}}));
    EXPECT_EQ(changed.status, 204) << changed.body;
    EXPECT_EQ(user.Get("/api/v1/system/info").status, 200);

    HttpResult got = admin.Get("/api/v1/users/" + std::to_string(id));
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(Parse(got.body).at("display_name").as_string(), "李明");
    HttpResult list = admin.Get("/api/v1/users");
    EXPECT_EQ(Parse(list.body).at("items").as_array().size(), 2u);

    // Locking ends the user's session at once.
    HttpResult lock = admin.Send("PATCH", "/api/v1/users/" + std::to_string(id),
                                 R"({"locked":true})", {{"Content-Type", "application/json"}});
    ASSERT_EQ(lock.status, 200) << lock.body;
    EXPECT_TRUE(Parse(lock.body).at("locked").as_bool());
    EXPECT_EQ(user.Get("/api/v1/auth/me").status, 401);
    EXPECT_EQ(
        user.PostJson("/api/v1/auth/login", LoginBody("li.ming", "li-ming-password-2")).status,
        401);
    admin.Send("PATCH", "/api/v1/users/" + std::to_string(id), R"({"locked":false})",
               {{"Content-Type", "application/json"}});

    // A reset gives a new one-time password and ends the sessions.
    ASSERT_FALSE(testsupport::LogIn(user, "li.ming", "li-ming-password-2").empty());
    HttpResult reset =
        admin.PostJson("/api/v1/users/" + std::to_string(id) + "/reset-password", "");
    ASSERT_EQ(reset.status, 200) << reset.body;
    std::string fresh(Parse(reset.body).at("password").as_string());
    EXPECT_EQ(user.Get("/api/v1/auth/me").status, 401);
    ASSERT_FALSE(testsupport::LogIn(user, "li.ming", fresh).empty());
    HttpResult ended =
        admin.Send("DELETE", "/api/v1/users/" + std::to_string(id) + "/sessions", "");
    ASSERT_EQ(ended.status, 200) << ended.body;
    EXPECT_EQ(Parse(ended.body).at("ended").as_int64(), 1);
    EXPECT_EQ(user.Get("/api/v1/auth/me").status, 401);

    // Every step is in the audit log, and the log exports.
    HttpResult audit =
        admin.Get("/api/v1/audit?subject_kind=user&subject_id=" + std::to_string(id));
    ASSERT_EQ(audit.status, 200) << audit.body;
    std::set<std::string> actions;
    json::value audit_body = Parse(audit.body);
    for (auto& row : audit_body.at("items").as_array()) {
        actions.insert(std::string(row.at("action").as_string()));
    }
    for (const char* a : {"user.create", "login", "password.change", "user.lock", "user.unlock",
                          "user.reset_password", "user.end_sessions", "login.failed"}) {
        EXPECT_TRUE(actions.count(a)) << a << " missing from " << audit.body;
    }
    HttpResult csv = admin.Get("/api/v1/audit/export?format=csv&action=user.create");
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_NE(csv.Header("content-type").find("text/csv"), std::string::npos);
    EXPECT_NE(csv.body.find("user.create"), std::string::npos);
    HttpResult xlsx = admin.Get("/api/v1/audit/export?format=xlsx");
    ASSERT_EQ(xlsx.status, 200);
    EXPECT_EQ(xlsx.body.substr(0, 2), "PK") << "an xlsx file is a zip";
}

TEST_P(AuthApiTest, CommandLineAccounts) {
    int status = 0;
    std::string out = RunBulwark(
        "user add --username demo --role administrator --scope street:1 "
        "--random-password",
        &status);
    ASSERT_EQ(status, 0) << out;
    auto at = out.find("初始密码");
    ASSERT_NE(at, std::string::npos) << out;
    std::string password = out.substr(out.find(": ", at) + 2, 16);
    RunBulwark("user add --username demo2 --role nosuchrole --scope street:1 --random-password",
               &status);
    EXPECT_NE(status, 0);
    RunBulwark("user add --username nopw --role staff --scope community:1", &status);
    EXPECT_NE(status, 0) << "a password source is required";

    EXPECT_NE(RunBulwark("user list").find("demo"), std::string::npos);
    auto server = StartServer();
    HttpClient client(server->port());
    ASSERT_FALSE(testsupport::LogIn(client, "demo", password).empty());
    RunBulwark("user lock demo", &status);
    EXPECT_EQ(status, 0);
    EXPECT_EQ(client.Get("/api/v1/auth/me").status, 401);
    RunBulwark("user unlock demo", &status);
    std::string reset = RunBulwark("user reset-password demo", &status);
    ASSERT_EQ(status, 0) << reset;
    std::string fresh = reset.substr(reset.rfind(": ") + 2, 16);
    ASSERT_FALSE(testsupport::LogIn(client, "demo", fresh).empty());
    HttpResult blocked = client.Get("/api/v1/system/info");
    EXPECT_EQ(ErrorCodeOf(blocked), "password_change_required");
}

// Over TLS the cookies are Secure. One driver is enough: this is about the transport.
TEST_P(AuthApiTest, CookiesAreSecureUnderTls) {
    if (GetParam() != "sqlite") GTEST_SKIP() << "transport only";
    AddUser("admin", "admin-password-1");
    auto server = StartServer({"--tls-self-signed"});
    namespace asio = boost::asio;
    namespace beast = boost::beast;
    asio::io_context io;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_verify_mode(asio::ssl::verify_none);  // self-signed, on 127.0.0.1
    beast::ssl_stream<beast::tcp_stream> stream(io, tls);
    beast::get_lowest_layer(stream).connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->port()));
    stream.handshake(asio::ssl::stream_base::client);
    beast::http::request<beast::http::string_body> req{beast::http::verb::post,
                                                       "/api/v1/auth/login", 11};
    req.set(beast::http::field::host, "127.0.0.1");
    req.set(beast::http::field::origin, "https://127.0.0.1");
    req.set(beast::http::field::content_type, "application/json");
    req.body() = LoginBody("admin", "admin-password-1");
    req.prepare_payload();
    beast::http::write(stream, req);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(stream, buffer, res);
    ASSERT_EQ(res.result_int(), 200u) << res.body();
    int cookies = 0;
    for (auto& field : res) {
        if (field.name() != beast::http::field::set_cookie) continue;
        std::string line(field.value());
        EXPECT_NE(line.find("; Secure"), std::string::npos) << line;
        EXPECT_NE(line.find("; SameSite=Strict"), std::string::npos) << line;
        if (line.rfind("bulwark_session=", 0) == 0) {
            EXPECT_NE(line.find("; HttpOnly"), std::string::npos);
        }
        ++cookies;
    }
    EXPECT_EQ(cookies, 2);
}

INSTANTIATE_TEST_SUITE_P(Drivers, AuthApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark
