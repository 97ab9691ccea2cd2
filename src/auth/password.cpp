#include "auth/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <semaphore>
#include <thread>

#include "auth/secure_random.hpp"

namespace bulwark::auth {
namespace {

constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
constexpr size_t kMinPasswordChars = 10;
constexpr size_t kMaxPasswordBytes = 1024;

// Each hash holds 64 MiB for its duration; without a bound, a burst of logins on 64 worker
// threads would want 4 GiB.
std::counting_semaphore<>& HashSlots() {
    static std::counting_semaphore<> slots(
        static_cast<std::ptrdiff_t>(std::clamp(std::thread::hardware_concurrency(), 2u, 8u)));
    return slots;
}

class SlotHolder {
public:
    SlotHolder() { HashSlots().acquire(); }
    ~SlotHolder() { HashSlots().release(); }
    SlotHolder(const SlotHolder&) = delete;
    SlotHolder& operator=(const SlotHolder&) = delete;
};

size_t CodePoints(std::string_view s) {
    return static_cast<size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool EqualIgnoringAsciiCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
    EnsureSodium();
    char out[crypto_pwhash_STRBYTES];
    SlotHolder slot;
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return Internal("无法计算密码摘要 (内存不足)");
    }
    return std::string(out);
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
    EnsureSodium();
    if (encoded_hash.empty() || encoded_hash.size() >= crypto_pwhash_STRBYTES) return false;
    std::string hash(encoded_hash);  // libsodium wants a NUL-terminated string
    SlotHolder slot;
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool PasswordNeedsRehash(std::string_view encoded_hash) {
    EnsureSodium();
    std::string hash(encoded_hash);
    return crypto_pwhash_str_needs_rehash(hash.c_str(), kOpsLimit, kMemLimit) != 0;
}

void VerifyDummyPassword(std::string_view password) {
    static const std::string dummy = [] {
        auto hash = HashPassword(RandomPassword());
        return hash.ok() ? *hash : std::string();
    }();
    (void)VerifyPassword(dummy, password);
}

Status CheckPasswordRules(std::string_view password, std::string_view username,
                          const std::string& field) {
    if (CodePoints(password) < kMinPasswordChars) {
        return InvalidArgument("密码至少需要 10 个字符", field);
    }
    if (password.size() > kMaxPasswordBytes) return InvalidArgument("密码过长", field);
    if (EqualIgnoringAsciiCase(password, username)) {
        return InvalidArgument("密码不能与用户名相同", field);
    }
    return Ok();
}

std::string RandomPassword() {
    static constexpr std::string_view kAlphabet =
        "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    EnsureSodium();
    std::string out;
    for (int i = 0; i < 16; ++i) {
        out += kAlphabet[randombytes_uniform(static_cast<uint32_t>(kAlphabet.size()))];
    }
    return out;
}

}  // namespace bulwark::auth
