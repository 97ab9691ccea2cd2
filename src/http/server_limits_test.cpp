#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/json/parse.hpp>

#include "http/server_test_fixture.hpp"
#include "http/static_files.hpp"

namespace bulwark::http::testing {
namespace {

namespace json = boost::json;

TEST_F(ServerTest, MalformedRequestIs400AndClose) {
    StartServer();
    TestClient garbage(port_);
    ASSERT_TRUE(garbage.Send("THIS IS NOT HTTP\r\n\r\n"));
    auto response = garbage.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
    EXPECT_EQ(json::parse(response->body).at("error").at("code"), "bad_request");
    EXPECT_FALSE(response->Header("x-request-id").empty());
    EXPECT_GE(garbage.WaitClosed(3000), 0);

    TestClient bad_escape(port_);
    auto escaped = bad_escape.Request("GET", "/api/v1/rounds/%zz");
    ASSERT_TRUE(escaped);
    EXPECT_EQ(escaped->status, 400);
    EXPECT_GE(bad_escape.WaitClosed(3000), 0);
}

TEST_F(ServerTest, BodyOverLimitIs413AndClose) {
    options_.body_limit = 1024;
    StartServer();
    TestClient client(port_);
    std::string big(4096, 'x');
    auto response =
        client.Request("POST", "/api/v1/rounds", big, "Content-Type: application/json\r\n");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(response->Header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(json::parse(response->body).at("error").at("code"), "payload_too_large");
    EXPECT_EQ(response->Header("connection"), "close");
    EXPECT_GE(client.WaitClosed(3000), 0);

    // A chunked body that grows past the limit is refused the same way.
    TestClient chunked(port_);
    ASSERT_TRUE(
        chunked.Send("POST /api/v1/rounds HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "800\r\n" +
                     std::string(2048, 'y') + "\r\n0\r\n\r\n"));
    auto chunked_response = chunked.Read();
    ASSERT_TRUE(chunked_response);
    EXPECT_EQ(chunked_response->status, 413);

    // A body just under the limit still works.
    TestClient fits(port_);
    auto ok = fits.Request("POST", "/api/v1/rounds", R"({"s":")" + std::string(900, 'z') + "\"}",
                           "Content-Type: application/json\r\n");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 201);
}

TEST_F(ServerTest, SlowClientIsCutOffWithinReadTimeout) {
    options_.read_timeout_ms = 300;
    StartServer();
    TestClient slow(port_);
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(slow.Send("POST /api/v1/rounds HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"));
    // Keep trickling a byte now and then: the limit is for the whole request, not per read.
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    ASSERT_TRUE(slow.Send("X"));
    int64_t waited = slow.WaitClosed(3000);
    auto total = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count();
    ASSERT_GE(waited, 0) << "connection stayed open";
    EXPECT_GE(total, 250);
    EXPECT_LT(total, 1500);

    // The server is not stuck: a well-behaved client is served.
    TestClient fine(port_);
    auto response = fine.Request("GET", "/healthz");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
}

TEST_F(ServerTest, SilentNewConnectionIsClosedWithinReadTimeout) {
    options_.read_timeout_ms = 200;
    options_.idle_timeout_ms = 60000;
    StartServer();
    TestClient silent(port_);
    int64_t waited = silent.WaitClosed(3000);
    ASSERT_GE(waited, 0);
    EXPECT_LT(waited, 1500);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
    options_.idle_timeout_ms = 200;
    StartServer();
    TestClient client(port_);
    auto response = client.Request("GET", "/healthz");
    ASSERT_TRUE(response);
    auto start = std::chrono::steady_clock::now();
    int64_t waited = client.WaitClosed(3000);
    ASSERT_GE(waited, 0);
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, std::chrono::milliseconds(150));
    EXPECT_LT(elapsed, std::chrono::milliseconds(1500));
}

TEST_F(ServerTest, TooManyInFlightGets503) {
    options_.max_in_flight = 1;
    StartServer();
    TestClient blocked(port_);
    ASSERT_TRUE(blocked.Send(RawRequest("GET", "/api/v1/slow")));
    ASSERT_TRUE(gate_.WaitEntered(1));

    TestClient second(port_);
    auto busy = second.Request("GET", "/api/v1/rounds/1");
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->status, 503);
    EXPECT_EQ(busy->Header("retry-after"), "1");
    EXPECT_EQ(json::parse(busy->body).at("error").at("code"), "unavailable");

    gate_.Open();
    auto done = blocked.Read();
    ASSERT_TRUE(done);
    EXPECT_EQ(done->status, 200);
    // Capacity is back once the slow request finished.
    auto again = second.Request("GET", "/api/v1/rounds/1");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
}

