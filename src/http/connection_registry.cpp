#include "http/connection_registry.hpp"

namespace bulwark::http {

int64_t ConnectionRegistry::NowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

uint64_t ConnectionRegistry::Add(Canceller canceller, const Deadline* deadline) {
    std::lock_guard lock(mu_);
    if (stopping_) return 0;
    uint64_t id = next_id_++;
    connections_.emplace(id, Connection{.canceller = std::move(canceller), .deadline = deadline});
    return id;
}

void ConnectionRegistry::Remove(uint64_t id) {
    Connection removed;
    {
        std::lock_guard lock(mu_);
        auto it = connections_.find(id);
        if (it == connections_.end()) return;
        removed = std::move(it->second);
        connections_.erase(it);
        if (connections_.empty()) empty_.notify_all();
    }
    // `removed` (which may own the connection's stream) is destroyed outside the lock.
}

bool ConnectionRegistry::SetIdle(uint64_t id, bool idle) {
    std::lock_guard lock(mu_);
    if (idle && stopping_) return false;
    auto it = connections_.find(id);
    if (it != connections_.end()) it->second.idle = idle;
    return true;
}

bool ConnectionRegistry::IsIdle(uint64_t id) const {
    std::lock_guard lock(mu_);
    auto it = connections_.find(id);
    return it != connections_.end() && it->second.idle;
}

void ConnectionRegistry::BeginStop() {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [id, connection] : connections_) {
        if (connection.idle) connection.canceller(id, /*only_if_idle=*/true);
    }
}

void ConnectionRegistry::CancelAll() {
    std::lock_guard lock(mu_);
    for (auto& [id, connection] : connections_) connection.canceller(id, /*only_if_idle=*/false);
}

size_t ConnectionRegistry::CloseExpired(int64_t now_ms) {
    std::lock_guard lock(mu_);
    size_t closed = 0;
    for (auto& [id, connection] : connections_) {
        if (connection.expired || connection.deadline == nullptr) continue;
        const int64_t deadline = connection.deadline->load(std::memory_order_relaxed);
        if (deadline == 0 || deadline > now_ms) continue;
        connection.expired = true;
        connection.canceller(id, /*only_if_idle=*/false);
        ++closed;
    }
    return closed;
}

size_t ConnectionRegistry::WaitEmpty(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    empty_.wait_until(lock, deadline, [this] { return connections_.empty(); });
    return connections_.size();
}

}  // namespace bulwark::http
