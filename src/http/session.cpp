#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "http/server_state.hpp"
#include "http/url.hpp"

namespace bulwark::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using std::chrono::milliseconds;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kHeaderLimit = 16 * 1024;
constexpr size_t kFirstReadSize = 8 * 1024;
// After an error answer the client may still be sending its body; reading it for a while
// before closing keeps the kernel from resetting the connection before the answer is read.
constexpr auto kLingerTime = milliseconds(1000);
constexpr size_t kLingerBytes = 64 << 20;
constexpr auto kTlsShutdownTime = milliseconds(1000);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// A per-process random prefix and a counter: unique, and cheap enough for every request.
std::string NextRequestId() {
    static const std::string prefix = [] {
        std::random_device random;
        char text[16];
        std::snprintf(text, sizeof(text), "%08x", static_cast<unsigned>(random()));
        return std::string(text);
    }();
    static std::atomic<uint64_t> counter{0};
    return prefix + "-" + std::to_string(counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

Response ServerError(int status, std::string_view code, std::string_view message) {
    Response response = Response::TransportError(status, code, message);
    response.AddHeader("Cache-Control", "no-store");
    return response;
}

Request ToRequest(bhttp::request<bhttp::string_body>&& message) {
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.headers.reserve(16);
    for (const auto& field : message) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(message.body());
    return request;
}

bool HasLineBreak(std::string_view text) { return text.find_first_of("\r\n") != text.npos; }

// The status line and header of `response`, by hand: a few appends to one buffer, much cheaper
// than building Beast's field list and running its serializer for every answer. Adds
// X-Request-Id, X-Content-Type-Options, Connection as HTTP/1.0 or 1.1 needs it, and
// Content-Length (the body's, also for HEAD) unless the status has no body. A header with a
// line break in its name or value is left out (and logged): it would split the answer.
std::string WireHead(const Response& response, const std::string& request_id, unsigned version,
                     bool keep_alive) {
    std::string out;
    out.reserve(256);
    out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(response.status));
    out.append(" ")
        .append(bhttp::obsolete_reason(static_cast<bhttp::status>(response.status)))
        .append("\r\n");
    auto add = [&out](std::string_view name, std::string_view value) {
        if (HasLineBreak(name) || HasLineBreak(value)) {
            spdlog::error("http: header {} left out of an answer: it holds a line break", name);
            return;
        }
        out.append(name).append(": ").append(value).append("\r\n");
    };
    if (!response.content_type.empty()) add("Content-Type", response.content_type);
    for (const auto& [name, value] : response.headers) add(name, value);
    add("X-Request-Id", request_id);
    add("X-Content-Type-Options", "nosniff");
    if (version == 10 && keep_alive) add("Connection", "keep-alive");
    if (version != 10 && !keep_alive) add("Connection", "close");
    const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
    if (!bodiless) add("Content-Length", std::to_string(response.body.size()));
    out.append("\r\n");
    return out;
}

// What a failed read deserves: an answer (then close), or a silent close (timeouts, EOF).
std::optional<Response> AnswerToReadError(const ServerState& s, boost::system::error_code ec) {
    if (ec == bhttp::error::body_limit) {
        return ServerError(413, "payload_too_large",
                           "请求体超过 " + std::to_string(s.options.body_limit) + " 字节上限");
    }
    if (ec == bhttp::error::header_limit) {
        return ServerError(431, "header_too_large", "请求头过大");
    }
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
        return std::nullopt;
    }
    if (&ec.category() == &bhttp::make_error_code(bhttp::error::bad_method).category()) {
        return ServerError(400, "bad_request", "HTTP 请求格式错误: " + ec.message());
    }
    return std::nullopt;
}

// The awaiting coroutine's completion handler, completed once: by the worker with the handler's
// answer, or later, from any thread, through the request's reply_later (a deferred answer).
template <class Handler, class Executor>
class Completion {
public:
    Completion(Executor executor, Handler handler)
        : executor_(std::move(executor)), handler_(std::move(handler)) {}

    void Complete(std::exception_ptr failure, Response response) {
        if (done_.exchange(true)) return;
        asio::post(executor_, [failure, handler = std::move(*handler_),
                               response = std::move(response)]() mutable {
            std::move(handler)(failure, std::move(response));
        });
    }

private:
    Executor executor_;
    std::optional<Handler> handler_;
    std::atomic<bool> done_{false};
};

