#pragma once

#include <memory>
#include <vector>

#include "base/clock.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "http/router.hpp"
#include "registry/sampling_access.hpp"
#include "testing/results/public_page.hpp"
#include "testing/results/result_imports.hpp"
#include "testing/results/results_service.hpp"
#include "testing/round_service.hpp"

namespace bulwark::testing::results {

// The results capability's services, built once by app/ and shared by its routes. Thread-safe.
struct ResultsServices {
    ResultsServices(db::Database& db, Clock& clock,
                    std::shared_ptr<registry::SamplingAccess> access, PublicLimits limits)
        : db(db),
          clock(clock),
          rounds(db, clock, std::move(access)),
          results(db, clock, rounds),
          imports(results, clock),
          page(db, clock, limits) {}

    db::Database& db;
    Clock& clock;
    RoundService rounds;  // plans the follow-up round of a pooled positive
    ResultsService results;
    ResultImports imports;
    PublicPage page;
};

// The schema (after testing's, whose tubes it refers to by id) and the role permissions.
std::vector<db::Migration> Migrations();

// Adds /api/v1/results..., /tubes/:barcode/result, /residents/:id/results, /pools...,
// /alerts, /lab/overview (results_api.cpp) and the residents' public page
// /api/v1/public/codes/:token/... (public_api.cpp).
void AddRoutes(http::Router& router, std::shared_ptr<ResultsServices> services);

namespace internal {
void AddPublicRoutes(http::Router& router, std::shared_ptr<ResultsServices> services);
}  // namespace internal

}  // namespace bulwark::testing::results
