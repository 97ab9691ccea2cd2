#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>

#include "http/server_test_fixture.hpp"

namespace bulwark::http::testing {
namespace {

namespace json = boost::json;

TEST_F(ServerTest, RoutesWithPathParamsAndJson) {
    StartServer();
    TestClient client(port_);
    auto response = client.Request("GET", "/api/v1/rounds/42");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(response->Header("cache-control"), "no-store");
    EXPECT_FALSE(response->Header("x-request-id").empty());
    EXPECT_EQ(json::parse(response->body), json::parse(R"({"id":"42"})"));
}

TEST_F(ServerTest, UnknownApiRouteIs404Json) {
    StartServer();
    TestClient client(port_);
    auto response = client.Request("GET", "/api/v1/nothing");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 404);
    EXPECT_EQ(response->Header("content-type"), "application/json; charset=utf-8");
    json::value body = json::parse(response->body);
    EXPECT_EQ(body.at("error").at("code"), "not_found");
    EXPECT_TRUE(body.at("error").at("field").is_null());
    EXPECT_FALSE(response->Header("x-request-id").empty());
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
    StartServer();
    TestClient client(port_);
    auto response = client.Request("DELETE", "/api/v1/rounds/42");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 405);
    EXPECT_EQ(response->Header("allow"), "GET, HEAD");
    EXPECT_EQ(json::parse(response->body).at("error").at("code"), "method_not_allowed");
}

TEST_F(ServerTest, BodyTypesAndJsonHelper) {
    StartServer();
    TestClient client(port_);
    auto wrong_type = client.Request("POST", "/api/v1/rounds", "name=x",
                                     "Content-Type: application/x-www-form-urlencoded\r\n");
    ASSERT_TRUE(wrong_type);
    EXPECT_EQ(wrong_type->status, 415);

    auto ok = client.Request("POST", "/api/v1/rounds", R"({"name":"第一轮"})",
                             "Content-Type: application/json; charset=UTF-8\r\n");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 201);
    EXPECT_EQ(json::parse(ok->body).at("name"), "第一轮");

    // No body and no type passes the router; the handler's JSON parse rejects it.
    auto empty = client.Request("POST", "/api/v1/rounds");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->status, 400);
    json::value error = json::parse(empty->body).at("error");
    EXPECT_EQ(error.at("code"), "invalid_argument");
    EXPECT_EQ(std::string(error.at("message").as_string()).rfind("请求体不是有效的 JSON: ", 0), 0u);

    auto malformed =
        client.Request("POST", "/api/v1/rounds", "{nope", "Content-Type: application/json\r\n");
    ASSERT_TRUE(malformed);
    EXPECT_EQ(malformed->status, 400);
}

// A handler that defers (Request::Defer) holds no worker: with one worker, another request is
// answered while the first waits; the first then gets its answer, finished like any other.
TEST_F(ServerTest, DeferredAnswerFreesTheWorker) {
    options_.worker_threads = 1;
    StartServer();
    std::optional<ClientResponse> later;
    std::atomic<bool> answered{false};
    std::thread waiting([&] {
        TestClient client(port_);
        later = client.Request("GET", "/api/v1/later?q=x");
        answered = true;
    });
    ASSERT_TRUE(gate_.WaitEntered(1));
    TestClient other(port_);
    auto meanwhile = other.Request("GET", "/api/v1/rounds/7");
    ASSERT_TRUE(meanwhile);
    EXPECT_EQ(meanwhile->status, 200);
    EXPECT_FALSE(answered.load());
    gate_.Open();
    waiting.join();
    ASSERT_TRUE(later);
    EXPECT_EQ(later->status, 200);
    EXPECT_EQ(later->Header("cache-control"), "no-store");
    EXPECT_EQ(json::parse(later->body), json::parse(R"({"later":"x"})"));
}

// A never-blocking route runs on the I/O thread when the quick guard lets it through, and on a
// worker otherwise; answered at once or later, it gets what every answer gets.
TEST_F(ServerTest, ANeverBlockingRouteRunsOnTheIoThreadWhenTheQuickGuardLetsIt) {
    StartServer();
    TestClient client(port_);
    for (const char* target : {"/api/v1/quick", "/api/v1/quick?later=1"}) {
        auto here = client.Request("GET", target, "", "X-Quick: yes\r\n");
        ASSERT_TRUE(here);
        EXPECT_EQ(here->status, 200);
        EXPECT_EQ(here->Header("cache-control"), "no-store");
        EXPECT_EQ(json::parse(here->body).at("thread").as_string(), "http-io") << target;
        auto worker = client.Request("GET", target);
        ASSERT_TRUE(worker);
        EXPECT_EQ(worker->status, 200);
        EXPECT_EQ(json::parse(worker->body).at("thread").as_string(), "http-worker") << target;
    }
}

// Each I/O thread runs an io_context of its own: connections are handed to them in turn, and a
// connection stays on its thread, where answers given later from another thread reach it too.
TEST_F(ServerTest, ConnectionsAreSpreadOverTheIoThreadsAndStayOnTheirs) {
    StartServer();
    std::vector<std::unique_ptr<TestClient>> clients;
    std::set<int64_t> threads;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<TestClient>(port_));
        std::optional<int64_t> tid;
        for (const char* target : {"/api/v1/quick", "/api/v1/quick?later=1", "/api/v1/quick"}) {
            auto answer = clients.back()->Request("GET", target, "", "X-Quick: yes\r\n");
            ASSERT_TRUE(answer);
            ASSERT_EQ(answer->status, 200);
            const json::object body = json::parse(answer->body).as_object();
            EXPECT_EQ(body.at("thread").as_string(), "http-io");
            if (!tid) tid = body.at("tid").as_int64();
            EXPECT_EQ(body.at("tid").as_int64(), *tid) << "connection " << i << ", " << target;
        }
        threads.insert(*tid);
    }
    EXPECT_EQ(threads.size(), 2u);
}

