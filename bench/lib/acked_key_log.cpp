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

bool AckedKeyLog::Append(std::string_view lines) const {
    while (!lines.empty()) {
        const ssize_t written = ::write(fd_, lines.data(), lines.size());
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return false;
        lines.remove_prefix(static_cast<size_t>(written));
    }
    return true;
}

}  // namespace bulwark::bench
