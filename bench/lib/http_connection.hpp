#pragma once

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bench/lib/loopback_target.hpp"
#include "bench/lib/response_reader.hpp"
#include "bench/lib/scenario.hpp"

namespace bulwark::bench {

// The load generator's client side of one keep-alive HTTP/1.1 connection: a socket, the request
// bytes and a ResponseReader, with a deadline instead of a timer per operation. Everything runs
// on one thread's io_context, with its executor type rather than the type-erased any_io_executor,
// so that no operation copies an executor. Not thread-safe: one connection, one thread.
using LoadClock = std::chrono::steady_clock;
using LoadExecutor = boost::asio::io_context::executor_type;
template <class T>
using LoadTask = boost::asio::awaitable<T, LoadExecutor>;
inline constexpr boost::asio::use_awaitable_t<LoadExecutor> kLoadAwait;
using LoadTimer =
    boost::asio::basic_waitable_timer<LoadClock, boost::asio::wait_traits<LoadClock>, LoadExecutor>;
inline constexpr LoadClock::time_point kNever = LoadClock::time_point::max();

struct HttpConnection {
    HttpConnection(boost::asio::io_context& io, const LoopbackTarget& to,
                   boost::asio::ip::tcp::endpoint at, size_t body_limit)
        : socket(io.get_executor()), target(to), endpoint(at), reader(body_limit) {}

    boost::asio::basic_stream_socket<boost::asio::ip::tcp, LoadExecutor> socket;
    const LoopbackTarget& target;
    boost::asio::ip::tcp::endpoint endpoint;
    ResponseReader reader;
    bool connected = false;
    // While an operation is pending: when CancelIfOverdue cancels it. kNever otherwise.
    LoadClock::time_point deadline = kNever;
    bool timed_out = false;
    std::string out;     // the serialized request
    std::string cookie;  // Cookie header value from the login
    std::string csrf;    // X-CSRF-Token value from the login
};

// Why an operation got no answer: false when it did.
struct IoFailure {
    bool timeout = false;
    std::string what;
    explicit operator bool() const { return timeout || !what.empty(); }
    std::string Kind() const { return timeout ? "timeout" : what; }
};

// HTTP/1.1 by hand into c.out: the same few lines for every request, cheaper than Beast's
// serializer. Adds Host, the login's Cookie and X-CSRF-Token, and Content-Type (JSON, unless the
// request has one) and Content-Length for bodies and for every method but GET.
void SerializeRequest(const Request& request, HttpConnection& c);

// (Re)connects with TCP_NODELAY, failing after `timeout`.
LoadTask<IoFailure> Connect(HttpConnection& c, LoadClock::duration timeout);

// Writes c.out and reads one response into c.reader, all before `expiry`. On success the answer
// is c.reader's until the caller's c.reader.Next() (or Close()).
LoadTask<IoFailure> Exchange(HttpConnection& c, LoadClock::time_point expiry);

// Closes the socket and forgets any bytes received.
void Close(HttpConnection& c);

// Cancels c's pending operation, which then fails as a timeout, when its deadline is past `now`.
void CancelIfOverdue(HttpConnection& c, LoadClock::time_point now);

}  // namespace bulwark::bench