// Runs the router on `pool`, then resumes the awaiting coroutine on its own executor (the
// connection's io_context): one post each way. Measured cheaper than co_spawn onto the pool
// (about a third less CPU per request), which sets up a coroutine of its own. A handler that
// defers (Request::Defer) frees its worker at once; its reply resumes the coroutine.
// A route whose handler never blocks runs here instead when the quick guard lets it
// (Router::DispatchQuick): no hop to the pool, which under a scan load cost more futex calls
// and context switches than the scan's own work on this thread.
auto RunOnWorkers(asio::thread_pool& pool, const Router& router, Request& request,
                  const Router::Target& target) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, Response)>(
        [&pool, &router, &request, &target](auto handler) {
            auto io_executor = asio::get_associated_executor(handler);
            auto completion =
                std::make_shared<Completion<decltype(handler), decltype(io_executor)>>(
                    io_executor, std::move(handler));
            request.reply_later = [completion](Response response) {
                completion->Complete(nullptr, std::move(response));
            };
            if (std::optional<Response> here = router.DispatchQuick(request, target)) {
                // Deferred: reply_later answers (perhaps already did).
                if (!here->deferred) completion->Complete(nullptr, std::move(*here));
                return;
            }
            asio::post(pool, [&router, &request, &target, completion] {
                thread_local const bool named =
                    pthread_setname_np(pthread_self(), "http-worker") == 0;
                (void)named;
                std::exception_ptr failure;
                Response response;
                try {
                    response = router.Dispatch(request, target);
                } catch (...) {
                    failure = std::current_exception();  // rethrown in the session, logged there
                }
                // Deferred: reply_later answers (perhaps already did: `request` may be gone).
                if (!failure && response.deferred) return;
                completion->Complete(failure, std::move(response));
            });
        },
        asio::use_awaitable);
}

// Runs the request's route. A route that may block runs on the worker pool, never on this I/O
// thread (503 when too many requests are already in flight there); an inline route (/healthz,
// static files from memory, the router's own 404/405) runs here at once, which saves two
// thread hops: RouteSpec::runs_inline says which may.
asio::awaitable<Response> Handle(ServerState& s, Request& request) {
    const Router::Target target = s.router.Find(request);
    if (s.router.RunsInline(target)) co_return s.router.Dispatch(request, target);
    if (s.in_flight.fetch_add(1) >= s.options.max_in_flight) {
        s.in_flight.fetch_sub(1);
        Response busy = ServerError(503, "unavailable", "服务器繁忙, 请稍后重试");
        busy.AddHeader("Retry-After", "1");
        co_return busy;
    }
    struct Release {
        std::atomic<size_t>& count;
        ~Release() { count.fetch_sub(1); }
    } release{s.in_flight};
    Response response = co_await RunOnWorkers(s.workers, s.router, request, target);
    request.reply_later = nullptr;
    Router::FinishResponse(request, response);  // a deferred answer has not had it
    co_return response;
}

struct Outcome {
    bool keep_alive = false;
    bool linger = false;  // an error answer: the client may still be sending
};

// Reads one request (within read_timeout_ms), handles it and writes the response. Timeouts
// are the connection's deadline (`scope`), which the registry's sweep enforces by closing it.
template <class Stream>
asio::awaitable<Outcome> ServeOne(ServerState& s, Stream& stream, beast::flat_buffer& buffer,
                                  const std::string& peer, ConnectionScope& scope) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(std::max(s.options.body_limit, s.router.LargestBodyLimit()));
    parser.header_limit(kHeaderLimit);
    scope.ExpireAfter(milliseconds(s.options.read_timeout_ms));
    auto [ec, bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kNoThrow);
    if (!ec) {
        // The route's own limit (an upload may be larger than the default), known now.
        const auto& header = parser.get();
        size_t limit =
            s.router.BodyLimitFor(header.method_string(), header.target(), s.options.body_limit);
        if (parser.content_length() && *parser.content_length() > limit) {
            ec = bhttp::error::body_limit;
        } else {
            parser.body_limit(limit);
        }
    }
    if (!ec && !parser.is_done()) {
        const auto& header = parser.get();
        if (header.version() == 11 &&
            beast::iequals(header[bhttp::field::expect], "100-continue")) {
            std::tie(ec, bytes) =
                co_await asio::async_write(stream, asio::buffer(kContinue), kNoThrow);
        }
        if (!ec) std::tie(ec, bytes) = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
    }

    const std::string request_id = NextRequestId();
    Outcome outcome;
    Response response;
    unsigned version = 11;
    bool head = false;
    if (ec) {
        std::optional<Response> answer = AnswerToReadError(s, ec);
        if (!answer) co_return outcome;
        response = std::move(*answer);
        outcome.linger = true;
    } else {
        scope.NeverExpire();
        auto& message = parser.get();
        version = message.version();
        head = message.method() == bhttp::verb::head;
        outcome.keep_alive = message.keep_alive();
        Request request = ToRequest(parser.release());
        request.request_id = request_id;
        request.client_address = peer;
        request.secure = std::is_same_v<Stream, TlsStream>;
        if (ParseTarget(request.target, &request.path, &request.query)) {
            response = co_await Handle(s, request);
            spdlog::debug("{} {} {} {} {}", request_id, peer, request.method, request.path,
                          response.status);
        } else {
            response = ServerError(400, "bad_request", "请求地址无效");
            outcome.keep_alive = false;
            outcome.linger = true;
        }
    }
    outcome.keep_alive =
        outcome.keep_alive && !outcome.linger && !response.close && !s.connections.stopping();
    const std::string wire_head = WireHead(response, request_id, version, outcome.keep_alive);
    const bool bodiless =
        head || response.status < 200 || response.status == 204 || response.status == 304;
    const std::array<asio::const_buffer, 2> wire{
        asio::buffer(wire_head), asio::buffer(bodiless ? std::string_view() : response.body)};
    // Generous: a phone on a slow link may need a while for the app's scripts.
    scope.ExpireAfter(milliseconds(std::max(s.options.idle_timeout_ms, s.options.read_timeout_ms)));
    auto [write_ec, written] = co_await asio::async_write(stream, wire, kNoThrow);
    if (write_ec) outcome = Outcome{};
    co_return outcome;
}

