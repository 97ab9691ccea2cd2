#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "auth/account_store.hpp"
#include "auth/audit_log.hpp"
#include "auth/personal_data.hpp"
#include "base/clock.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/testing/temp_database.hpp"
#include "registry/registry_store.hpp"

namespace bulwark::registry::testing {

// A fresh database per test with the audit, account and registry migrations applied: SQLite in a
// temporary folder, or a new database on the PostgreSQL server of BULWARK_TEST_PG (skipped when
// it is unset). A FakeClock and a cipher with fixed test keys. Parameter: "sqlite"/"postgres".
class RegistryDbTest : public ::testing::TestWithParam<std::string> {
protected:
    static constexpr int64_t kStart = 1'717'200'000'000;  // 2024-06-01 08:00 China time

    void SetUp() override {
        std::string url;
        if (GetParam() == "postgres" && !db::testing::TempDatabase::PostgresConfigured()) {
            GTEST_SKIP() << "BULWARK_TEST_PG not set";
        }
        auto temp = db::testing::TempDatabase::Create(GetParam(), "bulwark_registry");
        ASSERT_TRUE(temp.ok()) << temp.error().message;
        temp_ = std::move(*temp);
        url = temp_->url();
        auto opened = db::Open({.url = url});
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        db_ = std::move(*opened);
        db::MigrationSet set;
        set.Add(auth::AuditLog::Migrations());
        set.Add(auth::AccountMigrations());
        set.Add(RegistryStore::Migrations());
        auto migrated = db::Migrate(*db_, set);
        ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    }

    void TearDown() override {
        if (db_) db_->Close();
        db_.reset();
        temp_.reset();
    }

    int64_t CountRows(const std::string& sql, const db::Params& params = {}) {
        auto row = db_->ReadValue([&](db::Session& s) { return s.QueryOne(sql, params); });
        EXPECT_TRUE(row.ok()) << row.error().message;
        return row.ok() && *row ? (**row).Int(0) : -1;
    }

    FakeClock clock_{kStart};
    std::unique_ptr<auth::PersonalDataCipher> cipher_ = auth::PersonalDataCipher::ForTesting(9);
    std::unique_ptr<db::Database> db_;

private:
    std::unique_ptr<db::testing::TempDatabase> temp_;
};

inline std::string DriverName(const ::testing::TestParamInfo<std::string>& info) {
    return info.param;
}

}  // namespace bulwark::registry::testing

#define BULWARK_REGISTRY_DB_TEST_SUITE(suite)                                         \
    INSTANTIATE_TEST_SUITE_P(Drivers, suite, ::testing::Values("sqlite", "postgres"), \
                             ::bulwark::registry::testing::DriverName)
