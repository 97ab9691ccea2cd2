#pragma once

#include <string>

#include "tests/support/http_client.hpp"

namespace bulwark::testsupport {

// Creates an account with `bulwark --data DATA [--db URL] user add ... --password-stdin`
// (there is no default account). `scope` is "KIND:ID". Returns false (and the command's output
// in `*output`, if given) when the command fails.
bool AddUser(const std::string& data_dir, const std::string& db_url, const std::string& username,
             const std::string& password, const std::string& role = "administrator",
             const std::string& scope = "street:1", std::string* output = nullptr);

// Logs `client` in (POST /api/v1/auth/login; the client keeps the session cookie) and makes it
// send the session's X-CSRF-Token from then on. Returns the CSRF token, or "" on failure.
std::string LogIn(HttpClient& client, const std::string& username, const std::string& password);

}  // namespace bulwark::testsupport
