#pragma once

#include <memory>
#include <string>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::app {

// Options shared by every subcommand.
struct CommonOptions {
    std::string data_dir = "data";  // --data: database file, keys, certificates
    std::string db_url;             // --db: empty means sqlite:<data_dir>/bulwark.db
    std::string log_level = "info";
};

// What a running command holds: the options, the opened and migrated database, the clock.
// Owned by the command; the database is thread-safe.
struct AppContext {
    CommonOptions options;
    std::unique_ptr<db::Database> db;
    Clock* clock = &SystemClock::Instance();
    int64_t started_at = 0;

    // Database name for display: "sqlite" or "postgresql".
    std::string DatabaseKind() const;
};

// Creates the data folder (0700), loads (at first start creates) the audit key <data>/keys/
// audit.key for AuditLog, opens the database and applies every module's migrations.
// `serving`: PostgreSQL's second writer is a standby (db::Options::standby_backlog), which
// suits many small writes; a command (generate, import) keeps both writing in parallel.
Result<std::unique_ptr<AppContext>> OpenApp(const CommonOptions& options, int readers = 4,
                                            bool serving = false);

}  // namespace bulwark::app
