#pragma once

#include <any>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/response.hpp"

namespace bulwark::http {

// One HTTP request as the application sees it: no sockets, no Beast types. Filled by the server,
// path parameters added by the router, `context` set by the guard (auth) for the handler.
struct Request {
    std::string method;                             // "GET", "POST", ...
    std::string target;                             // as received: path and query
    std::string path;                               // percent-decoded path without the query
    std::multimap<std::string, std::string> query;  // decoded query parameters
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
    std::string body;
    std::string client_address;                      // peer IP address
    std::string request_id;                          // unique per request; echoed as X-Request-Id
    bool secure = false;                             // arrived over TLS
    std::map<std::string, std::string> path_params;  // ":id" segments matched by the router
    std::any context;  // set by the router's guard: who is asking (auth::Principal)

    // Answering later. A handler that queues its work (Database::WriteAsync) instead of waiting
    // for it calls Defer(), returns Response::Deferred() and answers through the function Defer()
    // gave, exactly once, from any thread; after returning it must not touch the request again.
    // The server sets `reply_later` so that no worker waits meanwhile; Router::Dispatch sets
    // one that it waits on when its caller gave none (tests), so every handler may defer.
    using Reply = std::function<void(Response)>;
    Reply reply_later;
    Reply Defer() { return reply_later; }

    // First header of that name (case-insensitive), or "".
    std::string_view Header(std::string_view name) const;
    // First query parameter of that name, or nullopt.
    std::optional<std::string> Query(std::string_view name) const;
    // Path parameter matched by the router (":id" -> "id"), or "".
    const std::string& Param(const std::string& name) const;
    // Value of one cookie from the Cookie header, or "".
    std::string Cookie(std::string_view name) const;
};

}  // namespace bulwark::http
