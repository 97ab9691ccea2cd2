#pragma once

#include <memory>

#include "http/router.hpp"
#include "testing/followup/followup_service.hpp"

namespace bulwark::testing::followup {

// Adds the coverage and follow-up routes under /api/v1/ (the contract of issue 6): coverage and
// progress of rounds and streets, the missed list and its export, assignment, attempts, the
// phone for a call, the home-sampling list, repeated misses, health-code requests and the daily
// report. Each declares its permission; the service checks scope.
void AddRoutes(http::Router& router, std::shared_ptr<FollowupService> service);

}  // namespace bulwark::testing::followup
