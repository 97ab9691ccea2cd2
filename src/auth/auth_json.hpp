#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "auth/account_store.hpp"
#include "auth/principal.hpp"
#include "base/result.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace bulwark::auth {

// JSON shapes and cookies of the auth routes. Pure functions; thread-safe.

// {"id","username","display_name","locked","must_change_password","created_at","updated_at",
//  "grants":[{"role","scope_kind","scope_id"}]}
boost::json::object UserJson(const UserRecord& user);
boost::json::array GrantsJson(const std::vector<Grant>& grants);
// Every permission the principal holds anywhere, sorted.
boost::json::array PermissionsJson(const Principal& who);
// Parses [{"role","scope_kind","scope_id"}] (field "grants").
Result<std::vector<Grant>> ParseGrants(const boost::json::value& value);
// Reads a string member; kInvalidArgument naming it when missing (if required) or not a string.
Result<std::string> StringField(const boost::json::object& object, const char* name, bool required);

// Set-Cookie values: the session cookie (HttpOnly) and the CSRF cookie (readable by the page),
// both SameSite=Strict, Path=/, Secure when the request came over TLS; and their removal.
void SetSessionCookies(http::Response& response, const http::Request& request,
                       const std::string& token, const std::string& csrf_token);
void SetCsrfCookie(http::Response& response, const http::Request& request,
                   const std::string& csrf_token);
void ClearSessionCookies(http::Response& response, const http::Request& request);

// "community:12": the form scopes take in audit rows and filters.
std::string ScopeText(const Scope& scope);

}  // namespace bulwark::auth
