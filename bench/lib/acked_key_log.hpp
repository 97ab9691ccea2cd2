#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace bulwark::bench {

// An append-only file of idempotency keys that got a 2xx answer, one per line, for crash tests:
// after the server is killed, every key in this file must be in its database. The load engine
// appends the keys of the answers that arrived in one turn of a thread's event loop with one
// write(2) to an O_APPEND descriptor, right after that turn; if this process is killed too, the
// file misses at most those last keys, which makes the check smaller, never wrong.
// Thread-safe (each write is one atomic append of whole lines).
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
    // Appends `lines` ("key\n" each); false if the write failed (disk full): the caller counts
    // the keys as not written.
    bool Append(std::string_view lines) const;

private:
    explicit AckedKeyLog(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace bulwark::bench
