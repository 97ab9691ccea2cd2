#pragma once

#include <boost/json/value.hpp>

#include "base/result.hpp"
#include "http/request.hpp"

namespace bulwark::http {

// Parses the request body as JSON, for handlers. Returns kInvalidArgument
// "请求体不是有效的 JSON: <detail>" for an empty or malformed body. Thread-safe (pure).
Result<boost::json::value> ParseJsonBody(const Request& request);

}  // namespace bulwark::http
