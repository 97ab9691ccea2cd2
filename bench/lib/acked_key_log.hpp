#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace bulwark::bench {

// An append-only file of idempotency keys that got a 2xx answer, one per line, for crash tests:
// after the server is killed, every key in this file must be in its database. Each key is one
// write(2) to an O_APPEND descriptor as soon as its answer arrives, so the file is complete even
// if this process is killed too. Thread-safe (a line is one atomic append).
class AckedKeyLog {
public:
    static Result<AckedKeyLog> Open(const std::string& path);
    AckedKeyLog() = default;
    AckedKeyLog(AckedKeyLog&& other) noexcept;
    AckedKeyLog& operator=(AckedKeyLog&& other) noexcept;
    AckedKeyLog(const AckedKeyLog&) = delete;
    AckedKeyLog& operator=(const AckedKeyLog&) = delete;
    ~AckedKeyLog();

    bool is_open() const { return fd_ >= 0; }
    // Appends "key\n"; returns false if the write failed (disk full): the caller counts it.
    bool Append(std::string_view key) const;

private:
    explicit AckedKeyLog(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace bulwark::bench
