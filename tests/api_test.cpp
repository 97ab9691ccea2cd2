// The foundation's black-box tests: the real server on port 0, on each database driver.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <latch>
#include <mutex>
#include <set>
#include <thread>

#include "db/database.hpp"
#include "tests/support/accounts.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

namespace bulwark {
namespace {

using testsupport::HttpClient;
using testsupport::ServerProcess;
namespace json = boost::json;

// Parameter: "sqlite" or "postgres".
class ApiTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        data_dir_ = testsupport::MakeTempDir("bulwark-api");
        if (GetParam() == "postgres") {
            if (testsupport::TestPostgresUrl().empty()) GTEST_SKIP() << "BULWARK_TEST_PG not set";
            db_url_ = testsupport::CreateTestPostgresDatabase();
            ASSERT_FALSE(db_url_.empty()) << "could not create a test database";
        }
        // There is no default account: every API call below is made as this administrator.
        std::string output;
        ASSERT_TRUE(testsupport::AddUser(data_dir_, db_url_, "admin", kPassword, "administrator",
                                         "street:1", &output))
            << output;
    }

    // Signs `client` in as the administrator (cookie and X-CSRF-Token kept by the client).
    static void LogIn(HttpClient& client) {
        EXPECT_FALSE(testsupport::LogIn(client, "admin", kPassword).empty());
    }

    static constexpr const char* kPassword = "api-test-password";

    std::unique_ptr<ServerProcess> StartServer(std::vector<std::string> extra = {},
                                               std::string data_dir = "") {
        auto server = std::make_unique<ServerProcess>(data_dir.empty() ? data_dir_ : data_dir,
                                                      db_url_, std::move(extra));
        EXPECT_TRUE(server->Start()) << server->output();
        return server;
    }

    // Opens the same database the server uses, to check what it stored.
    std::unique_ptr<db::Database> OpenDirect() {
        auto opened =
            db::Open({.url = db_url_.empty() ? "sqlite:" + data_dir_ + "/bulwark.db" : db_url_});
        EXPECT_TRUE(opened.ok()) << opened.error().message;
        return opened.ok() ? std::move(*opened) : nullptr;
    }

    std::string data_dir_;
    std::string db_url_;
};

json::value Parse(const std::string& body) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    return ec ? json::value() : v;
}

void ExpectErrorBody(const testsupport::HttpResult& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    json::value v = Parse(r.body);
    ASSERT_TRUE(v.is_object()) << "error body is not JSON: " << r.body;
    const json::value* err = v.as_object().if_contains("error");
    ASSERT_TRUE(err && err->is_object()) << r.body;
    EXPECT_EQ(err->as_object().at("code").as_string(), code) << r.body;
    EXPECT_TRUE(err->as_object().at("message").is_string());
    EXPECT_TRUE(err->as_object().contains("field"));
    EXPECT_NE(r.Header("content-type").find("application/json"), std::string::npos);
}

std::string ClientError(const std::string& key, const std::string& message) {
    return json::serialize(json::object{{"key", key}, {"message", message}, {"page", "/sampling"}});
}

// `bulwark version` names the malloc the server runs on: jemalloc in the release and bench
// builds, glibc's under the sanitizers.
TEST(VersionTest, NamesTheMalloc) {
    const std::string cmd = testsupport::BulwarkBinary() + " version 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
    EXPECT_EQ(::pclose(pipe), 0) << out;
#if defined(BULWARK_EXPECT_JEMALLOC)
    EXPECT_NE(out.find("malloc: jemalloc 5."), std::string::npos) << out;
#else
    EXPECT_NE(out.find("malloc: glibc"), std::string::npos) << out;
#endif
}

