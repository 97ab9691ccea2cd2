#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace bulwark::http {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, for query strings). Returns
// nullopt for a malformed escape or a decoded NUL byte.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Splits a request target ("/a%20b?x=1&y") into the decoded path and decoded query parameters.
// Returns false if the target is not origin-form (must start with '/') or is badly encoded.
bool ParseTarget(std::string_view target, std::string* path,
                 std::multimap<std::string, std::string>* query);

}  // namespace bulwark::http
