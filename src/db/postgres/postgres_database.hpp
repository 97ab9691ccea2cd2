#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::db {

// Opens a PostgreSQL database: options.url is a postgresql:// URL as libpq takes it. Keeps
// options.readers connections for Read() (REPEATABLE READ READ ONLY snapshots) and
// options.writers connections, each driven by its own thread, that commit the writes waiting at
// that moment together (group commit, a SAVEPOINT per write, at most min(max_batch, 64) writes
// per transaction). Session::connection_slot() is the writer's index. A connection found lost
// is reconnected before its next transaction. Fails with kUnavailable when the server cannot be
// reached.
//
// A statement that fails aborts the transaction on PostgreSQL (unlike SQLite): the rest of that
// Write() or Read() then fails with the first error. Use INSERT ... ON CONFLICT rather than
// catching kAlreadyExists and going on.
Result<std::unique_ptr<Database>> OpenPostgres(const Options& options);

// Runs `sql` (no parameters; one or several statements) on a new connection to `url`, outside
// any transaction, for statements that refuse to run inside one: CREATE DATABASE, DROP DATABASE,
// VACUUM. For setup tools and tests.
Status ExecPostgresAutocommit(const std::string& url, std::string_view sql);

// `sql` in PostgreSQL's placeholder syntax: each `?` outside string literals, quoted identifiers,
// dollar quotes and comments becomes $1..$n. `statements` counts the statements separated by ';'.
struct PostgresSql {
    std::string text;
    int params = 0;
    int statements = 0;
};
PostgresSql RewritePlaceholders(std::string_view sql);

// `url` with its password (in the user info or a password= parameter) removed, safe to print.
std::string RedactPostgresUrl(std::string_view url);

}  // namespace bulwark::db
