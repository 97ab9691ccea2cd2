#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace bulwark::http {

// The server's open connections, so that a graceful stop can close the idle ones at once and
// wait for the busy ones, and a periodic sweep can close those past their deadline (the read
// and idle timeouts: one timer for the server instead of one per socket operation, which cost
// a fifth of the throughput of a small request). A connection is idle while it waits for the
// first byte of a request. Thread-safe.
class ConnectionRegistry {
public:
    // Asks a connection to close: `only_if_idle` closes it only if it is still idle when the
    // request reaches the connection's own io_context. Must not block.
    using Canceller = std::function<void(uint64_t id, bool only_if_idle)>;
    // A connection's deadline in NowMillis() terms, 0 for none; owned by the connection (which
    // outlives its registration), written by it, read by CloseExpired().
    using Deadline = std::atomic<int64_t>;

    // Milliseconds on the steady clock, the time deadlines are in.
    static int64_t NowMillis();

    // Registers a connection (idle). Returns its id, or 0 if the server is stopping: then the
    // connection must close at once.
    uint64_t Add(Canceller canceller, const Deadline* deadline = nullptr);
    void Remove(uint64_t id);
    // Marks a connection idle or busy. Marking idle returns false once the server is stopping.
    bool SetIdle(uint64_t id, bool idle);
    bool IsIdle(uint64_t id) const;
    bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

    // Refuses new connections and asks the idle ones to close.
    void BeginStop();
    // Asks every connection to close, busy or not.
    void CancelAll();
    // Asks the connections whose deadline is set and not after `now_ms` to close, once each;
    // returns how many.
    size_t CloseExpired(int64_t now_ms);
    // Waits until no connection is left or `deadline` passes; returns how many are left.
    size_t WaitEmpty(std::chrono::steady_clock::time_point deadline);

private:
    struct Connection {
        Canceller canceller;
        const Deadline* deadline = nullptr;
        bool idle = true;
        bool expired = false;  // asked to close by CloseExpired()
    };
    mutable std::mutex mu_;
    std::condition_variable empty_;
    std::unordered_map<uint64_t, Connection> connections_;
    uint64_t next_id_ = 1;
    std::atomic<bool> stopping_{false};
};

// Keeps one connection registered for its lifetime (RAII), with its deadline. The deadline
// methods are for the connection's own thread (one writer), lock-free.
class ConnectionScope {
public:
    ConnectionScope(ConnectionRegistry& registry, ConnectionRegistry::Canceller canceller)
        : registry_(registry), id_(registry.Add(std::move(canceller), &deadline_)) {}
    ~ConnectionScope() {
        if (id_ != 0) registry_.Remove(id_);
    }
    ConnectionScope(const ConnectionScope&) = delete;
    ConnectionScope& operator=(const ConnectionScope&) = delete;

    bool registered() const { return id_ != 0; }
    uint64_t id() const { return id_; }

    // The registry's sweep closes the connection once `timeout` has passed (a little later:
    // the sweep runs every so often), unless this is called again or NeverExpire().
    void ExpireAfter(std::chrono::milliseconds timeout) {
        deadline_.store(ConnectionRegistry::NowMillis() + std::max<int64_t>(1, timeout.count()),
                        std::memory_order_relaxed);
    }
    void NeverExpire() { deadline_.store(0, std::memory_order_relaxed); }

private:
    ConnectionRegistry& registry_;
    ConnectionRegistry::Deadline deadline_{0};  // before id_: registered with it
    uint64_t id_;
};

}  // namespace bulwark::http
