#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulwark::http::testing {

// One parsed response as the tests see it.
struct ClientResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
    std::string body;

    // First header of that (lower-case) name, or "".
    std::string Header(std::string_view name) const;
};

// A tiny blocking HTTP/1.1 client over a raw socket to 127.0.0.1, so that tests can also send
// broken, partial or slow requests. Every read gives up after `timeout_ms`. Not thread-safe.
class TestClient {
public:
    explicit TestClient(uint16_t port, int timeout_ms = 5000);
    ~TestClient();
    TestClient(const TestClient&) = delete;
    TestClient& operator=(const TestClient&) = delete;

    bool connected() const { return fd_ >= 0; }
    // Sends raw bytes; false if the connection is gone.
    bool Send(std::string_view bytes);
    // Reads one response (no body after HEAD; a 100 Continue is returned too); nullopt if the
    // connection closed or timed out.
    std::optional<ClientResponse> Read(bool head = false);
    // Sends a request built from the parts (Host and Content-Length added) and reads the answer.
    std::optional<ClientResponse> Request(const std::string& method, const std::string& target,
                                          const std::string& body = "",
                                          const std::string& extra_headers = "");
    // Waits for the server to close the connection; returns the milliseconds waited, or -1 if
    // it stayed open for `timeout_ms` (or sent data instead).
    int64_t WaitClosed(int timeout_ms);

private:
    // Reads more bytes into buffer_; false on close, error or timeout.
    bool Fill();

    int fd_ = -1;
    std::string buffer_;
};

// Builds a request's bytes: "METHOD target HTTP/1.1", Host, Content-Length when there is a body.
std::string RawRequest(const std::string& method, const std::string& target,
                       const std::string& body = "", const std::string& extra_headers = "");

}  // namespace bulwark::http::testing
