#include "http/server.hpp"

#include <pthread.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/server_state.hpp"

namespace bulwark::http {
namespace {

using std::chrono::milliseconds;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// After the grace period, how long closed connections get to unwind.
constexpr auto kForcedCloseTime = milliseconds(1000);

Result<tcp::endpoint> ParseListen(const std::string& listen) {
    auto invalid = [&listen] {
        return InvalidArgument("监听地址应为 ADDR:PORT 或 [IPv6]:PORT: " + listen, "listen");
    };
    std::string_view host;
    std::string_view port_text;
    if (!listen.empty() && listen.front() == '[') {
        size_t close = listen.find("]:");
        if (close == std::string::npos) return invalid();
        host = std::string_view(listen).substr(1, close - 1);
        port_text = std::string_view(listen).substr(close + 2);
    } else {
        size_t colon = listen.rfind(':');
        if (colon == std::string::npos) return invalid();
        host = std::string_view(listen).substr(0, colon);
        port_text = std::string_view(listen).substr(colon + 1);
    }
    unsigned port = 0;
    auto [end, parse_error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (parse_error != std::errc() || end != port_text.data() + port_text.size() || port > 65535 ||
        port_text.empty()) {
        return invalid();
    }
    boost::system::error_code ec;
    asio::ip::address address = asio::ip::make_address(host, ec);
    if (ec) return invalid();
    return tcp::endpoint(address, static_cast<uint16_t>(port));
}

asio::awaitable<void> AcceptLoop(ServerState& s) {
    for (;;) {
        asio::io_context& home = *s.iocs[s.next_ioc];
        auto [ec, socket] = co_await s.acceptor.async_accept(home, kNoThrow);
        if (ec == asio::error::operation_aborted || !s.acceptor.is_open()) co_return;
        if (ec) {
            // Out of descriptors and the like: wait a little instead of spinning.
            spdlog::warn("http accept: {}", ec.message());
            asio::steady_timer pause(s.acceptor.get_executor(), milliseconds(100));
            co_await pause.async_wait(kNoThrow);
            continue;
        }
        s.next_ioc = (s.next_ioc + 1) % s.iocs.size();
        socket.set_option(tcp::no_delay(true), ec);
        auto executor = socket.get_executor();
        if (s.tls) {
            asio::co_spawn(executor, RunTlsSession(s, std::move(socket)),
                           [](std::exception_ptr e) { LogIfFailed("tls session", e); });
        } else {
            asio::co_spawn(executor, RunPlainSession(s, std::move(socket)),
                           [](std::exception_ptr e) { LogIfFailed("session", e); });
        }
    }
}

// How often connections past their deadline are closed: a tenth of the shortest timeout, so a
// timeout fires at most 10% late, and at most 4 times a second.
milliseconds SweepInterval(const ServerOptions& o) {
    return milliseconds(std::clamp(std::min(o.read_timeout_ms, o.idle_timeout_ms) / 10, 5, 250));
}

// Closes the connections past their read or idle deadline, until Stop() cancels the timer.
asio::awaitable<void> SweepLoop(ServerState& s) {
    const milliseconds interval = SweepInterval(s.options);
    for (;;) {
        s.sweeper.expires_after(interval);
        auto [ec] = co_await s.sweeper.async_wait(kNoThrow);
        if (ec == asio::error::operation_aborted) co_return;
        s.connections.CloseExpired(ConnectionRegistry::NowMillis());
    }
}

Status SetUpTls(ServerState& s) {
    const ServerOptions& o = s.options;
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
        return InvalidArgument("TLS 需要同时提供证书和私钥文件", "tls_cert_file");
    }
    s.tls.emplace(asio::ssl::context::tls_server);
    boost::system::error_code ec;
    s.tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                       ec);
    if (!ec) SSL_CTX_set_min_proto_version(s.tls->native_handle(), TLS1_2_VERSION);
    if (!ec) s.tls->use_certificate_chain_file(o.tls_cert_file, ec);
    if (!ec) s.tls->use_private_key_file(o.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) {
        s.tls.reset();
        return InvalidArgument("无法加载 TLS 证书或私钥: " + ec.message(), "tls_cert_file");
    }
    return Ok();
}

void RunIo(asio::io_context& ioc) {
    pthread_setname_np(pthread_self(), "http-io");
    for (;;) {
        try {
            ioc.run();
            return;
        } catch (const std::exception& e) {
            spdlog::error("http I/O thread: {}", e.what());
        }
    }
}

}  // namespace

