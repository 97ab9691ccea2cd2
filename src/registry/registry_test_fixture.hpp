#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/account_store.hpp"
#include "auth/audit_log.hpp"
#include "auth/personal_data.hpp"
#include "base/clock.hpp"
#include "db/database.hpp"
#include "db/testing/migrated_database.hpp"
#include "registry/registry_store.hpp"

namespace bulwark::registry::testing {

// A fresh database per test with the audit, account and registry migrations applied: SQLite in a
// temporary folder, or a new database on the PostgreSQL server of BULWARK_TEST_PG (skipped when
// it is unset). A FakeClock and a cipher with fixed test keys. Parameter: "sqlite"/"postgres".
class RegistryDbTest : public ::testing::TestWithParam<std::string> {
protected:
    static constexpr int64_t kStart = 1'717'200'000'000;  // 2024-06-01 08:00 China time

    void SetUp() override {
        if (auto skip = db::testing::MigratedDatabase::SkipReason(GetParam()))
            GTEST_SKIP() << *skip;
        auto database = db::testing::MigratedDatabase::Create(
            GetParam(), "bulwark_registry",
            {auth::AuditLog::Migrations(), auth::AccountMigrations(), RegistryStore::Migrations()});
        ASSERT_TRUE(database.ok()) << database.error().message;
        database_ = std::move(*database);
        db_ = &database_->db();
    }

    void TearDown() override { database_.reset(); }

    int64_t CountRows(const std::string& sql, const db::Params& params = {}) {
        auto row = db_->ReadValue([&](db::Session& s) { return s.QueryOne(sql, params); });
        EXPECT_TRUE(row.ok()) << row.error().message;
        return row.ok() && *row ? (**row).Int(0) : -1;
    }

    FakeClock clock_{kStart};
    std::unique_ptr<auth::PersonalDataCipher> cipher_ = auth::PersonalDataCipher::ForTesting(9);
    db::Database* db_ = nullptr;  // database_'s

private:
    std::unique_ptr<db::testing::MigratedDatabase> database_;
};

inline std::string DriverName(const ::testing::TestParamInfo<std::string>& info) {
    return info.param;
}

}  // namespace bulwark::registry::testing

#define BULWARK_REGISTRY_DB_TEST_SUITE(suite)                                         \
    INSTANTIATE_TEST_SUITE_P(Drivers, suite, ::testing::Values("sqlite", "postgres"), \
                             ::bulwark::registry::testing::DriverName)
