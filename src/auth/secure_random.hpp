#pragma once

#include <string>
#include <string_view>

namespace bulwark::auth {

// Secrets for sessions and CSRF, from libsodium's CSPRNG. Thread-safe.

// Initialises libsodium once (aborts if it cannot: no secure randomness, no service).
void EnsureSodium();
// `bytes` random bytes as lower-case hex (a 16-byte token is 32 characters).
std::string RandomHex(size_t bytes);
// The stored form of a session token: BLAKE2b-256 of it, as hex. The token itself is never
// stored, so a copy of the database does not let anyone sign in.
std::string TokenDigest(std::string_view token);
// Constant-time comparison of two secrets (false when the sizes differ).
bool SecretsEqual(std::string_view a, std::string_view b);

}  // namespace bulwark::auth
