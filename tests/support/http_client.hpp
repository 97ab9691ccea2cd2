#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace bulwark::testsupport {

struct HttpResult {
    int status = 0;                              // 0: no response (connection failed or closed)
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string Header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
};

// A blocking HTTP/1.1 client on one keep-alive connection to 127.0.0.1:port; reconnects when the
// server closed it. Keeps cookies it is sent. For tests; not thread-safe.
class HttpClient {
public:
    explicit HttpClient(unsigned short port);
    ~HttpClient();

    HttpResult Get(const std::string& target);
    HttpResult PostJson(const std::string& target, const std::string& body);
    HttpResult Send(const std::string& method, const std::string& target, const std::string& body,
                    std::vector<std::pair<std::string, std::string>> headers = {});
    // Sends `name: value` with every later request (e.g. X-CSRF-Token after logging in); an
    // empty value stops sending it. Per-request headers of the same name take precedence.
    void SetHeader(const std::string& name, const std::string& value);
    // How many TCP connections this client opened (for keep-alive checks).
    int connections_opened() const { return connections_opened_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int connections_opened_ = 0;
};

// Opens a raw TCP connection to 127.0.0.1:port, writes `bytes`, then reads until the server
// closes the connection or `wait_ms` passes. Returns what was read and whether it was closed.
std::pair<std::string, bool> RawExchange(unsigned short port, const std::string& bytes,
                                         int wait_ms);

}  // namespace bulwark::testsupport
