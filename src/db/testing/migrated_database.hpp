#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/testing/temp_database.hpp"

namespace bulwark::db::testing {

// A fresh database for one test, opened and migrated: a TempDatabase with a db::Database on it
// that has the caller's migrations applied. Destroying it closes the database before removing
// the temporary one, the order every fixture needs. Owned by one fixture; creating, reopening
// and destroying it are not thread-safe, db() itself is a thread-safe db::Database.
class MigratedDatabase {
public:
    // Why the cases of `driver` cannot run here ("BULWARK_TEST_PG not set" for "postgres" when
    // no server is named), or nullopt when they can. Fixtures GTEST_SKIP() with it.
    static std::optional<std::string> SkipReason(const std::string& driver);

    // Creates a TempDatabase (`driver` and `prefix` as for TempDatabase::Create), opens it with
    // `options` (their url is replaced by the temporary database's) and applies `modules`, each
    // module's migrations in the order given, as one MigrationSet. Returns the first step's
    // error; what was created is removed again.
    static Result<std::unique_ptr<MigratedDatabase>> Create(
        const std::string& driver, const std::string& prefix,
        std::vector<std::vector<Migration>> modules, Options options = {});

    ~MigratedDatabase();
    MigratedDatabase(const MigratedDatabase&) = delete;
    MigratedDatabase& operator=(const MigratedDatabase&) = delete;

    // Closes the database and opens it again with `options` (url replaced), for tests that
    // change the number of connections. On failure db() stays the closed database.
    Status Reopen(Options options);

    // Valid until the next Reopen() or the destructor.
    Database& db() { return *db_; }
    // Where the database is, for a test that opens a second db::Database on it (another server).
    const std::string& url() const { return temp_->url(); }

private:
    MigratedDatabase() = default;
    std::unique_ptr<TempDatabase> temp_;
    std::unique_ptr<Database> db_;
};

}  // namespace bulwark::db::testing
