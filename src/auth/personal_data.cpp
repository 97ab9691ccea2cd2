#include "auth/personal_data.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace bulwark::auth {
namespace {

// Key file format (text, one entry a line, '#' starts a comment line):
//   index <64 hex digits>              the blind-index key; exactly one, never rotated
//   key <version> <64 hex digits>      encryption keys, versions 1, 2, ... without gaps
// The newest version encrypts; every listed version decrypts.
constexpr const char* kFileHeader =
    "# bulwark personal data keys. Keep this file (mode 0600) and its backups apart from the\n"
    "# database: without it ID numbers and phones cannot be read; with it, they can.\n";
constexpr size_t kKeyBytes = 32;
constexpr size_t kVersionBytes = 1;
constexpr size_t kIndexBytes = 16;
constexpr size_t kMaxVersions = 255;

static_assert(crypto_secretbox_KEYBYTES == kKeyBytes);
static_assert(crypto_generichash_KEYBYTES_MAX >= kKeyBytes);

void InitSodium() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Without a working random source no key or nonce is safe: crash loudly.
        if (sodium_init() < 0) std::abort();
    });
}

using Key = std::array<uint8_t, kKeyBytes>;

// Zeroes a buffer that held key material when it goes out of scope.
struct Wiper {
    std::string& s;
    ~Wiper() { sodium_memzero(s.data(), s.size()); }
};

std::string Hex(const Key& key) {
    std::string out(kKeyBytes * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), key.data(), key.size());
    out.pop_back();
    return out;
}

bool FromHex(std::string_view hex, Key* out) {
    size_t len = 0;
    const char* end = nullptr;
    return sodium_hex2bin(out->data(), out->size(), hex.data(), hex.size(), nullptr, &len, &end) ==
               0 &&
           len == kKeyBytes && end == hex.data() + hex.size();
}

Key RandomKey() {
    Key key;
    randombytes_buf(key.data(), key.size());
    return key;
}

std::string ErrnoText() { return std::strerror(errno); }

struct KeyMaterial {
    Key index_key{};
    std::vector<Key> keys;
    ~KeyMaterial() {
        sodium_memzero(index_key.data(), index_key.size());
        for (Key& k : keys) sodium_memzero(k.data(), k.size());
    }
};

std::string Serialise(const KeyMaterial& m) {
    std::string out = kFileHeader;
    out += "index " + Hex(m.index_key) + "\n";
    for (size_t i = 0; i < m.keys.size(); ++i) {
        out += "key " + std::to_string(i + 1) + " " + Hex(m.keys[i]) + "\n";
    }
    return out;
}

Status Parse(const std::string& path, std::string_view text, KeyMaterial* out) {
    bool have_index = false;
    int line_no = 0;
    while (!text.empty()) {
        const size_t nl = std::min(text.find('\n'), text.size());
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(std::min(nl + 1, text.size()));
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        auto bad = [&](const std::string& why) {
            return Internal("密钥文件 " + path + " 第 " + std::to_string(line_no) + " 行: " + why);
        };
        const size_t sp = line.find(' ');
        std::string_view word = line.substr(0, sp);
        std::string_view rest = sp == std::string_view::npos ? "" : line.substr(sp + 1);
        Key key;
        if (word == "index") {
            if (have_index) return bad("index 重复");
            if (!FromHex(rest, &key)) return bad("index 须为 64 位十六进制");
            out->index_key = key;
            have_index = true;
        } else if (word == "key") {
            const size_t sp2 = rest.find(' ');
            if (sp2 == std::string_view::npos) return bad("格式应为 key <版本> <十六进制>");
            const std::string version(rest.substr(0, sp2));
            if (version != std::to_string(out->keys.size() + 1)) {
                return bad("密钥版本须从 1 起连续递增, 此处应为 " +
                           std::to_string(out->keys.size() + 1));
            }
            if (out->keys.size() >= kMaxVersions) return bad("密钥版本超过 255");
            if (!FromHex(rest.substr(sp2 + 1), &key)) return bad("密钥须为 64 位十六进制");
            out->keys.push_back(key);
        } else {
            return bad("无法识别的内容");
        }
        sodium_memzero(key.data(), key.size());
    }
    if (!have_index) return Internal("密钥文件 " + path + " 缺少 index 行");
    if (out->keys.empty()) return Internal("密钥文件 " + path + " 没有任何 key 行");
    return Ok();
}

