#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/account_store.hpp"
#include "auth/audit_log.hpp"
#include "base/clock.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/testing/temp_database.hpp"
#include "registry/registry_store.hpp"
#include "testing/followup/followup_schema.hpp"
#include "testing/testing_schema.hpp"

namespace bulwark::testing::followup {

// A fresh database per test with every migration follow-up needs (audit, accounts, registry,
// testing, follow-up): SQLite in a temporary folder, or a new database on the PostgreSQL server
// of BULWARK_TEST_PG (skipped when unset). Parameter: "sqlite" or "postgres".
class FollowupDbTest : public ::testing::TestWithParam<std::string> {
protected:
    static constexpr int64_t kStart = 1'717'200'000'000;  // 2024-06-01 08:00 China time

    void SetUp() override {
        if (GetParam() == "postgres" && !db::testing::TempDatabase::PostgresConfigured()) {
            GTEST_SKIP() << "BULWARK_TEST_PG not set";
        }
        auto temp = db::testing::TempDatabase::Create(GetParam(), "bulwark_followup");
        ASSERT_TRUE(temp.ok()) << temp.error().message;
        temp_ = std::move(*temp);
        auto opened = db::Open({.url = temp_->url()});
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        db_ = std::move(*opened);
        db::MigrationSet set;
        set.Add(auth::AuditLog::Migrations());
        set.Add(auth::AccountMigrations());
        set.Add(registry::RegistryStore::Migrations());
        set.Add(testing::Migrations());
        set.Add(Migrations());
        auto migrated = db::Migrate(*db_, set);
        ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    }

    void TearDown() override {
        if (db_) db_->Close();
        db_.reset();
        temp_.reset();
    }

    FakeClock clock_{kStart};
    std::unique_ptr<db::Database> db_;

private:
    std::unique_ptr<db::testing::TempDatabase> temp_;
};

inline std::string FollowupDriverName(const ::testing::TestParamInfo<std::string>& info) {
    return info.param;
}

}  // namespace bulwark::testing::followup

#define BULWARK_FOLLOWUP_DB_TEST_SUITE(suite)                                         \
    INSTANTIATE_TEST_SUITE_P(Drivers, suite, ::testing::Values("sqlite", "postgres"), \
                             ::bulwark::testing::followup::FollowupDriverName)
