#include "http/test_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>

namespace bulwark::http::testing {

std::string ClientResponse::Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) return value;
    }
    return {};
}

TestClient::TestClient(uint16_t port, int timeout_ms) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

TestClient::~TestClient() {
    if (fd_ >= 0) ::close(fd_);
}

bool TestClient::Send(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

bool TestClient::Fill() {
    char chunk[16384];
    for (;;) {
        ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        buffer_.append(chunk, static_cast<size_t>(n));
        return true;
    }
}

std::optional<ClientResponse> TestClient::Read(bool head) {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (!Fill()) return std::nullopt;
    }
    std::string head_text = buffer_.substr(0, header_end);
    buffer_.erase(0, header_end + 4);

    ClientResponse response;
    size_t line_end = head_text.find("\r\n");
    std::string status_line = head_text.substr(0, line_end);
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return std::nullopt;
    response.status = std::atoi(status_line.c_str() + 9);
    while (line_end != std::string::npos) {
        size_t start = line_end + 2;
        line_end = head_text.find("\r\n", start);
        std::string line = head_text.substr(
            start, line_end == std::string::npos ? std::string::npos : line_end - start);
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        size_t value_start = line.find_first_not_of(' ', colon + 1);
        response.headers.emplace_back(
            name, value_start == std::string::npos ? "" : line.substr(value_start));
    }
    if (head || response.status < 200 || response.status == 204 || response.status == 304)
        return response;
    size_t length = std::strtoul(response.Header("content-length").c_str(), nullptr, 10);
    while (buffer_.size() < length) {
        if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
}

std::optional<ClientResponse> TestClient::Request(const std::string& method,
                                                  const std::string& target,
                                                  const std::string& body,
                                                  const std::string& extra_headers) {
    if (!Send(RawRequest(method, target, body, extra_headers))) return std::nullopt;
    return Read(method == "HEAD");
}

int64_t TestClient::WaitClosed(int timeout_ms) {
    auto start = std::chrono::steady_clock::now();
    pollfd entry{fd_, POLLIN, 0};
    if (::poll(&entry, 1, timeout_ms) <= 0) return -1;
    char byte;
    ssize_t n = ::recv(fd_, &byte, 1, 0);
    if (n > 0) return -1;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
}

std::string RawRequest(const std::string& method, const std::string& target,
                       const std::string& body, const std::string& extra_headers) {
    std::string raw = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers;
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    raw += "\r\n" + body;
    return raw;
}

}  // namespace bulwark::http::testing
