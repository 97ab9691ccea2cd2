#include "http/router.hpp"

#include <strings.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <future>
#include <string_view>

#include <spdlog/spdlog.h>

namespace bulwark::http {
namespace {

// Walks `pattern` and `path` segment by segment without allocating; fills `params` (if given).
bool Match(std::string_view pattern, std::string_view path,
           std::map<std::string, std::string>* params) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    for (;;) {
        size_t pattern_end = pattern.find('/');
        std::string_view pattern_segment = pattern.substr(0, pattern_end);
        if (pattern_segment == "*" && pattern_end == std::string_view::npos) {
            if (params) (*params)["*"] = std::string(path);
            return true;
        }
        size_t path_end = path.find('/');
        std::string_view path_segment = path.substr(0, path_end);
        if (!pattern_segment.empty() && pattern_segment[0] == ':') {
            if (path_segment.empty()) return false;
            if (params) (*params)[std::string(pattern_segment.substr(1))] = path_segment;
        } else if (pattern_segment != path_segment) {
            return false;
        }
        if (pattern_end == std::string_view::npos || path_end == std::string_view::npos) {
            return pattern_end == std::string_view::npos && path_end == std::string_view::npos;
        }
        pattern.remove_prefix(pattern_end + 1);
        path.remove_prefix(path_end + 1);
    }
}

// Orders two patterns that both match a path: a literal segment beats ":param", which beats
// "*", so "/rounds/current" wins over "/rounds/:id". Returns true if `a` is more specific.
bool MoreSpecific(std::string_view a, std::string_view b) {
    auto rank = [](std::string_view segment) {
        if (segment == "*") return 0;
        if (!segment.empty() && segment[0] == ':') return 1;
        return 2;
    };
    for (;;) {
        size_t a_end = a.find('/', 1);
        size_t b_end = b.find('/', 1);
        int a_rank = rank(a.substr(1, a_end == std::string_view::npos ? a_end : a_end - 1));
        int b_rank = rank(b.substr(1, b_end == std::string_view::npos ? b_end : b_end - 1));
        if (a_rank != b_rank) return a_rank > b_rank;
        if (a_end == std::string_view::npos || b_end == std::string_view::npos) {
            return b_end == std::string_view::npos && a_end != std::string_view::npos;
        }
        a.remove_prefix(a_end);
        b.remove_prefix(b_end);
    }
}

bool MethodMatches(const std::string& route_method, const std::string& method) {
    return route_method == method || (method == "HEAD" && route_method == "GET");
}

bool IsApiPath(std::string_view path) { return path == "/api" || path.substr(0, 5) == "/api/"; }

// "application/json; charset=utf-8" -> "application/json" (compared case-insensitively).
std::string_view MediaType(std::string_view content_type) {
    content_type = content_type.substr(0, content_type.find(';'));
    while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
    while (!content_type.empty() && content_type.front() == ' ') content_type.remove_prefix(1);
    return content_type;
}

bool Accepted(const RouteSpec& spec, std::string_view content_type) {
    std::string_view media_type = MediaType(content_type);
    for (const std::string& accepted : spec.accepts) {
        if (accepted.size() == media_type.size() &&
            strncasecmp(accepted.data(), media_type.data(), accepted.size()) == 0) {
            return true;
        }
    }
    return false;
}

bool HasHeader(const Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
        if (key.size() == name.size() && strncasecmp(key.data(), name.data(), key.size()) == 0) {
            return true;
        }
    }
    return false;
}

}  // namespace

bool MatchPattern(const std::string& pattern, const std::string& path,
                  std::map<std::string, std::string>* params) {
    return Match(pattern, path, params);
}

void Router::Add(RouteSpec spec) {
    auto fail = [&spec](const char* why) {
        // A programming error at start-up: say so where it is always seen, then stop.
        std::fprintf(stderr, "route %s %s: %s\n", spec.method.c_str(), spec.pattern.c_str(), why);
        std::abort();
    };
    if (frozen_) fail("added after Freeze()");
    if (spec.pattern.empty() || spec.pattern[0] != '/') fail("pattern must start with '/'");
    if (size_t star = spec.pattern.find('*');
        star != std::string::npos && star != spec.pattern.size() - 1) {
        fail("'*' is allowed only as the final segment");
    }
    if (!spec.handler) fail("no handler");
    if (spec.runs_inline && !(spec.is_public && spec.method == "GET")) {
        fail("runs_inline is only for public GET routes (a session is read from the database)");
    }
    for (const RouteSpec& existing : routes_) {
        if (existing.method == spec.method && existing.pattern == spec.pattern) {
            fail("added twice");
        }
    }
    routes_.push_back(std::move(spec));
}

void Router::Freeze() {
    frozen_ = true;
    literal_routes_.clear();
    for (const RouteSpec& spec : routes_) {
        if (spec.pattern.find_first_of(":*") == std::string::npos) {
            literal_routes_.emplace(spec.pattern, &spec);
        }
    }
}