TEST_P(ApiTest, HealthAndInfo) {
    auto server = StartServer();
    HttpClient client(server->port());
    LogIn(client);
    auto health = client.Get("/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_TRUE(health.body.empty());
    EXPECT_FALSE(health.Header("x-request-id").empty());

    auto info = client.Get("/api/v1/system/info");
    ASSERT_EQ(info.status, 200) << info.body;
    json::value v = Parse(info.body);
    EXPECT_EQ(v.at("name").as_string(), "Bulwark");
    EXPECT_EQ(v.at("database").as_string(), GetParam() == "postgres" ? "postgresql" : "sqlite");
    EXPECT_EQ(info.Header("cache-control"), "no-store");
    EXPECT_EQ(client.connections_opened(), 1) << "keep-alive should reuse the connection";
}

TEST_P(ApiTest, BadRequestsGetCleanErrors) {
    auto server = StartServer({"--body-limit", "4096", "--read-timeout-ms", "1000"});
    HttpClient client(server->port());
    LogIn(client);

    ExpectErrorBody(client.Get("/api/v1/no-such-thing"), 404, "not_found");
    ExpectErrorBody(client.Send("DELETE", "/api/v1/system/info", ""), 405, "method_not_allowed");
    ExpectErrorBody(client.Send("POST", "/api/v1/client-errors", ClientError("k-12345678", "x"),
                                {{"Content-Type", "text/plain"}}),
                    415, "unsupported_media_type");
    auto malformed = client.PostJson("/api/v1/client-errors", "{\"key\": \"abc");
    ExpectErrorBody(malformed, 400, "invalid_argument");
    auto missing = client.PostJson("/api/v1/client-errors", "{\"key\": \"k-12345678\"}");
    ExpectErrorBody(missing, 400, "invalid_argument");
    EXPECT_EQ(Parse(missing.body).at("error").at("field").as_string(), "message");
    ExpectErrorBody(client.PostJson("/api/v1/client-errors", std::string(8000, '[')), 413,
                    "payload_too_large");

    // A slow client that stops sending halfway is cut off by the read timeout, not left hanging.
    auto [reply, closed] = testsupport::RawExchange(
        server->port(),
        "POST /api/v1/client-errors HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{", 5000);
    EXPECT_TRUE(closed) << "connection still open after the read timeout";

    // Garbage instead of HTTP gets 400 and the server keeps serving others.
    auto [garbage_reply, garbage_closed] =
        testsupport::RawExchange(server->port(), "\x01\x02 nonsense\r\n\r\n", 2000);
    EXPECT_NE(garbage_reply.find(" 400 "), std::string::npos) << garbage_reply;
    EXPECT_TRUE(garbage_closed);
    HttpClient again(server->port());
    EXPECT_EQ(again.Get("/healthz").status, 200);
}

TEST_P(ApiTest, WritesAreIdempotentByKey) {
    auto server = StartServer();
    HttpClient client(server->port());
    LogIn(client);
    auto first = client.PostJson("/api/v1/client-errors", ClientError("retry-key-1", "扫码失败"));
    ASSERT_EQ(first.status, 201) << first.body;
    auto retry = client.PostJson("/api/v1/client-errors", ClientError("retry-key-1", "扫码失败"));
    EXPECT_EQ(retry.status, 201);
    EXPECT_EQ(Parse(retry.body).at("id"), Parse(first.body).at("id"));
    ExpectErrorBody(client.PostJson("/api/v1/client-errors", ClientError("retry-key-1", "另一条")),
                    422, "failed_precondition");

    auto list = client.Get("/api/v1/client-errors");
    ASSERT_EQ(list.status, 200);
    json::value listed = Parse(list.body);
    auto& items = listed.at("items").as_array();
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].at("message").as_string(), "扫码失败");
}

