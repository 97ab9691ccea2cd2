#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "base/result.hpp"

namespace bulwark::auth {

// The secret key of the audit log's hash chain: each row's hash is a keyed BLAKE2b
// (crypto_generichash) under it, so someone who can write to the database but cannot read the
// key file cannot rewrite a row and recompute the chain after it. A plain value of 32 bytes,
// wiped when destroyed; thread-safe to read.
//
// Key file <data dir>/keys/audit.key beside personal.key: text, '#' starts a comment line, and
// one line `audit <64 hex digits>`. Created with mode 0600 (O_CREAT|O_EXCL, then fchmod) at
// first start; a file that group or others can read is refused. The key never rotates: rows
// already written verify only under the key that wrote them. Every server sharing one
// PostgreSQL database must hold the same file, as they must hold the same personal.key.
class AuditKey {
public:
    static constexpr size_t kBytes = 32;

    // Loads `path`, creating it with a fresh random key if it does not exist. kFailedPrecondition
    // for a file group or others can read, kInternal for a malformed one, kUnavailable for I/O.
    static Result<AuditKey> OpenFile(const std::string& path);
    // For tests: a fixed key derived from `seed`.
    static AuditKey ForTesting(uint8_t seed);
    // A fresh random key that no file holds (see AuditLog::Append without a key).
    static AuditKey Random();

    AuditKey(const AuditKey& other) = default;
    AuditKey& operator=(const AuditKey& other) = default;
    ~AuditKey();

    const std::array<uint8_t, kBytes>& bytes() const { return bytes_; }

private:
    AuditKey() = default;
    std::array<uint8_t, kBytes> bytes_{};
};

// <data dir>/keys/audit.key, for the server, `bulwark audit verify` and every other command.
std::string AuditKeyFilePath(const std::string& data_dir);

// Opens the audit key of `data_dir`, creating <data dir>/keys (mode 0700) and the key file
// (mode 0600) at first start. Fails as AuditKey::OpenFile does.
Result<AuditKey> OpenAuditKey(const std::string& data_dir);

}  // namespace bulwark::auth
