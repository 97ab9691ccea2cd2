#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "http/router.hpp"

namespace bulwark::http {

struct ServerOptions {
    std::string listen = "127.0.0.1:8080";  // ADDR:PORT; port 0 picks a free port
    int io_threads = 2;                     // threads running socket I/O only
    int worker_threads = 64;                // threads running handlers (which may block on the DB)
    size_t body_limit = 1 << 20;            // bytes; larger bodies get 413
    int read_timeout_ms = 15000;            // whole request must arrive within this
    int idle_timeout_ms = 60000;            // keep-alive connection idle limit
    size_t max_in_flight = 4096;            // more concurrent requests get 503 + Retry-After
    // TLS: both files set -> HTTPS only.
    std::string tls_cert_file;
    std::string tls_key_file;
};

// The HTTP/1.1 server: Boost.Beast coroutines on `io_threads`, handlers on a worker pool so that
// blocking database calls never run on an I/O thread. Thread-safe: Start() once, then Stop()
// from any thread (or a signal).
class Server {
public:
    Server(ServerOptions options, const Router& router);
    ~Server();

    // Binds and starts serving; returns the bound port.
    Result<uint16_t> Start();
    // Blocks until the server stopped (after Stop() or SIGINT/SIGTERM when HandleSignals()).
    void Wait();
    // Graceful stop: close the listener, let requests in flight finish (up to `grace_ms`), close
    // idle connections, join threads.
    void Stop(int grace_ms = 10000);
    // Stop gracefully on SIGINT and SIGTERM.
    void HandleSignals();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Creates a self-signed certificate and key (PEM) in `dir` as cert.pem and key.pem (0600) if
// they do not exist yet, for `--tls-self-signed`; returns their paths.
Result<std::pair<std::string, std::string>> EnsureSelfSignedCertificate(const std::string& dir);

}  // namespace bulwark::http