Status WriteAll(int fd, const std::string& path, const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Unavailable("无法写入密钥文件 " + path + ": " + ErrnoText());
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) return Unavailable("无法同步密钥文件 " + path + ": " + ErrnoText());
    return Ok();
}

// Creates `path` with mode 0600 whatever the umask; fails with kAlreadyExists if it exists.
Status CreateExclusive(const std::string& path, const std::string& data) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST) return AlreadyExists("密钥文件已存在: " + path);
    if (fd < 0) return Unavailable("无法创建密钥文件 " + path + ": " + ErrnoText());
    Status s = ::fchmod(fd, 0600) == 0 ? WriteAll(fd, path, data)
                                       : Status(Unavailable("无法设置密钥文件权限 " + path));
    ::close(fd);
    if (!s.ok()) ::unlink(path.c_str());
    return s;
}

void SyncParentDir(const std::string& path) {
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "."
                            : slash == 0               ? "/"
                                                       : path.substr(0, slash);
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)::fsync(fd);
        ::close(fd);
    }
}

// Reads the key file, refusing one that is not a regular file or that group or others may read.
Status Load(const std::string& path, KeyMaterial* out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return Unavailable("无法打开密钥文件 " + path + ": " + ErrnoText());
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return FailedPrecondition("密钥文件 " + path + " 不是普通文件");
    }
    if ((st.st_mode & 077) != 0) {
        ::close(fd);
        return FailedPrecondition("密钥文件 " + path +
                                  " 可被其他用户读取, 拒绝使用: 请执行 chmod 600 " + path +
                                  " 并检查它是否已泄露");
    }
    std::string text;
    Wiper wipe{text};
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            sodium_memzero(buf, sizeof buf);
            ::close(fd);
            return Unavailable("无法读取密钥文件 " + path + ": " + ErrnoText());
        }
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
        if (text.size() > (1 << 20)) {
            ::close(fd);
            return Internal("密钥文件 " + path + " 过大");
        }
    }
    sodium_memzero(buf, sizeof buf);
    ::close(fd);
    return Parse(path, text, out);
}

// Splits UTF-8 text into characters (a stray continuation byte stays with the one before).
std::vector<std::string_view> Utf8Chars(std::string_view s) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (size_t i = 1; i <= s.size(); ++i) {
        if (i == s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            out.push_back(s.substr(start, i - start));
            start = i;
        }
    }
    return out;
}

// Keeps the first `head` and last `tail` characters, one '*' for each character between.
std::string KeepEnds(const std::vector<std::string_view>& chars, size_t head, size_t tail) {
    std::string out;
    for (size_t i = 0; i < chars.size(); ++i) {
        if (i < head || i + tail >= chars.size()) {
            out += chars[i];
        } else {
            out += '*';
        }
    }
    return out;
}

// For values too short for their usual mask: the last 4 characters at most, and never more than
// half, so that a short value is never shown whole.
std::string KeepShortTail(const std::vector<std::string_view>& chars) {
    return KeepEnds(chars, 0, std::min<size_t>(4, chars.size() / 2));
}

}  // namespace

Result<std::unique_ptr<PersonalDataCipher>> PersonalDataCipher::OpenKeyFile(
    const std::string& path) {
    InitSodium();
    {
        KeyMaterial fresh;
        fresh.index_key = RandomKey();
        fresh.keys.push_back(RandomKey());
        std::string text = Serialise(fresh);
        Wiper wipe{text};
        Status created = CreateExclusive(path, text);
        if (created.ok()) {
            SyncParentDir(path);
        } else if (created.error().code != ErrorCode::kAlreadyExists) {
            return std::move(created).error();
        }
    }
    KeyMaterial m;
    RETURN_IF_ERROR(Load(path, &m));
    std::unique_ptr<PersonalDataCipher> cipher(new PersonalDataCipher());
    cipher->index_key_ = m.index_key;
    cipher->keys_ = m.keys;
    return cipher;
}

