#pragma once

#include <memory>

#include "auth/auth_services.hpp"
#include "auth/principal.hpp"
#include "http/request.hpp"
#include "http/router.hpp"

namespace bulwark::auth {

// The one place where routes' declarations are enforced, run by the router before every
// handler:
//   1. a state-changing request from another origin -> 403 "csrf" (login included);
//   2. public routes pass;
//   3. no valid session cookie -> 401 "unauthenticated";
//   4. a state-changing request without the session's X-CSRF-Token -> 403 "csrf";
//   5. a user who must change their password may reach only account.self routes -> 403
//      "password_change_required";
//   6. a route without a permission, or a permission the user lacks -> 403 "permission_denied",
//      or 404 "not_found" ("未找到") when the route names an object (":id"), so that a denial
//      looks exactly like a missing id;
//   7. otherwise the Principal goes into request.context and the handler runs.
// Every denial writes an audit row "request.denied". Thread-safe.
http::Guard MakeGuard(std::shared_ptr<AuthServices> auth);

// The guard's quick path, for routes whose handler never blocks (RouteSpec::
// handler_never_blocks): lets a request through, with its Principal in request.context, when
// its session is in the cache and every step above would let it pass; says no otherwise, and
// then MakeGuard's guard decides on a worker (it may read the database, and a denial writes an
// audit row). Never blocks, never denies. Thread-safe.
http::QuickGuard MakeQuickGuard(std::shared_ptr<AuthServices> auth);

// The signed-in user of a request that passed the guard. For a request without one (a public
// route) an empty principal that may do nothing.
const Principal& PrincipalOf(const http::Request& request);

}  // namespace bulwark::auth
