#pragma once

// How the security tests call each route of the server. Every route that `bulwark routes --json`
// prints must have one entry in security_routes.cpp; the tests fail on a route without one.

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/security_world.hpp"

namespace bulwark::securitytest {

// Which object a call names: one in the calling role's scope, one outside every role's scope,
// or an id that does not exist.
enum class Variant { kIn, kOut, kMissing };
const char* VariantName(Variant v);

// What a route's request builders may ask for. Not thread-safe.
class CallContext {
public:
    CallContext(testsupport::SecurityWorld& world, std::string role, Variant variant)
        : world_(world), role_(std::move(role)), variant_(variant) {}

    // The seeded object of `kind` for this variant ("resident", "user", "grid", "code", ...),
    // or an id no object has. Records that the call names an object.
    std::string Object(const std::string& kind);
    // Replaces {kind} with Object(kind), {in_kind} with the in-scope object whatever the
    // variant (it names no object), {unique} with a fresh token, {id_number} and {phone} with
    // fresh synthetic values, {key} with a fresh idempotency key and {new_code} with the
    // personal code of a person made for the call.
    std::string Fill(const std::string& text);

    testsupport::SecurityWorld& world() { return world_; }
    const std::string& role() const { return role_; }
    Variant variant() const { return variant_; }
    bool named_object() const { return named_object_; }

private:
    testsupport::SecurityWorld& world_;
    std::string role_;
    Variant variant_;
    bool named_object_ = false;
};

// One route as the tests call it.
struct RouteCase {
    // "METHOD /pattern", exactly as `bulwark routes --json` prints it.
    std::string route;
    // Path parameter -> kind of seeded object it takes (see CallContext::Object).
    std::map<std::string, std::string> params = {};
    // Query string ("?format=csv") and body, with CallContext::Fill placeholders.
    std::string query = "";
    std::string body = "";
    // Instead of `body`, when a placeholder is not enough (e.g. the current version).
    std::function<std::string(CallContext&)> make_body = nullptr;
    // The answer to a role that holds the route's permission, for objects in its scope.
    int ok = 200;
    // Roles that hold the permission but answer otherwise, each with the reason beside it.
    std::map<std::string, int> ok_for = {};
    // The answer when an object named only in the body (not the path) is outside the scope or
    // missing; the two must be the same answer. Objects in the path always answer 404.
    int missing = 404;
    // The call ends the session it is made in (logout): made in a session of its own, last.
    bool ends_session = false;
    // The body's type; "" for the first the route accepts (application/json unless declared).
    std::string content_type = "";
};

// Every route the tests know how to call.
const std::vector<RouteCase>& RouteCases();
// The entry for "METHOD /pattern", or nullptr.
const RouteCase* FindRouteCase(const std::string& route);

// A route as the server declares it (`bulwark routes --json`).
struct DeclaredRoute {
    std::string method;
    std::string pattern;
    bool is_public = false;
    std::string permission;
    bool personal_data = false;
    std::string audit_event;
    std::vector<std::string> accepts;
    std::string key() const { return method + " " + pattern; }
};
// Every declared route; `*error` says why when it could not be listed.
std::vector<DeclaredRoute> DeclaredRoutes(testsupport::SecurityWorld& world, std::string* error);
// The failure text for declared routes without an entry (empty when all have one).
std::string MissingEntries(const std::vector<DeclaredRoute>& routes);

// A request ready to send.
struct Call {
    std::string method;
    std::string target;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool named_object = false;  // the path or the body names a seeded object
};
Call BuildCall(const DeclaredRoute& route, const RouteCase& c, CallContext& ctx);

// Whether the route's path names an object (":param").
bool NamesObjectInPath(const DeclaredRoute& route);

}  // namespace bulwark::securitytest