TEST_F(ServerTest, HandlerExceptionIs500WithRequestId) {
    StartServer();
    TestClient client(port_);
    auto response = client.Request("GET", "/api/v1/boom");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 500);
    json::value error = json::parse(response->body).at("error");
    EXPECT_EQ(error.at("code"), "internal");
    std::string message(error.at("message").as_string());
    EXPECT_NE(message.find(response->Header("x-request-id")), std::string::npos);
}

TEST_F(ServerTest, KeepAliveReusesTheConnectionWithDistinctRequestIds) {
    StartServer();
    TestClient client(port_);
    std::set<std::string> ids;
    for (int i = 0; i < 3; ++i) {
        auto response = client.Request("GET", "/api/v1/echo?q=a%20b+c");
        ASSERT_TRUE(response) << "request " << i;
        EXPECT_EQ(response->status, 200);
        EXPECT_NE(response->Header("connection"), "close");
        json::value body = json::parse(response->body);
        EXPECT_EQ(body.at("q"), "a b c");
        EXPECT_EQ(body.at("client"), "127.0.0.1");
        EXPECT_EQ(body.at("secure"), false);
        EXPECT_EQ(body.at("request_id"), response->Header("x-request-id").c_str());
        ids.insert(response->Header("x-request-id"));
    }
    EXPECT_EQ(ids.size(), 3u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
    StartServer();
    TestClient client(port_);
    ASSERT_TRUE(
        client.Send(RawRequest("GET", "/api/v1/rounds/1") + RawRequest("GET", "/api/v1/rounds/2")));
    auto first = client.Read();
    auto second = client.Read();
    ASSERT_TRUE(first && second);
    EXPECT_EQ(json::parse(first->body).at("id"), "1");
    EXPECT_EQ(json::parse(second->body).at("id"), "2");
}

TEST_F(ServerTest, ConnectionCloseAndHttp10AreHonoured) {
    StartServer();
    TestClient close_client(port_);
    auto response = close_client.Request("GET", "/healthz", "", "Connection: close\r\n");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("connection"), "close");
    EXPECT_GE(close_client.WaitClosed(2000), 0);

    TestClient old_client(port_);
    ASSERT_TRUE(old_client.Send("GET /healthz HTTP/1.0\r\n\r\n"));
    auto old = old_client.Read();
    ASSERT_TRUE(old);
    EXPECT_EQ(old->status, 200);
    EXPECT_GE(old_client.WaitClosed(2000), 0);
}

TEST_F(ServerTest, ExpectContinueGetsInterimResponse) {
    StartServer();
    TestClient client(port_);
    std::string body = R"({"a":1})";
    ASSERT_TRUE(
        client.Send("POST /api/v1/rounds HTTP/1.1\r\nHost: x\r\n"
                    "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                    "Content-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n"));
    // The interim answer comes before the body is sent, as real clients wait for it.
    auto interim = client.Read();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100);
    ASSERT_TRUE(client.Send(body));
    auto final_response = client.Read();
    ASSERT_TRUE(final_response);
    EXPECT_EQ(final_response->status, 201);
}

TEST_F(ServerTest, ListenAddresses) {
    auto start_error = [this]() -> std::optional<ErrorCode> {
        Server server(options_, router_);
        auto port = server.Start();
        if (port.ok()) return std::nullopt;
        return port.error().code;
    };
    options_.listen = "localhost:8080";
    EXPECT_EQ(start_error(), ErrorCode::kInvalidArgument);
    options_.listen = "127.0.0.1:65536";
    EXPECT_EQ(start_error(), ErrorCode::kInvalidArgument);
    options_.listen = "127.0.0.1";
    EXPECT_EQ(start_error(), ErrorCode::kInvalidArgument);

    options_.listen = "127.0.0.1:0";
    StartServer();
    auto second_start = server_->Start();
    ASSERT_FALSE(second_start.ok());
    EXPECT_EQ(second_start.error().code, ErrorCode::kFailedPrecondition);
    options_.listen = "127.0.0.1:" + std::to_string(port_);
    EXPECT_EQ(start_error(), ErrorCode::kUnavailable);

    options_.listen = "[::1]:0";
    Server v6(options_, router_);
    auto port = v6.Start();
    if (!port.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << port.error().message;
    EXPECT_NE(*port, 0);
}

TEST_F(ServerTest, AHeaderWithALineBreakIsLeftOut) {
    Router router;
    router.Add(Route("GET", "/api/v1/split", [](Request&) {
        Response response = Response::Json({{"ok", true}});
        response.AddHeader("Content-Disposition", "attachment\r\nSet-Cookie: planted=1");
        response.AddHeader("X-Fine", "yes");
        return response;
    }));
    router.Freeze();
    Server server(options_, router);
    auto port = server.Start();
    ASSERT_TRUE(port.ok());
    TestClient client(*port);
    auto response = client.Request("GET", "/api/v1/split");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("set-cookie"), "");
    EXPECT_EQ(response->Header("content-disposition"), "");
    EXPECT_EQ(response->Header("x-fine"), "yes");
    EXPECT_EQ(json::parse(response->body), json::parse(R"({"ok":true})"));
    server.Stop();
}

TEST_F(ServerTest, SigtermStopsGracefully) {
    StartServer();
    server_->HandleSignals();
    TestClient client(port_);
    ASSERT_TRUE(client.Request("GET", "/healthz"));
    ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
    server_->Wait();  // returns once the signal stopped the server
    EXPECT_GE(client.WaitClosed(3000), 0);
}

}  // namespace
}  // namespace bulwark::http::testing
