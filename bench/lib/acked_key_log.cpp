#include "bench/lib/acked_key_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace bulwark::bench {

Result<AckedKeyLog> AckedKeyLog::Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        return Unavailable("cannot open acked-key file " + path + ": " + std::strerror(errno));
    }
    return AckedKeyLog(fd);
}

AckedKeyLog::AckedKeyLog(AckedKeyLog&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

AckedKeyLog& AckedKeyLog::operator=(AckedKeyLog&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

AckedKeyLog::~AckedKeyLog() {
    if (fd_ >= 0) ::close(fd_);
}

bool AckedKeyLog::Append(std::string_view key) const {
    std::string line;
    line.reserve(key.size() + 1);
    line.append(key).push_back('\n');
    ssize_t written;
    do {
        written = ::write(fd_, line.data(), line.size());
    } while (written < 0 && errno == EINTR);
    return written == static_cast<ssize_t>(line.size());
}

}  // namespace bulwark::bench
