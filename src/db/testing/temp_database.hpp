#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "base/result.hpp"

namespace bulwark::db::testing {

// A fresh, empty database for one test, removed when this object goes: a SQLite file in a new
// temporary folder, or a new database on the PostgreSQL server named by $BULWARK_TEST_PG. Opening
// and migrating it is the test's business (url()). Not thread-safe; owned by one fixture, which
// must close its db::Database before destroying this.
class TempDatabase {
public:
    // `driver`: "sqlite" or "postgres"; `prefix` names the folder or database ("bulwark_auth").
    // kUnavailable for "postgres" when $BULWARK_TEST_PG is unset (see PostgresConfigured()).
    static Result<std::unique_ptr<TempDatabase>> Create(const std::string& driver,
                                                        const std::string& prefix);
    // Whether $BULWARK_TEST_PG names a server; fixtures skip their PostgreSQL cases when not.
    static bool PostgresConfigured();

    ~TempDatabase();
    TempDatabase(const TempDatabase&) = delete;
    TempDatabase& operator=(const TempDatabase&) = delete;

    // "sqlite:/tmp/.../test.db" or "postgresql://.../<new database>".
    const std::string& url() const { return url_; }

private:
    TempDatabase() = default;
    std::string url_;
    std::filesystem::path dir_;
    std::string server_url_;
    std::string pg_database_;
};

}  // namespace bulwark::db::testing
