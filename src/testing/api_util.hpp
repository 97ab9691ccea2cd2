#pragma once

// Shared by the testing module's *_api.cpp files only: reading request JSON, answering.

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "testing/idempotency.hpp"

namespace bulwark::testing::api {

namespace json = boost::json;

Result<json::object> BodyObject(const http::Request& req);
// The ":id" (or another) path parameter; a malformed id is simply not found.
Result<int64_t> PathId(const http::Request& req, const std::string& name = "id");
// An integer query parameter; `fallback` when absent or empty.
Result<int64_t> QueryInt(const http::Request& req, const char* name, int64_t fallback);

// Fields of a JSON object. Required ones answer kInvalidArgument "缺少字段 x" when absent;
// optional ones give nullopt when absent or null. Wrong types answer kInvalidArgument naming the
// field.
Result<int64_t> Int(const json::object& o, const char* name);
Result<std::optional<int64_t>> OptInt(const json::object& o, const char* name);
Result<std::string> String(const json::object& o, const char* name);
Result<std::optional<std::string>> OptString(const json::object& o, const char* name);
Result<std::optional<bool>> OptBool(const json::object& o, const char* name);
Result<std::optional<std::vector<int64_t>>> OptIds(const json::object& o, const char* name,
                                                   size_t max);
Result<std::optional<std::vector<std::string>>> OptStrings(const json::object& o, const char* name,
                                                           size_t max);
// The idempotency key: present and 16..64 characters of [A-Za-z0-9_-].
Result<std::string> Key(const json::object& o);

// The HTTP response of an answer (stored or new), or of an error.
http::Response Reply(const Answer& answer);
http::Response Reply(const Result<Answer>& answer);

// Runs `f` (Result<json::object>()) and answers JSON with `status`, or the error.
template <class F>
http::Response JsonReply(F&& f, int status = 200) {
    auto result = f();
    if (!result.ok()) return http::Response::FromError(result.error());
    return http::Response::Json(*result, status);
}

}  // namespace bulwark::testing::api