TEST_F(ServerTest, BlockedHandlerDoesNotBlockIo) {
    options_.io_threads = 1;
    options_.worker_threads = 2;
    StartServer();
    TestClient blocked(port_);
    ASSERT_TRUE(blocked.Send(RawRequest("GET", "/api/v1/slow")));
    ASSERT_TRUE(gate_.WaitEntered(1));
    // The only I/O thread still serves others while the handler waits on the worker pool.
    TestClient other(port_, 2000);
    auto response = other.Request("GET", "/healthz");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    gate_.Open();
    auto done = blocked.Read();
    ASSERT_TRUE(done);
    EXPECT_EQ(done->status, 200);
}

TEST_F(ServerTest, InlineRoutesAnswerWhileEveryWorkerIsBusy) {
    options_.worker_threads = 1;
    options_.max_in_flight = 1;
    StartServer();
    TestClient blocked(port_);
    ASSERT_TRUE(blocked.Send(RawRequest("GET", "/api/v1/slow")));
    ASSERT_TRUE(gate_.WaitEntered(1));
    // The one worker is held: an inline route and the router's own answers need none...
    TestClient other(port_, 2000);
    auto inline_answer = other.Request("GET", "/inline");
    ASSERT_TRUE(inline_answer);
    EXPECT_EQ(inline_answer->status, 204);
    auto head = other.Request("HEAD", "/inline");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 204);
    auto unknown = other.Request("GET", "/api/v1/nothing");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);
    // ...while a route that may block waits for a worker, here refused at once.
    auto busy = other.Request("GET", "/api/v1/rounds/1");
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->status, 503);
    gate_.Open();
    auto done = blocked.Read();
    ASSERT_TRUE(done);
    EXPECT_EQ(done->status, 200);
}

TEST_F(ServerTest, GracefulStopFinishesInFlightAndClosesIdle) {
    StartServer();
    TestClient idle(port_);
    auto warm = idle.Request("GET", "/healthz");
    ASSERT_TRUE(warm);
    TestClient busy(port_);
    ASSERT_TRUE(busy.Send(RawRequest("GET", "/api/v1/slow")));
    ASSERT_TRUE(gate_.WaitEntered(1));

    std::thread stopper([this] { server_->Stop(5000); });
    // The idle keep-alive connection is closed at once, while the slow request still runs.
    EXPECT_GE(idle.WaitClosed(3000), 0);
    gate_.Open();
    auto done = busy.Read();
    stopper.join();
    ASSERT_TRUE(done);
    EXPECT_EQ(done->status, 200);
    EXPECT_EQ(done->Header("connection"), "close");
    EXPECT_GE(busy.WaitClosed(3000), 0);
    // The listener is gone.
    TestClient late(port_, 1000);
    EXPECT_FALSE(late.connected() && late.Request("GET", "/healthz"));
    server_->Wait();  // returns at once: stopped
}

TEST_F(ServerTest, StaticFilesOverTheWire) {
    auto root = std::filesystem::temp_directory_path() /
                ("bulwark_http_static_" + std::to_string(::getpid()));
    std::filesystem::create_directories(root / "assets");
    std::ofstream(root / "index.html") << "<!doctype html><title>Bulwark</title>";
    std::ofstream(root / "assets" / "app-1a2b.js") << "console.log(1)";
    StaticFiles files;
    ASSERT_TRUE(files.Load(root.string()).ok());
    std::filesystem::remove_all(root);

    Router router;
    router.Add(Route("GET", "/api/v1/x", [](Request&) { return Response::Empty(204); }));
    router.SetFallback([&files](Request& r) { return files.Serve(r); });
    router.Freeze();
    Server server(options_, router);
    auto port = server.Start();
    ASSERT_TRUE(port.ok());
    TestClient client(*port);

    auto script = client.Request("GET", "/assets/app-1a2b.js");
    ASSERT_TRUE(script);
    EXPECT_EQ(script->status, 200);
    EXPECT_EQ(script->body, "console.log(1)");
    EXPECT_EQ(script->Header("content-type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(script->Header("cache-control"), "public, max-age=31536000, immutable");

    auto head = client.Request("HEAD", "/assets/app-1a2b.js");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->Header("content-length"), "14");
    EXPECT_EQ(head->Header("etag"), script->Header("etag"));

    auto page = client.Request("GET", "/rounds/12");  // an app route: index.html
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_EQ(page->Header("cache-control"), "no-cache");
    EXPECT_NE(page->body.find("<title>Bulwark</title>"), std::string::npos);

    auto cached = client.Request("GET", "/", "", "If-None-Match: " + page->Header("etag") + "\r\n");
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->status, 304);
    EXPECT_TRUE(cached->body.empty());

    auto missing = client.Request("GET", "/missing.png");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(json::parse(missing->body).at("error").at("code"), "not_found");

    // Keep-alive survived the HEAD and the 304 (no stray body bytes on the wire).
    auto after = client.Request("GET", "/api/v1/x");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 204);
    server.Stop();
}

}  // namespace
}  // namespace bulwark::http::testing
