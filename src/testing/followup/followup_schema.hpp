#pragma once

#include <vector>

#include "db/migrations.hpp"

namespace bulwark::testing::followup {

// The follow-up module's schema ("followup"): the home-sampling list (version 1), the follow-up
// tables and health-code requests, and the role permissions of its routes (which need auth's
// role_permissions table: register after auth, the registry and testing).
std::vector<db::Migration> Migrations();

}  // namespace bulwark::testing::followup
