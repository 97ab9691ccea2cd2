#include "db/testing/migrated_database.hpp"

#include <utility>

namespace bulwark::db::testing {

std::optional<std::string> MigratedDatabase::SkipReason(const std::string& driver) {
    if (driver == "postgres" && !TempDatabase::PostgresConfigured()) {
        return "BULWARK_TEST_PG not set";
    }
    return std::nullopt;
}

Result<std::unique_ptr<MigratedDatabase>> MigratedDatabase::Create(
    const std::string& driver, const std::string& prefix,
    std::vector<std::vector<Migration>> modules, Options options) {
    std::unique_ptr<MigratedDatabase> database(new MigratedDatabase());
    ASSIGN_OR_RETURN(database->temp_, TempDatabase::Create(driver, prefix));
    options.url = database->temp_->url();
    ASSIGN_OR_RETURN(database->db_, Open(options));
    MigrationSet set;
    for (std::vector<Migration>& module : modules) set.Add(std::move(module));
    RETURN_IF_ERROR(Migrate(*database->db_, set));
    return database;
}

MigratedDatabase::~MigratedDatabase() {
    // TempDatabase removes the file or drops the database, which must have no connections left.
    if (db_) db_->Close();
    db_.reset();
    temp_.reset();
}

Status MigratedDatabase::Reopen(Options options) {
    db_->Close();
    options.url = temp_->url();
    ASSIGN_OR_RETURN(db_, Open(options));
    return Ok();
}

}  // namespace bulwark::db::testing
