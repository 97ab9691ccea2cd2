#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
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
    // Runs on the I/O thread that read the request instead of hopping to the worker pool and
    // back, which on 2 cores costs more than the HTTP stack itself. The rule: blocking calls
    // (the database, files, waiting on a lock) never run on an I/O thread, so only a handler
    // that does none of these and is quick may say so: GET /healthz (static files, served from
    // memory, are the inline fallback: see SetFallback). Only public GET routes may: a route
    // that needs a session reads it from the database in the guard, and the router calls no
    // guard for an inline route (the guard passes public GETs without looking). Add() aborts
    // for any other route.
    bool runs_inline = false;
    // The handler never blocks: it hands its work to a writer thread and answers later
    // (Request::Defer), or answers from memory. Such a route runs on the I/O thread too, but
    // only when the quick guard (Router::SetQuickGuard) lets the request through without
    // blocking, as it does for a session in the cache; else (no cached session, or any denial,
    // which writes an audit row) it runs on a worker as every other route. The hop to a
    // worker and back costs more than a scan's own work on the I/O thread.
    bool handler_never_blocks = false;
    Handler handler;
};

// Runs before a route's handler; returns a response to stop the request (401/403/404), or
// nullopt to let it through (after setting request.context).
using Guard = std::function<std::optional<Response>(const RouteSpec&, Request&)>;
// The guard's quick path, for RouteSpec::handler_never_blocks routes, on an I/O thread: true
// when it lets the request through (after setting request.context) without blocking; false
// when it cannot tell without blocking or would refuse it (the Guard then decides, on a
// worker). It never blocks and never answers.
using QuickGuard = std::function<bool(const RouteSpec&, Request&)>;

// Matches method and path to a route. Routes are added at start-up, then the router is
// read-only: Dispatch() is thread-safe once Freeze() was called.
class Router {
public:
    // Adds a route; a pattern and method added twice is a programming error (aborts).
    void Add(RouteSpec spec);
    void SetGuard(Guard guard) { guard_ = std::move(guard); }
    void SetQuickGuard(QuickGuard guard) { quick_guard_ = std::move(guard); }
    // Called for GET/HEAD requests that match no route and are not under /api/ (static files).
    // `runs_inline`: as RouteSpec::runs_inline, for a fallback that never blocks.
    void SetFallback(Handler fallback, bool runs_inline = false) {
        fallback_ = std::move(fallback);
        fallback_inline_ = runs_inline;
    }
    // Ends start-up: no more Add(); indexes the routes without parameters for Find().
    void Freeze();

    // Where a request goes, found once by Find(); Dispatch() then runs it.
    struct Target {
        const RouteSpec* route = nullptr;  // the most specific route for the method and path
        std::string allow;                 // no route, but the path has other methods: 405
        bool fallback = false;             // no route, and the fallback handler takes it
    };
    Target Find(const Request& request) const;
    // Whether Dispatch(request, target) may run on an I/O thread: an inline route, the inline
    // fallback, or an answer the router gives itself (404, 405), none of which can block.
    bool RunsInline(const Target& target) const;

    // Runs the guard, checks the content type and runs the handler of `target` (from
    // Find(request)). Unknown routes answer 404, a known path with another method 405 with
    // Allow, a wrong body type 415 (after the guard). Exceptions from handlers become 500 with
    // the request id logged.
    Response Dispatch(Request& request, const Target& target) const;
    // A handler may answer later (Request::Defer): when the request carries a reply_later,
    // Dispatch then returns Response::Deferred() at once and the answer goes there, else it
    // waits for the answer and returns it.
    Response Dispatch(Request& request) const { return Dispatch(request, Find(request)); }
    // Runs a RouteSpec::handler_never_blocks route here, on an I/O thread, when the quick
    // guard lets the request through: its answer (Deferred when the handler answers through
    // request.reply_later, which must be set). Empty when it cannot run here (another route,
    // no quick guard, or the quick guard said no): then Dispatch() it on a worker.
    std::optional<Response> DispatchQuick(Request& request, const Target& target) const;
    // What Dispatch adds to every answer (no-store under /api/), for answers given later.
    static void FinishResponse(const Request& request, Response& response);

    const std::vector<RouteSpec>& routes() const { return routes_; }

    // The body limit for a request to `target` (path and query) with `method`: the largest
    // RouteSpec::body_limit among the routes that match it, else `fallback`; and the largest
    // any route declares (0 if none), which bounds what the server reads before it knows.
    size_t BodyLimitFor(std::string_view method, std::string_view target, size_t fallback) const;
    size_t LargestBodyLimit() const;

private:
    std::vector<RouteSpec> routes_;
    // After Freeze(): routes whose pattern has no ":" or "*", by pattern (views into routes_).
    // A path equal to such a pattern goes to it: no other pattern can be more specific.
    std::unordered_multimap<std::string_view, const RouteSpec*> literal_routes_;
    // After the guard let `request` through: the body's type (415), then the handler.
    Response RunRoute(const RouteSpec& route, Request& request) const;

    Guard guard_;
    QuickGuard quick_guard_;
    Handler fallback_;
    bool fallback_inline_ = false;
    bool frozen_ = false;
};

// Matches `path` against `pattern`; fills `params` on success.
bool MatchPattern(const std::string& pattern, const std::string& path,
                  std::map<std::string, std::string>* params);

}  // namespace bulwark::http
