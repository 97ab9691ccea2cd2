#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/account_store.hpp"
#include "auth/audit_log.hpp"
#include "base/clock.hpp"
#include "db/database.hpp"
#include "db/testing/migrated_database.hpp"
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
        if (auto skip = db::testing::MigratedDatabase::SkipReason(GetParam()))
            GTEST_SKIP() << *skip;
        auto database = db::testing::MigratedDatabase::Create(
            GetParam(), "bulwark_followup",
            {auth::AuditLog::Migrations(), auth::AccountMigrations(),
             registry::RegistryStore::Migrations(), testing::Migrations(), Migrations()});
        ASSERT_TRUE(database.ok()) << database.error().message;
        database_ = std::move(*database);
        db_ = &database_->db();
    }

    void TearDown() override { database_.reset(); }

    FakeClock clock_{kStart};
    db::Database* db_ = nullptr;  // database_'s

private:
    std::unique_ptr<db::testing::MigratedDatabase> database_;
};

inline std::string FollowupDriverName(const ::testing::TestParamInfo<std::string>& info) {
    return info.param;
}

}  // namespace bulwark::testing::followup

#define BULWARK_FOLLOWUP_DB_TEST_SUITE(suite)                                         \
    INSTANTIATE_TEST_SUITE_P(Drivers, suite, ::testing::Values("sqlite", "postgres"), \
                             ::bulwark::testing::followup::FollowupDriverName)
