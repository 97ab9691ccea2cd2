#pragma once

#include <vector>

#include "db/migrations.hpp"

namespace bulwark::testing {

// The testing module's schema (version 1) and its role permissions (version 2, which needs the
// auth module's role_permissions table: register after auth and the registry).
std::vector<db::Migration> Migrations();

}  // namespace bulwark::testing
