#include "bench/lib/http_connection.hpp"

#include <algorithm>
#include <cctype>
#include <span>
#include <string_view>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/write.hpp>

namespace bulwark::bench {
namespace {

namespace asio = boost::asio;
using ErrorCode = boost::system::error_code;

bool IEquals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// What a failed operation means, once it has returned.
IoFailure Failure(const HttpConnection& c, const ErrorCode& ec) {
    if (c.timed_out && ec == asio::error::operation_aborted) return {.timeout = true};
    return {.what = ec.message()};
}

}  // namespace

void SerializeRequest(const Request& request, HttpConnection& c) {
    std::string& out = c.out;
    out.clear();
    out.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
    out.append("Host: ").append(c.target.host).append("\r\n");
    bool has_content_type = false;
    for (const auto& [name, value] : request.headers) {
        out.append(name).append(": ").append(value).append("\r\n");
        has_content_type = has_content_type || IEquals(name, "Content-Type");
    }
    if (!c.cookie.empty()) out.append("Cookie: ").append(c.cookie).append("\r\n");
    if (!c.csrf.empty()) out.append("X-CSRF-Token: ").append(c.csrf).append("\r\n");
    if (!request.body.empty() || request.method != "GET") {
        if (!has_content_type) out.append("Content-Type: application/json\r\n");
        out.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
    }
    out.append("\r\n").append(request.body);
}

void Close(HttpConnection& c) {
    ErrorCode ignored;
    c.socket.close(ignored);
    c.reader.Reset();
    c.connected = false;
}

void CancelIfOverdue(HttpConnection& c, LoadClock::time_point now) {
    if (c.deadline > now) return;
    c.deadline = kNever;
    c.timed_out = true;
    ErrorCode ignored;
    c.socket.cancel(ignored);
}

LoadTask<IoFailure> Connect(HttpConnection& c, LoadClock::duration timeout) {
    Close(c);
    ErrorCode ec;
    c.timed_out = false;
    c.deadline = LoadClock::now() + timeout;
    co_await c.socket.async_connect(c.endpoint, asio::redirect_error(kLoadAwait, ec));
    c.deadline = kNever;
    if (!ec) c.socket.set_option(asio::ip::tcp::no_delay(true), ec);
    if (ec) {
        IoFailure failure = Failure(c, ec);
        Close(c);
        co_return failure;
    }
    c.connected = true;
    co_return IoFailure{};
}

LoadTask<IoFailure> Exchange(HttpConnection& c, LoadClock::time_point expiry) {
    ErrorCode ec;
    c.timed_out = false;
    c.deadline = expiry;
    co_await asio::async_write(c.socket, asio::buffer(c.out), asio::redirect_error(kLoadAwait, ec));
    // The reader may already hold the answer (it came with the previous one): no read then.
    ResponseReader::State state = ec ? ResponseReader::State::kNeedMore : c.reader.Commit(0);
    while (!ec && state == ResponseReader::State::kNeedMore) {
        const std::span<char> space = c.reader.Space();
        const size_t n = co_await c.socket.async_read_some(asio::buffer(space.data(), space.size()),
                                                           asio::redirect_error(kLoadAwait, ec));
        if (!ec) state = c.reader.Commit(n);
    }
    c.deadline = kNever;
    if (ec) co_return Failure(c, ec);
    if (state == ResponseReader::State::kError) {
        co_return IoFailure{.what = "bad response: " + c.reader.error()};
    }
    co_return IoFailure{};
}

}  // namespace bulwark::bench