template <class Stream>
asio::awaitable<void> CloseGracefully(Stream& stream, bool linger) {
    auto& lowest = beast::get_lowest_layer(stream);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
        lowest.expires_after(kTlsShutdownTime);
        co_await stream.async_shutdown(kNoThrow);
    } else {
        boost::system::error_code ec;
        lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (!linger || ec) co_return;
        lowest.expires_after(kLingerTime);
        std::vector<char> sink(64 * 1024);
        size_t drained = 0;
        while (drained < kLingerBytes) {
            auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(sink), kNoThrow);
            if (read_ec) break;
            drained += n;
        }
    }
}

// One connection: a linear loop of requests on the connection's io_context (one thread).
template <class Stream>
asio::awaitable<void> RunSession(ServerState& s, tcp::socket socket) {
    boost::system::error_code ec;
    tcp::endpoint remote = socket.remote_endpoint(ec);
    const std::string peer = ec ? std::string() : remote.address().to_string();
    std::shared_ptr<Stream> stream;
    if constexpr (std::is_same_v<Stream, TlsStream>) {
        stream = std::make_shared<Stream>(std::move(socket), *s.tls);
    } else {
        stream = std::make_shared<Stream>(std::move(socket));
    }
    ConnectionRegistry& registry = s.connections;
    ConnectionScope scope(registry, [stream, &registry](uint64_t id, bool only_if_idle) {
        asio::post(stream->get_executor(), [stream, &registry, id, only_if_idle] {
            if (!only_if_idle) {
                beast::get_lowest_layer(*stream).close();
            } else if (registry.IsIdle(id)) {
                beast::get_lowest_layer(*stream).cancel();
            }
        });
    });
    if (!scope.registered()) co_return;
    const auto read_timeout = milliseconds(s.options.read_timeout_ms);

    if constexpr (std::is_same_v<Stream, TlsStream>) {
        scope.ExpireAfter(read_timeout);
        auto [handshake_ec] =
            co_await stream->async_handshake(asio::ssl::stream_base::server, kNoThrow);
        if (handshake_ec) co_return;
    }

    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
        if (buffer.size() == 0) {
            // Between requests: wait for the first byte under the idle limit (a new connection
            // gets the read limit), then the whole request must arrive within read_timeout_ms.
            if (!registry.SetIdle(scope.id(), true)) co_return;
            scope.ExpireAfter(first ? read_timeout : milliseconds(s.options.idle_timeout_ms));
            auto [read_ec, n] =
                co_await stream->async_read_some(buffer.prepare(kFirstReadSize), kNoThrow);
            registry.SetIdle(scope.id(), false);
            if (read_ec) co_return;
            buffer.commit(n);
        }
        first = false;
        Outcome outcome = co_await ServeOne(s, *stream, buffer, peer, scope);
        if (!outcome.keep_alive) {
            co_await CloseGracefully(*stream, outcome.linger);
            co_return;
        }
    }
}

}  // namespace

asio::awaitable<void> RunPlainSession(ServerState& s, tcp::socket socket) {
    return RunSession<PlainStream>(s, std::move(socket));
}

asio::awaitable<void> RunTlsSession(ServerState& s, tcp::socket socket) {
    return RunSession<TlsStream>(s, std::move(socket));
}

void LogIfFailed(const char* what, std::exception_ptr failure) {
    if (!failure) return;
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        spdlog::error("http {}: {}", what, e.what());
    } catch (...) {
        spdlog::error("http {}: non-standard exception", what);
    }
}

}  // namespace bulwark::http