std::unique_ptr<PersonalDataCipher> PersonalDataCipher::ForTesting(uint8_t seed) {
    InitSodium();
    std::unique_ptr<PersonalDataCipher> cipher(new PersonalDataCipher());
    auto derive = [seed](const char* label, Key* out) {
        const std::string input = std::string(label) + static_cast<char>(seed);
        crypto_generichash(out->data(), out->size(),
                           reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                           nullptr, 0);
    };
    derive("bulwark-test-index", &cipher->index_key_);
    cipher->keys_.emplace_back();
    derive("bulwark-test-key-1", &cipher->keys_.back());
    return cipher;
}

std::string PersonalDataCipher::Encrypt(std::string_view plaintext) const {
    const Key& key = keys_.back();
    std::string out(
        kVersionBytes + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(),
        '\0');
    auto* bytes = reinterpret_cast<unsigned char*>(out.data());
    bytes[0] = current_version();
    unsigned char* nonce = bytes + kVersionBytes;
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                          plaintext.size(), nonce, key.data());
    return out;
}

Result<std::string> PersonalDataCipher::Decrypt(std::string_view ciphertext) const {
    constexpr size_t kOverhead =
        kVersionBytes + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
    if (ciphertext.size() < kOverhead) return Internal("密文过短或已损坏");
    const auto* bytes = reinterpret_cast<const unsigned char*>(ciphertext.data());
    const uint8_t version = bytes[0];
    if (version == 0 || version > keys_.size()) {
        return Internal("密文使用了未知的密钥版本 " + std::to_string(version) +
                        ": 密钥文件是否被替换或缺少新密钥?");
    }
    const unsigned char* nonce = bytes + kVersionBytes;
    const unsigned char* boxed = nonce + crypto_secretbox_NONCEBYTES;
    const size_t boxed_len = ciphertext.size() - kVersionBytes - crypto_secretbox_NONCEBYTES;
    std::string plain(boxed_len - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), boxed, boxed_len,
                                   nonce, keys_[version - 1].data()) != 0) {
        return Internal("密文校验失败: 数据已被篡改或密钥不符");
    }
    return plain;
}

std::string PersonalDataCipher::BlindIndex(std::string_view normalised_value) const {
    std::string out(kIndexBytes, '\0');
    crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                       reinterpret_cast<const unsigned char*>(normalised_value.data()),
                       normalised_value.size(), index_key_.data(), index_key_.size());
    return out;
}

uint8_t PersonalDataCipher::current_version() const { return static_cast<uint8_t>(keys_.size()); }

bool PersonalDataCipher::NeedsRotation(std::string_view ciphertext) const {
    return !ciphertext.empty() && static_cast<uint8_t>(ciphertext[0]) != current_version();
}

Status PersonalDataCipher::AddKeyToFile(const std::string& path) {
    InitSodium();
    KeyMaterial m;
    RETURN_IF_ERROR(Load(path, &m));
    if (m.keys.size() >= kMaxVersions) {
        return FailedPrecondition("密钥版本已达 255 个上限: 请先重新加密全部数据后重建密钥文件");
    }
    m.keys.push_back(RandomKey());
    std::string text = Serialise(m);
    Wiper wipe{text};
    // Written beside the file and renamed over it, so a crash leaves the old or the new file,
    // never half of one.
    const std::string temp = path + ".new";
    ::unlink(temp.c_str());
    RETURN_IF_ERROR(CreateExclusive(temp, text));
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        Status failed = Unavailable("无法替换密钥文件 " + path + ": " + ErrnoText());
        ::unlink(temp.c_str());
        return failed;
    }
    SyncParentDir(path);
    return Ok();
}

PersonalDataCipher::~PersonalDataCipher() {
    sodium_memzero(index_key_.data(), index_key_.size());
    for (auto& key : keys_) sodium_memzero(key.data(), key.size());
}

std::string MaskIdNumber(std::string_view id_number) {
    const auto chars = Utf8Chars(id_number);
    if (chars.size() > 10) return KeepEnds(chars, 6, 4);
    return KeepShortTail(chars);
}

std::string MaskPhone(std::string_view phone) {
    const auto chars = Utf8Chars(phone);
    if (chars.size() == 11) return KeepEnds(chars, 3, 4);
    return KeepShortTail(chars);
}

std::string MaskName(std::string_view name) {
    const auto chars = Utf8Chars(name);
    return KeepEnds(chars, 0, 1);
}

}  // namespace bulwark::auth
