#pragma once

// Internal to http/: the state the server's threads share, and the connection loop. Included by
// server.cpp and session.cpp only, so that Asio stays out of every public header.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "http/connection_registry.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace bulwark::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// One io_context per I/O thread. A connection lives on one of them (handed out in turn), so its
// coroutine, its timers and the answers posted to it from other threads run one at a time
// without a strand; the acceptor, the signals and the sweeper live on the first.
inline std::vector<std::unique_ptr<asio::io_context>> MakeIoContexts(int threads) {
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (int i = 0; i < std::max(1, threads); ++i) {
        contexts.push_back(std::make_unique<asio::io_context>(1));
    }
    return contexts;
}

// Everything the server's threads share. Owned by Server::Impl. Members are destroyed in
// reverse order: the worker pool first, then the I/O objects, then the io_contexts (whose
// leftover coroutine frames still reach `connections`, declared before them).
struct ServerState {
    ServerState(ServerOptions server_options, const Router& server_router)
        : options(std::move(server_options)),
          router(server_router),
          iocs(MakeIoContexts(options.io_threads)),
          acceptor(*iocs.front()),
          signals(*iocs.front()),
          sweeper(*iocs.front()),
          workers(static_cast<size_t>(std::max(1, options.worker_threads))) {}

    const ServerOptions options;
    const Router& router;
    ConnectionRegistry connections;
    std::atomic<size_t> in_flight{0};

    enum class State { kNew, kRunning, kStopped };
    std::mutex state_mu;
    std::condition_variable state_changed;
    State state = State::kNew;   // guarded by state_mu
    std::thread signal_stopper;  // guarded by state_mu
    std::mutex stop_mu;          // one Stop() at a time

    std::optional<asio::ssl::context> tls;
    std::vector<std::unique_ptr<asio::io_context>> iocs;
    size_t next_ioc = 0;  // the io_context of the next accepted connection (accept loop only)
    tcp::acceptor acceptor;
    asio::signal_set signals;
    asio::steady_timer sweeper;  // closes connections past their deadline (CloseExpired)
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::vector<std::thread> io_threads;
    asio::thread_pool workers;
};

// Serves one accepted connection until it closes: plain HTTP, or HTTPS after a handshake.
asio::awaitable<void> RunPlainSession(ServerState& s, tcp::socket socket);
asio::awaitable<void> RunTlsSession(ServerState& s, tcp::socket socket);

// Logs an exception that ended a coroutine (completion handler of co_spawn).
void LogIfFailed(const char* what, std::exception_ptr failure);

}  // namespace bulwark::http
