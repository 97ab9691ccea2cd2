#pragma once

#include <memory>

#include "http/router.hpp"
#include "registry/registry_service.hpp"

namespace bulwark::registry {

// Adds the registry routes under /api/v1/: the place tree (GET /places, POST
// /places/{streets,communities,grids,buildings}) and residents (list and search, duplicates,
// detail, create, edit, unmask, code reissue). Each declares its permission, whether it returns
// personal data and its audit event; the auth guard enforces them, the service checks scope.
void AddRoutes(http::Router& router, std::shared_ptr<RegistryService> service);

}  // namespace bulwark::registry