Router::Target Router::Find(const Request& request) const {
    Target target;
    // The common case without walking every route: a path that is exactly a route's pattern.
    for (auto [it, end] = literal_routes_.equal_range(request.path); it != end; ++it) {
        if (it->second->method == request.method) {
            target.route = it->second;
            return target;
        }
        if (request.method == "HEAD" && it->second->method == "GET") target.route = it->second;
    }
    if (target.route != nullptr) return target;
    for (const RouteSpec& spec : routes_) {
        if (!Match(spec.pattern, request.path, nullptr)) continue;
        if (MethodMatches(spec.method, request.method)) {
            if (target.route == nullptr || MoreSpecific(spec.pattern, target.route->pattern)) {
                target.route = &spec;
            }
        } else if (target.allow.find(spec.method) == std::string::npos) {
            if (!target.allow.empty()) target.allow += ", ";
            target.allow += spec.method;
            if (spec.method == "GET") target.allow += ", HEAD";
        }
    }
    target.fallback = target.route == nullptr && target.allow.empty() && fallback_ &&
                      !IsApiPath(request.path) &&
                      (request.method == "GET" || request.method == "HEAD");
    return target;
}

bool Router::RunsInline(const Target& target) const {
    if (target.route != nullptr) return target.route->runs_inline;
    return !target.fallback || fallback_inline_;
}

namespace {

// Runs `body`; an exception from a handler (or guard) becomes 500, logged with the request id.
template <typename Body>
Response Caught(const Request& request, Body&& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        spdlog::error("request {} {} {}: handler threw: {}", request.request_id, request.method,
                      request.path, e.what());
    } catch (...) {
        spdlog::error("request {} {} {}: handler threw a non-standard exception",
                      request.request_id, request.method, request.path);
    }
    return Response::TransportError(500, "internal",
                                    "服务器内部错误, 请求编号 " + request.request_id);
}

}  // namespace

Response Router::Dispatch(Request& request, const Target& target) const {
    Response response = Caught(request, [&]() -> Response {
        const RouteSpec* route = target.route;
        if (target.fallback) return fallback_(request);
        if (route == nullptr && target.allow.empty()) {
            return Response::TransportError(404, "not_found", "接口不存在: " + request.path);
        }
        if (route == nullptr) {
            Response not_allowed = Response::TransportError(
                405, "method_not_allowed", "此接口不支持 " + request.method + " 方法");
            not_allowed.AddHeader("Allow", target.allow);
            return not_allowed;
        }
        request.path_params.clear();
        Match(route->pattern, request.path, &request.path_params);
        // An inline route is a public GET, which the guard passes without looking; not
        // calling it keeps anything that might read the database off the I/O thread.
        if (guard_ && !route->runs_inline) {
            if (std::optional<Response> stopped = guard_(*route, request)) return *stopped;
        }
        return RunRoute(*route, request);
    });
    // Answered through reply_later: `request` may be gone already.
    if (!response.deferred) FinishResponse(request, response);
    return response;
}

std::optional<Response> Router::DispatchQuick(Request& request, const Target& target) const {
    const RouteSpec* route = target.route;
    if (route == nullptr || !route->handler_never_blocks || !quick_guard_ || !request.reply_later) {
        return std::nullopt;
    }
    bool passed = false;
    Response response = Caught(request, [&]() -> Response {
        request.path_params.clear();
        Match(route->pattern, request.path, &request.path_params);
        passed = quick_guard_(*route, request);
        return passed ? RunRoute(*route, request) : Response();
    });
    if (!passed) return std::nullopt;
    if (!response.deferred) FinishResponse(request, response);
    return response;
}

Response Router::RunRoute(const RouteSpec& route, Request& request) const {
    // The body's type is checked once the guard let the request through: who may not call a
    // route (or comes from another origin) learns nothing about its body.
    if ((request.method == "POST" || request.method == "PUT" || request.method == "PATCH") &&
        !request.body.empty() && !Accepted(route, request.Header("content-type"))) {
        return Response::TransportError(
            415, "unsupported_media_type",
            "不支持的请求体类型: " + std::string(request.Header("content-type")));
    }
    if (request.reply_later || route.runs_inline) return route.handler(request);
    // A caller that gives no reply_later waits here for a deferred answer.
    std::promise<Response> later;
    request.reply_later = [&later](Response r) { later.set_value(std::move(r)); };
    struct Forget {
        Request& request;
        ~Forget() { request.reply_later = nullptr; }
    } forget{request};
    Response response = route.handler(request);
    if (response.deferred) response = later.get_future().get();
    return response;
}

void Router::FinishResponse(const Request& request, Response& response) {
    if (IsApiPath(request.path) && !HasHeader(response, "cache-control")) {
        response.AddHeader("Cache-Control", "no-store");
    }
}

size_t Router::BodyLimitFor(std::string_view method, std::string_view target,
                            size_t fallback) const {
    std::string_view path = target.substr(0, target.find('?'));
    size_t limit = 0;
    for (const RouteSpec& spec : routes_) {
        if (spec.body_limit > limit && spec.method == method &&
            Match(spec.pattern, path, nullptr)) {
            limit = spec.body_limit;
        }
    }
    return limit > 0 ? limit : fallback;
}

size_t Router::LargestBodyLimit() const {
    size_t limit = 0;
    for (const RouteSpec& spec : routes_) limit = std::max(limit, spec.body_limit);
    return limit;
}

}  // namespace bulwark::http
