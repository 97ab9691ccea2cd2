// bench_ceiling_server: the HTTP stack alone. A minimal Boost.Beast HTTP/1.1 server (coroutines,
// keep-alive, one io_context on N threads) answering every request with {"ok":true}. What it
// sustains under bench_loadgen is the ceiling the app's routes are measured against. It has no
// read timeout and no strand per connection; the app's server has both (its timeouts are
// deadlines swept by one timer, not a timer per operation), and what they cost shows in the
// ratio.
#include <charconv>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::ip::tcp;

constexpr uint64_t kBodyLimit = 1 << 20;
constexpr const char* kBody = R"({"ok":true})";

awaitable<void> Serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    http::response<http::string_body> response{http::status::ok, 11};
    response.set(http::field::server, "bench_ceiling_server");
    response.set(http::field::content_type, "application/json");
    response.body() = kBody;
    response.prepare_payload();
    beast::error_code ec;
    for (;;) {
        // The request body is read and dropped: the ceiling is about the transport.
        http::request_parser<http::string_body> parser;
        parser.body_limit(kBodyLimit);
        co_await http::async_read(socket, buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        response.version(parser.get().version());
        response.keep_alive(parser.keep_alive());
        co_await http::async_write(socket, response, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !response.keep_alive()) break;
    }
    socket.shutdown(tcp::socket::shutdown_send, ec);
}

awaitable<void> Listen(tcp::acceptor& acceptor) {
    beast::error_code ec;
    for (;;) {
        tcp::socket socket(acceptor.get_executor());
        co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted) co_return;
        if (ec) continue;  // for instance too many open files: keep serving the others
        socket.set_option(tcp::no_delay(true), ec);
        // One coroutine per connection, resumed on any thread: it is the socket's only user.
        auto executor = socket.get_executor();
        asio::co_spawn(executor, Serve(std::move(socket)), asio::detached);
    }
}

// "127.0.0.1:0", "[::1]:8080", "localhost:0".
bool ParseListen(const std::string& listen, tcp::endpoint& endpoint) {
    const size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return false;
    std::string host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    if (host == "localhost") host = "127.0.0.1";
    beast::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) return false;
    const std::string port_text = listen.substr(colon + 1);
    unsigned port = 0;
    const auto [end, parse_ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (parse_ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        return false;
    }
    endpoint = tcp::endpoint(address, static_cast<uint16_t>(port));
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Minimal Beast HTTP server answering {\"ok\":true}: the HTTP ceiling."};
    std::string listen = "127.0.0.1:0";
    int threads = 2;
    cli.add_option("--listen", listen, "ADDR:PORT to listen on; port 0 picks a free port");
    cli.add_option("--threads", threads, "I/O threads")->check(CLI::Range(1, 256));
    CLI11_PARSE(cli, argc, argv);

    tcp::endpoint endpoint;
    if (!ParseListen(listen, endpoint)) {
        std::fprintf(stderr, "bench_ceiling_server: bad --listen '%s' (want ADDR:PORT)\n",
                     listen.c_str());
        return 2;
    }
    asio::io_context io(threads);
    tcp::acceptor acceptor(io);
    beast::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::fprintf(stderr, "bench_ceiling_server: cannot listen on %s: %s\n", listen.c_str(),
                     ec.message().c_str());
        return 1;
    }
    const tcp::endpoint bound = acceptor.local_endpoint();
    const std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                                     : bound.address().to_string();
    std::printf("listening on http://%s:%u\n", host.c_str(), bound.port());
    std::fflush(stdout);

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const beast::error_code&, int) { io.stop(); });
    asio::co_spawn(io, Listen(acceptor), asio::detached);

    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& thread : pool) thread.join();
    return 0;
}
