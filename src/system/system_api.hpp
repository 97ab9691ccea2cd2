#pragma once

#include <cstdint>
#include <string>

#include "base/clock.hpp"
#include "db/database.hpp"
#include "http/router.hpp"

namespace bulwark::system {

// What GET /api/v1/system/info reports about this server.
struct SystemInfo {
    std::string version;
    std::string commit;
    std::string database;  // "sqlite" or "postgresql"
    int64_t started_at = 0;
};

// Adds /healthz, /api/v1/system/info and /api/v1/client-errors. `db` and `clock` outlive the
// router.
void AddRoutes(http::Router& router, db::Database& db, Clock& clock, SystemInfo info);

}  // namespace bulwark::system
