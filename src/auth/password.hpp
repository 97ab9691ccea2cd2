#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace bulwark::auth {

// Password hashing with Argon2id (libsodium crypto_pwhash_str, opslimit and memlimit
// INTERACTIVE: about 64 MiB and 0.1 s a hash). Thread-safe; at most a few hashes run at once
// (each takes 64 MiB), further callers wait.

// The encoded hash ("$argon2id$v=19$m=65536,t=2,p=1$...") of `password`; kInternal when the
// machine is out of memory.
Result<std::string> HashPassword(std::string_view password);
// True if `password` matches `encoded_hash`; false for a wrong password or a malformed hash.
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);
// True if `encoded_hash` was made with other parameters than HashPassword uses now (rehash it
// after the next successful login).
bool PasswordNeedsRehash(std::string_view encoded_hash);
// Spends the time of one verification, so that a login for an unknown name takes as long as
// one with a wrong password.
void VerifyDummyPassword(std::string_view password);

// The rules a new password must meet: at least 10 characters (code points), at most 1024
// bytes, not the user name. kInvalidArgument naming `field` otherwise.
Status CheckPasswordRules(std::string_view password, std::string_view username,
                          const std::string& field = "password");

// A random password of 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I),
// for administrator resets and `bulwark user add --random-password`.
std::string RandomPassword();

}  // namespace bulwark::auth
