#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace bulwark {

// Source of wall-clock time, injected so that tests control time. Implementations are
// thread-safe.
class Clock {
public:
    virtual ~Clock() = default;
    // Milliseconds since the Unix epoch (UTC). All stored times use this unit.
    virtual int64_t NowMillis() const = 0;
};

// The real clock.
class SystemClock final : public Clock {
public:
    int64_t NowMillis() const override {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
    // The process-wide instance.
    static SystemClock& Instance() {
        static SystemClock clock;
        return clock;
    }
};

// A clock that moves only when told to; for tests. Thread-safe.
class FakeClock final : public Clock {
public:
    explicit FakeClock(int64_t start_millis) : now_(start_millis) {}
    int64_t NowMillis() const override { return now_.load(); }
    void Advance(int64_t millis) { now_ += millis; }
    void Set(int64_t millis) { now_ = millis; }

private:
    std::atomic<int64_t> now_;
};

}  // namespace bulwark
