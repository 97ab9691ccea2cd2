#pragma once

#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>
#include <thread>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "http/json_body.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/test_client.hpp"

namespace bulwark::http::testing {

// A gate that handlers wait on, so that tests hold requests in flight deterministically.
class Gate {
public:
    // Called by the handler: counts itself in, then waits until Open().
    void Enter() {
        std::unique_lock lock(mu_);
        ++entered_;
        changed_.notify_all();
        changed_.wait(lock, [this] { return open_; });
    }
    void Open() {
        std::lock_guard lock(mu_);
        open_ = true;
        changed_.notify_all();
    }
    // Waits until `count` handlers are inside; false after 5 s.
    bool WaitEntered(int count) {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return entered_ >= count; });
    }

private:
    std::mutex mu_;
    std::condition_variable changed_;
    int entered_ = 0;
    bool open_ = false;
};

// Designated initializers would trip -Wmissing-field-initializers; build specs field by field.
inline RouteSpec Route(std::string method, std::string pattern, Handler handler,
                       bool is_public = false) {
    RouteSpec spec;
    spec.method = std::move(method);
    spec.pattern = std::move(pattern);
    spec.handler = std::move(handler);
    spec.is_public = is_public;
    spec.permission = is_public ? "" : "test.access";
    return spec;
}

// Routes used by the server tests.
inline void AddTestRoutes(Router& router, Gate& gate) {
    router.Add(Route("GET", "/healthz", [](Request&) { return Response::Empty(200); }));
    router.Add(Route("GET", "/api/v1/rounds/:id", [](Request& r) {
        return Response::Json({{"id", r.Param("id")}});
    }));
    router.Add(Route("POST", "/api/v1/rounds", [](Request& r) {
        auto body = ParseJsonBody(r);
        if (!body.ok()) return Response::FromError(body.error());
        return Response::Json(*body, 201);
    }));
    router.Add(Route("GET", "/api/v1/echo", [](Request& r) {
        return Response::Json({{"request_id", r.request_id},
                               {"client", r.client_address},
                               {"secure", r.secure},
                               {"q", r.Query("q").value_or("")}});
    }));
    router.Add(Route("GET", "/api/v1/boom",
                     [](Request&) -> Response { throw std::runtime_error("boom"); }));
    router.Add(Route("GET", "/api/v1/slow", [&gate](Request&) {
        gate.Enter();
        return Response::Json({{"done", true}});
    }));
    // Answers later, from a thread of its own once the gate opens; the worker is free at once.
    router.Add(Route("GET", "/api/v1/later", [&gate](Request& r) {
        std::thread([&gate, reply = r.Defer(), q = r.Query("q").value_or("")] {
            gate.Enter();
            reply(Response::Json({{"later", q}}));
        }).detach();
        return Response::Deferred();
    }));
    RouteSpec inline_route = Route(
        "GET", "/inline", [](Request&) { return Response::Empty(204); }, /*is_public=*/true);
    inline_route.runs_inline = true;
    router.Add(std::move(inline_route));
    // Never blocks: names the thread it ran on, at once or (?later) from a thread of its own.
    RouteSpec quick = Route("GET", "/api/v1/quick", [](Request& r) {
        char name[16] = {};
        pthread_getname_np(pthread_self(), name, sizeof name);
        Response answer =
            Response::Json({{"thread", name}, {"tid", static_cast<int64_t>(gettid())}});
        if (!r.Query("later")) return answer;
        std::thread([reply = r.Defer(), answer] { reply(answer); }).detach();
        return Response::Deferred();
    });
    quick.handler_never_blocks = true;
    router.Add(std::move(quick));
    // Lets a request through on the I/O thread when it says "X-Quick: yes".
    router.SetQuickGuard([](const RouteSpec&, Request& r) { return r.Header("x-quick") == "yes"; });
    router.Freeze();
}

// Starts a server on 127.0.0.1:0 with the test routes; tests adjust `options` first.
class ServerTest : public ::testing::Test {
protected:
    ServerTest() {
        options_.listen = "127.0.0.1:0";
        options_.io_threads = 2;
        options_.worker_threads = 4;
        AddTestRoutes(router_, gate_);
    }
    ~ServerTest() override { gate_.Open(); }

    void StartServer() {
        server_ = std::make_unique<Server>(options_, router_);
        auto port = server_->Start();
        ASSERT_TRUE(port.ok()) << port.error().message;
        port_ = *port;
    }

    ServerOptions options_;
    Router router_;
    Gate gate_;
    std::unique_ptr<Server> server_;
    uint16_t port_ = 0;
};

}  // namespace bulwark::http::testing
