#pragma once

#include <memory>

#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::db {

// Opens a SQLite database file (created with its folder if missing) in WAL mode with
// synchronous=FULL: one writer thread that commits waiting writes together, and `readers`
// read-only connections for concurrent snapshots. `path` is a file path, not a URL.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const Options& options);

}  // namespace bulwark::db