struct Server::Impl : ServerState {
    using ServerState::ServerState;
};

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() {
    Stop();
    std::thread stopper;
    {
        std::lock_guard lock(impl_->state_mu);
        stopper = std::move(impl_->signal_stopper);
    }
    if (stopper.joinable()) stopper.join();
}

Result<uint16_t> Server::Start() {
    ServerState& s = *impl_;
    {
        std::lock_guard lock(s.state_mu);
        if (s.state != ServerState::State::kNew) return FailedPrecondition("服务器只能启动一次");
    }
    ASSIGN_OR_RETURN(tcp::endpoint endpoint, ParseListen(s.options.listen));
    if (!s.options.tls_cert_file.empty() || !s.options.tls_key_file.empty()) {
        RETURN_IF_ERROR(SetUpTls(s));
    }
    boost::system::error_code ec;
    s.acceptor.open(endpoint.protocol(), ec);
    if (!ec) s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) s.acceptor.bind(endpoint, ec);
    if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        s.acceptor.close(ignored);
        return Unavailable("无法监听 " + s.options.listen + ": " + ec.message());
    }
    const uint16_t port = s.acceptor.local_endpoint(ec).port();

    for (auto& ioc : s.iocs) s.work.push_back(asio::make_work_guard(*ioc));
    asio::co_spawn(s.acceptor.get_executor(), AcceptLoop(s),
                   [](std::exception_ptr e) { LogIfFailed("accept loop", e); });
    asio::co_spawn(s.sweeper.get_executor(), SweepLoop(s),
                   [](std::exception_ptr e) { LogIfFailed("sweep loop", e); });
    for (auto& ioc : s.iocs) s.io_threads.emplace_back([&ioc = *ioc] { RunIo(ioc); });
    std::lock_guard lock(s.state_mu);
    s.state = ServerState::State::kRunning;
    return port;
}

void Server::Wait() {
    ServerState& s = *impl_;
    std::unique_lock lock(s.state_mu);
    s.state_changed.wait(lock, [&s] { return s.state != ServerState::State::kRunning; });
}

void Server::Stop(int grace_ms) {
    ServerState& s = *impl_;
    std::lock_guard stop_lock(s.stop_mu);
    {
        std::lock_guard lock(s.state_mu);
        if (s.state != ServerState::State::kRunning) return;
    }
    const auto deadline = std::chrono::steady_clock::now() + milliseconds(std::max(0, grace_ms));
    asio::post(s.acceptor.get_executor(), [&s] {
        boost::system::error_code ignored;
        s.acceptor.close(ignored);
        s.signals.cancel(ignored);
    });
    s.connections.BeginStop();
    if (size_t busy = s.connections.WaitEmpty(deadline); busy > 0) {
        spdlog::warn("http stop: {} connections still busy after {} ms; closing them", busy,
                     grace_ms);
        s.connections.CancelAll();
        s.connections.WaitEmpty(std::chrono::steady_clock::now() + kForcedCloseTime);
    }
    s.workers.join();  // a handler still running is waited for: it may hold a transaction
    asio::post(s.sweeper.get_executor(), [&s] { s.sweeper.cancel(); });
    s.work.clear();
    for (auto& ioc : s.iocs) ioc->stop();
    for (std::thread& thread : s.io_threads) thread.join();
    s.io_threads.clear();
    std::lock_guard lock(s.state_mu);
    s.state = ServerState::State::kStopped;
    s.state_changed.notify_all();
}

void Server::HandleSignals() {
    ServerState& s = *impl_;
    s.signals.add(SIGINT);
    s.signals.add(SIGTERM);
    s.signals.async_wait([this, &s](const boost::system::error_code& ec, int signal_number) {
        if (ec) return;
        spdlog::info("收到信号 {}, 正在停止服务", signal_number);
        // Stop() joins the I/O threads, so it cannot run on this one.
        std::lock_guard lock(s.state_mu);
        if (!s.signal_stopper.joinable()) s.signal_stopper = std::thread([this] { Stop(); });
    });
}

}  // namespace bulwark::http
