#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "base/error.hpp"

namespace bulwark::http {

// One HTTP response as the application builds it. A plain value type.
struct Response {
    int status = 200;
    std::string content_type;  // empty: no Content-Type (e.g. 204, /healthz)
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, ...)
    bool close = false;  // ask the server to close the connection after this response
    // Returned by a handler that called Request::Defer(): the answer comes through the reply.
    bool deferred = false;

    void AddHeader(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
    }

    // 200 (or `status`) with a JSON body.
    static Response Json(const boost::json::value& body, int status = 200);
    // An empty response with that status.
    static Response Empty(int status);
    // The JSON error body {"error":{"code","message","field"}} with the status mapped from the
    // error's code (see HttpStatusFor).
    static Response FromError(const Error& error);
    // An error that the transport or router produces itself (405, 413, 415, 503, ...): the same
    // body with an explicit status and code name.
    static Response TransportError(int status, std::string_view code, std::string_view message);
    // What a handler returns after Request::Defer().
    static Response Deferred() {
        Response r;
        r.deferred = true;
        return r;
    }
};

// The one mapping from ErrorCode to HTTP status:
// invalid_argument 400, unauthenticated 401, permission_denied 403, not_found 404,
// already_exists 409, failed_precondition 422, unavailable 503, internal 500.
int HttpStatusFor(ErrorCode code);

}  // namespace bulwark::http
