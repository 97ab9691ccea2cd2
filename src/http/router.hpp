#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.hpp"
#include "http/response.hpp"

namespace bulwark::http {

using Handler = std::function<Response(Request&)>;

// What a route declares about itself. Every route must say whether it is public, which
// permission it needs, whether it returns personal data and which audit event it writes; the
// auth module's guard enforces these in one place and a test walks them all.
struct RouteSpec {
    std::string method;          // "GET", "POST", "PUT", "PATCH", "DELETE"
    std::string pattern;         // "/api/v1/rounds/:id"; a final "*" segment matches the rest
    bool is_public = false;      // reachable without a session (login, health only)
    std::string permission;      // e.g. "residents.read"; empty only for public routes
    bool personal_data = false;  // the response carries personal data (audited, masked)
    std::string audit_event;     // audit action written for this route; empty: none
    // Body types accepted by POST/PUT/PATCH; the router answers 415 to others.
    std::vector<std::string> accepts = {"application/json"};
    // Largest request body, in bytes, when more than the server's body_limit (an upload); 0:
    // the server's. The server reads the request line first, then applies the route's limit.
    size_t body_limit = 0;
    Handler handler;
};

// Runs before a route's handler; returns a response to stop the request (401/403/404), or
// nullopt to let it through (after setting request.context).
using Guard = std::function<std::optional<Response>(const RouteSpec&, Request&)>;

// Matches method and path to a route. Routes are added at start-up, then the router is
// read-only: Dispatch() is thread-safe once Freeze() was called.
class Router {
public:
    // Adds a route; a pattern and method added twice is a programming error (aborts).
    void Add(RouteSpec spec);
    void SetGuard(Guard guard) { guard_ = std::move(guard); }
    // Called for GET/HEAD requests that match no route and are not under /api/ (static files).
    void SetFallback(Handler fallback) { fallback_ = std::move(fallback); }
    void Freeze() { frozen_ = true; }

    // Finds the route, checks the content type, runs the guard and the handler. Unknown routes
    // answer 404, a known path with another method 405 with Allow, a wrong body type 415.
    // Exceptions from handlers become 500 with the request id logged.
    Response Dispatch(Request& request) const;

    const std::vector<RouteSpec>& routes() const { return routes_; }

    // The body limit for a request to `target` (path and query) with `method`: the largest
    // RouteSpec::body_limit among the routes that match it, else `fallback`; and the largest
    // any route declares (0 if none), which bounds what the server reads before it knows.
    size_t BodyLimitFor(std::string_view method, std::string_view target, size_t fallback) const;
    size_t LargestBodyLimit() const;

private:
    std::vector<RouteSpec> routes_;
    Guard guard_;
    Handler fallback_;
    bool frozen_ = false;
};

// Matches `path` against `pattern`; fills `params` on success.
bool MatchPattern(const std::string& pattern, const std::string& path,
                  std::map<std::string, std::string>* params);

}  // namespace bulwark::http
