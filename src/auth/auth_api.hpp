#pragma once

#include <memory>

#include "auth/auth_services.hpp"
#include "http/router.hpp"

namespace bulwark::auth {

// Adds the auth routes under /api/v1/: auth/login (public), auth/logout, auth/me,
// auth/password; users and users/:id (users.manage); audit and audit/export (audit.read,
// audit.export). Handlers read the caller with PrincipalOf(); the guard (MakeGuard) has already
// checked the session, CSRF and the route's permission.
void AddRoutes(http::Router& router, std::shared_ptr<AuthServices> auth);

// The parts, each in its own file.
void AddSessionRoutes(http::Router& router, std::shared_ptr<AuthServices> auth);
void AddUserRoutes(http::Router& router, std::shared_ptr<AuthServices> auth);
void AddAuditRoutes(http::Router& router, std::shared_ptr<AuthServices> auth);

}  // namespace bulwark::auth
