#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace bulwark::auth {

// Encrypts personal data (ID numbers, phone numbers) at rest and makes blind indexes for exact
// lookup, with keys held in a file outside the database. Thread-safe after construction.
//
// Ciphertext layout: 1 byte key version, 24 bytes nonce, then crypto_secretbox (XSalsa20-Poly1305)
// output. The blind index is a keyed BLAKE2b-128 (crypto_generichash) of the normalised value
// under a separate index key, so equal values match without decrypting and the database alone
// reveals nothing. Several encryption keys may be loaded (rotation): new data uses the newest;
// old ciphertexts still decrypt until re-encrypted. The index key never rotates (it would
// invalidate every index); it is 32 random bytes created with the file.
//
// Key file: text, one entry a line, '#' starts a comment line:
//   index <64 hex digits>           the blind-index key (exactly one; never rotated)
//   key <version> <64 hex digits>   encryption keys, versions 1, 2, ... in order, without gaps
// Created with mode 0600 whatever the umask (O_CREAT|O_EXCL, then fchmod); replaced atomically
// (write beside, rename) by AddKeyToFile. Keys are wiped from memory by the destructor.
class PersonalDataCipher {
public:
    // Loads `path` (mode 0600), creating it with fresh random keys if it does not exist. Refuses
    // a key file readable by group or others.
    static Result<std::unique_ptr<PersonalDataCipher>> OpenKeyFile(const std::string& path);
    // For tests: fixed keys derived from `seed`.
    static std::unique_ptr<PersonalDataCipher> ForTesting(uint8_t seed);

    std::string Encrypt(std::string_view plaintext) const;
    // kInternal if tampered or encrypted under an unknown key version.
    Result<std::string> Decrypt(std::string_view ciphertext) const;
    // 16 bytes; the same value always gives the same index.
    std::string BlindIndex(std::string_view normalised_value) const;
    // Key version that Encrypt uses now.
    uint8_t current_version() const;
    // Whether `ciphertext` was made with an older key (re-encrypt it during rotation).
    bool NeedsRotation(std::string_view ciphertext) const;

    // Adds a new newest encryption key to the key file (rotation step 1; then re-encrypt rows).
    static Status AddKeyToFile(const std::string& path);

    ~PersonalDataCipher();

private:
    PersonalDataCipher() = default;
    std::vector<std::array<uint8_t, 32>> keys_;  // index = version - 1
    std::array<uint8_t, 32> index_key_{};
};

// Masking for responses: an ID number shows its first 6 and last 4 characters
// (110101********1234), a phone 138****5678, a name "*三" for scanners.
std::string MaskIdNumber(std::string_view id_number);
std::string MaskPhone(std::string_view phone);
std::string MaskName(std::string_view name);  // UTF-8 aware: all but the last character -> '*'

}  // namespace bulwark::auth
