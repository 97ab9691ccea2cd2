#pragma once

#include <string_view>

#include "http/request.hpp"

namespace bulwark::auth {

inline constexpr std::string_view kSessionCookie = "bulwark_session";
inline constexpr std::string_view kCsrfCookie = "bulwark_csrf";
inline constexpr std::string_view kCsrfHeader = "x-csrf-token";

// Cross-site request forgery checks, pure functions of the request. Thread-safe.

// POST, PUT, PATCH and DELETE change state; GET and HEAD must not.
bool ChangesState(std::string_view method);
// False when the browser says the request comes from another site: an Origin header that is not
// this server's own scheme://Host, or Sec-Fetch-Site "cross-site" / "same-site". A request
// without either header (curl, scripts) passes; the token check still applies to it.
bool SameOrigin(const http::Request& request);
// True if the X-CSRF-Token header equals `expected` (constant-time).
bool CsrfTokenMatches(const http::Request& request, std::string_view expected);

}  // namespace bulwark::auth
