#include "tests/support/http_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <chrono>
#include <optional>

namespace bulwark::testsupport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpClient::Impl {
    unsigned short port;
    asio::io_context io;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    std::map<std::string, std::string> cookies;
    std::map<std::string, std::string> default_headers;
};

HttpClient::HttpClient(unsigned short port) : impl_(std::make_unique<Impl>()) {
    impl_->port = port;
}
HttpClient::~HttpClient() = default;

HttpResult HttpClient::Get(const std::string& target) { return Send("GET", target, ""); }

void HttpClient::SetHeader(const std::string& name, const std::string& value) {
    if (value.empty()) {
        impl_->default_headers.erase(name);
    } else {
        impl_->default_headers[name] = value;
    }
}

HttpResult HttpClient::PostJson(const std::string& target, const std::string& body) {
    return Send("POST", target, body, {{"Content-Type", "application/json"}});
}

HttpResult HttpClient::Send(const std::string& method, const std::string& target,
                            const std::string& body,
                            std::vector<std::pair<std::string, std::string>> headers) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        beast::error_code ec;
        if (!impl_->stream) {
            impl_->stream.emplace(impl_->io);
            impl_->stream->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port),
                                   ec);
            if (ec) {
                impl_->stream.reset();
                return {};
            }
            impl_->buffer.clear();
            ++connections_opened_;
        }
        http::request<http::string_body> req{http::string_to_verb(method), target, 11};
        req.set(http::field::host, "127.0.0.1");
        for (auto& [k, v] : impl_->default_headers) req.set(k, v);
        for (auto& [k, v] : headers) req.set(k, v);
        if (!impl_->cookies.empty()) {
            std::string cookie;
            for (auto& [k, v] : impl_->cookies)
                cookie += (cookie.empty() ? "" : "; ") + k + "=" + v;
            req.set(http::field::cookie, cookie);
        }
        req.body() = body;
        req.prepare_payload();
        impl_->stream->expires_after(std::chrono::seconds(30));
        http::write(*impl_->stream, req, ec);
        http::response<http::string_body> res;
        if (!ec) http::read(*impl_->stream, impl_->buffer, res, ec);
        if (ec) {
            impl_->stream.reset();
            continue;  // the server closed an idle keep-alive connection: try once more
        }
        HttpResult out;
        out.status = static_cast<int>(res.result_int());
        for (auto& field : res) {
            std::string name(field.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string value(field.value());
            if (name == "set-cookie") {
                auto eq = value.find('=');
                auto semi = value.find(';');
                if (eq != std::string::npos) {
                    impl_->cookies[value.substr(0, eq)] = value.substr(eq + 1, semi - eq - 1);
                }
            }
            auto& slot = out.headers[name];
            slot = slot.empty() ? value : slot + "\n" + value;
        }
        out.body = res.body();
        if (!res.keep_alive()) impl_->stream.reset();
        return out;
    }
    return {};
}

std::pair<std::string, bool> RawExchange(unsigned short port, const std::string& bytes,
                                         int wait_ms) {
    asio::io_context io;
    tcp::socket socket(io);
    beast::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec) return {"", true};
    asio::write(socket, asio::buffer(bytes), ec);
    std::string received;
    bool closed = false;
    char buf[4096];
    socket.non_blocking(true);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        size_t n = socket.read_some(asio::buffer(buf), ec);
        if (ec == asio::error::would_block) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        if (ec) {
            closed = true;
            break;
        }
        received.append(buf, n);
    }
    return {received, closed};
}

}  // namespace bulwark::testsupport
