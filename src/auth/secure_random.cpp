#include "auth/secure_random.hpp"

#include <sodium.h>

#include <cstdlib>
#include <vector>

#include <spdlog/spdlog.h>

namespace bulwark::auth {

void EnsureSodium() {
    static const bool ready = [] {
        if (sodium_init() < 0) {
            spdlog::critical("libsodium could not be initialised");
            std::abort();
        }
        return true;
    }();
    (void)ready;
}

namespace {

std::string ToHex(const unsigned char* data, size_t size) {
    std::string hex(size * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), data, size);
    hex.pop_back();
    return hex;
}

}  // namespace

std::string RandomHex(size_t bytes) {
    EnsureSodium();
    std::vector<unsigned char> buf(bytes);
    randombytes_buf(buf.data(), buf.size());
    return ToHex(buf.data(), buf.size());
}

std::string TokenDigest(std::string_view token) {
    EnsureSodium();
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                       token.size(), nullptr, 0);
    return ToHex(digest, sizeof digest);
}

bool SecretsEqual(std::string_view a, std::string_view b) {
    if (a.size() != b.size() || a.empty()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace bulwark::auth