TEST_P(ApiTest, AcknowledgedWritesSurviveKillDashNine) {
    auto server = StartServer();
    const unsigned short port = server->port();
    std::mutex mu;
    std::set<std::string> acked;
    std::atomic<bool> stop{false};
    std::atomic<int> count{0};
    std::vector<std::thread> writers;
    // Every writer signs in before any writes: a fast server otherwise acknowledges 300 writes
    // while the last sign-ins still wait, and the kill below cuts those off.
    std::latch signed_in(8);
    for (int t = 0; t < 8; ++t) {
        writers.emplace_back([&, t] {
            HttpClient client(port);
            LogIn(client);
            signed_in.arrive_and_wait();
            for (int i = 0; !stop; ++i) {
                std::string key = "crash-" + std::to_string(t) + "-" + std::to_string(i);
                auto r = client.PostJson("/api/v1/client-errors", ClientError(key, "m" + key));
                if (r.status == 0) break;  // server gone
                if (r.status == 201) {
                    std::lock_guard lock(mu);
                    acked.insert(key);
                    ++count;
                }
            }
        });
    }
    while (count < 300) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server->Kill();  // kill -9 while writes are in flight
    stop = true;
    for (auto& w : writers) w.join();
    ASSERT_GE(acked.size(), 300u);

    auto restarted = StartServer();  // recovery at start must not lose anything either
    restarted->Stop();
    auto db = OpenDirect();
    ASSERT_TRUE(db);
    auto rows = db->ReadValue([](db::Session& s) {
        return s.Query("SELECT client_key, COUNT(*) FROM client_errors GROUP BY client_key");
    });
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    std::set<std::string> stored;
    for (const auto& row : *rows) {
        EXPECT_EQ(row.Int(1), 1) << row.Text(0) << " stored twice";
        stored.insert(row.Text(0));
    }
    for (const auto& key : acked)
        EXPECT_TRUE(stored.count(key)) << "acknowledged but lost: " << key;
}

TEST_P(ApiTest, GracefulShutdownOnSigterm) {
    auto server = StartServer();
    HttpClient client(server->port());
    LogIn(client);
    ASSERT_EQ(client.PostJson("/api/v1/client-errors", ClientError("before-stop", "x")).status,
              201);
    int status = server->Stop();
    EXPECT_TRUE(WIFEXITED(status)) << "server did not exit by itself on SIGTERM";
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_P(ApiTest, TwoServersOnOnePostgresSeeEachOthersWrites) {
    if (GetParam() != "postgres")
        GTEST_SKIP() << "several servers share a database only on PostgreSQL";
    auto a = StartServer({}, testsupport::MakeTempDir("bulwark-api-a"));
    auto b = StartServer({}, testsupport::MakeTempDir("bulwark-api-b"));
    HttpClient ca(a->port()), cb(b->port());
    LogIn(ca);
    LogIn(cb);
    ASSERT_EQ(ca.PostJson("/api/v1/client-errors", ClientError("from-a-0001", "甲")).status, 201);
    ASSERT_EQ(cb.PostJson("/api/v1/client-errors", ClientError("from-b-0001", "乙")).status, 201);
    for (HttpClient* c : {&ca, &cb}) {
        auto list = c->Get("/api/v1/client-errors");
        ASSERT_EQ(list.status, 200);
        EXPECT_EQ(Parse(list.body).at("items").as_array().size(), 2u) << list.body;
    }
    // The same key sent to the other server is a retry, not a second row.
    auto retry = cb.PostJson("/api/v1/client-errors", ClientError("from-a-0001", "甲"));
    EXPECT_EQ(retry.status, 201);
    EXPECT_EQ(Parse(cb.Get("/api/v1/client-errors").body).at("items").as_array().size(), 2u);
}

TEST_P(ApiTest, BackupWhileServing) {
    if (GetParam() == "postgres") GTEST_SKIP() << "PostgreSQL backups are pg_dump's job";
    auto server = StartServer();
    HttpClient client(server->port());
    LogIn(client);
    ASSERT_EQ(client.PostJson("/api/v1/client-errors", ClientError("backup-key-1", "备份")).status,
              201);
    std::string target = data_dir_ + "/copy.db";
    std::string cmd = testsupport::BulwarkBinary() + " --data " + data_dir_ +
                      " --log-level warn backup " + target + " >/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    auto copy = db::Open({.url = target});
    ASSERT_TRUE(copy.ok());
    auto n = (*copy)->ReadValue(
        [](db::Session& s) { return s.QueryOne("SELECT COUNT(*) FROM client_errors"); });
    ASSERT_TRUE(n.ok() && n->has_value());
    EXPECT_EQ((**n).Int(0), 1);
}

INSTANTIATE_TEST_SUITE_P(Drivers, ApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark
