#pragma once

#include <memory>

#include "base/clock.hpp"
#include "db/database.hpp"
#include "http/router.hpp"
#include "registry/sampling_access.hpp"
#include "testing/box_service.hpp"
#include "testing/round_service.hpp"
#include "testing/sampling_service.hpp"
#include "testing/site_service.hpp"

namespace bulwark::testing {

// The testing module's services, built once by app/ and shared by its routes. Thread-safe.
struct TestingServices {
    TestingServices(db::Database& db, Clock& clock,
                    std::shared_ptr<registry::SamplingAccess> access)
        : sites(db, clock, access),
          rounds(db, clock, access),
          sampling(db, clock, access),
          boxes(db, clock) {}

    SiteService sites;
    RoundService rounds;
    SamplingService sampling;
    BoxService boxes;
};

// Adds the routes under /api/v1/: labs, sites, rounds (planning_api.cpp), tubes, scans, the
// batch, lookup, floating registration and live figures (sampling_api.cpp), boxes and the lab's
// receipt (boxes_api.cpp). Each declares its permission; services check scope.
void AddRoutes(http::Router& router, std::shared_ptr<TestingServices> services);

namespace internal {
void AddPlanningRoutes(http::Router& router, std::shared_ptr<TestingServices> services);
void AddSamplingRoutes(http::Router& router, std::shared_ptr<TestingServices> services);
void AddBoxRoutes(http::Router& router, std::shared_ptr<TestingServices> services);
}  // namespace internal

}  // namespace bulwark::testing
