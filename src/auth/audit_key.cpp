#include "auth/audit_key.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string_view>

namespace bulwark::auth {
namespace {

constexpr const char* kFileHeader =
    "# bulwark audit log key. The audit chain can be checked (bulwark audit verify) only with\n"
    "# this file, and forged by whoever holds it: keep it (mode 0600) and its backups apart\n"
    "# from the database, and give every server of one database the same file.\n";
constexpr std::string_view kWord = "audit ";
constexpr size_t kMaxFileBytes = 4096;

void InitSodium() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Without a working random source no key is safe: crash loudly.
        if (sodium_init() < 0) std::abort();
    });
}

std::string ErrnoText() { return std::strerror(errno); }

// Zeroes a buffer that held key material when it goes out of scope.
struct Wiper {
    std::string& s;
    ~Wiper() { sodium_memzero(s.data(), s.size()); }
};

Status WriteAll(int fd, const std::string& path, const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Unavailable("无法写入审计密钥文件 " + path + ": " + ErrnoText());
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) return Unavailable("无法同步审计密钥文件 " + path + ": " + ErrnoText());
    return Ok();
}

void SyncDir(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)::fsync(fd);
        ::close(fd);
    }
}

// Writes `text` to a temporary file beside `path` (mode 0600 whatever the umask) and links it
// into place, so that `path` appears whole or not at all and two processes starting together
// keep one key. A `path` that already exists is left alone.
Status CreateIfMissing(const std::string& path, const std::string& text) {
    std::string tmp = path + ".tmp-XXXXXX";
    int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) return Unavailable("无法创建审计密钥文件 " + path + ": " + ErrnoText());
    Status written = ::fchmod(fd, 0600) == 0
                         ? WriteAll(fd, tmp, text)
                         : Status(Unavailable("无法设置审计密钥文件权限 " + tmp));
    ::close(fd);
    if (written.ok() && ::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) {
        written = Unavailable("无法创建审计密钥文件 " + path + ": " + ErrnoText());
    }
    ::unlink(tmp.c_str());
    if (written.ok()) SyncDir(std::filesystem::path(path).parent_path().string());
    return written;
}

// Reads the key file, refusing one that is not a regular file or that group or others may read.
Status Load(const std::string& path, std::array<uint8_t, AuditKey::kBytes>* out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return Unavailable("无法打开审计密钥文件 " + path + ": " + ErrnoText());
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return FailedPrecondition("审计密钥文件 " + path + " 不是普通文件");
    }
    if ((st.st_mode & 077) != 0) {
        ::close(fd);
        return FailedPrecondition("审计密钥文件 " + path +
                                  " 可被其他用户读取, 拒绝使用: 请执行 chmod 600 " + path +
                                  " 并检查它是否已泄露");
    }
    std::string text(kMaxFileBytes + 1, '\0');
    Wiper wipe{text};
    size_t size = 0;
    while (size < text.size()) {
        ssize_t n = ::read(fd, text.data() + size, text.size() - size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ::close(fd);
            return Unavailable("无法读取审计密钥文件 " + path + ": " + ErrnoText());
        }
        if (n == 0) break;
        size += static_cast<size_t>(n);
    }
    ::close(fd);
    if (size > kMaxFileBytes) return Internal("审计密钥文件 " + path + " 过大");

    std::string_view rest(text.data(), size);
    bool found = false;
    while (!rest.empty()) {
        const size_t nl = std::min(rest.find('\n'), rest.size());
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(std::min(nl + 1, rest.size()));
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        if (found || line.substr(0, kWord.size()) != kWord) {
            return Internal("审计密钥文件 " + path + " 格式错误: 应只有一行 audit <64 位十六进制>");
        }
        std::string_view hex = line.substr(kWord.size());
        size_t len = 0;
        const char* end = nullptr;
        if (sodium_hex2bin(out->data(), out->size(), hex.data(), hex.size(), nullptr, &len, &end) !=
                0 ||
            len != AuditKey::kBytes || end != hex.data() + hex.size()) {
            return Internal("审计密钥文件 " + path + " 格式错误: 密钥须为 64 位十六进制");
        }
        found = true;
    }
    if (!found) return Internal("审计密钥文件 " + path + " 缺少 audit 行");
    return Ok();
}

}  // namespace

AuditKey::~AuditKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

Result<AuditKey> AuditKey::OpenFile(const std::string& path) {
    InitSodium();
    if (::access(path.c_str(), F_OK) != 0) {
        AuditKey fresh = Random();
        std::string hex(kBytes * 2 + 1, '\0');
        Wiper wipe_hex{hex};
        sodium_bin2hex(hex.data(), hex.size(), fresh.bytes_.data(), fresh.bytes_.size());
        hex.pop_back();
        std::string text = std::string(kFileHeader) + std::string(kWord) + hex + "\n";
        Wiper wipe_text{text};
        RETURN_IF_ERROR(CreateIfMissing(path, text));
    }
    AuditKey key;
    RETURN_IF_ERROR(Load(path, &key.bytes_));
    return key;
}

AuditKey AuditKey::ForTesting(uint8_t seed) {
    InitSodium();
    AuditKey key;
    const std::string input = std::string("bulwark-test-audit-key") + static_cast<char>(seed);
    crypto_generichash(key.bytes_.data(), key.bytes_.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size(), nullptr,
                       0);
    return key;
}

AuditKey AuditKey::Random() {
    InitSodium();
    AuditKey key;
    randombytes_buf(key.bytes_.data(), key.bytes_.size());
    return key;
}

std::string AuditKeyFilePath(const std::string& data_dir) {
    return (std::filesystem::path(data_dir) / "keys" / "audit.key").string();
}

Result<AuditKey> OpenAuditKey(const std::string& data_dir) {
    const std::string dir = (std::filesystem::path(data_dir) / "keys").string();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Unavailable("无法创建密钥目录 " + dir + ": " + ec.message());
    // Only the owner may list or enter the folder, whatever the umask made of it.
    if (::chmod(dir.c_str(), 0700) != 0) {
        return Unavailable("无法设置密钥目录权限 " + dir + ": " + ErrnoText());
    }
    return AuditKey::OpenFile(AuditKeyFilePath(data_dir));
}

}  // namespace bulwark::auth
