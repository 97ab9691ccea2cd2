#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/account_store.hpp"
#include "auth/audit_log.hpp"
#include "auth/auth_services.hpp"
#include "base/clock.hpp"
#include "db/database.hpp"
#include "db/testing/migrated_database.hpp"

namespace bulwark::auth::testing {

// A fresh, migrated database per test (SQLite in a temporary folder, or a new database on the
// PostgreSQL server of BULWARK_TEST_PG, skipped when unset), a FakeClock and the auth services.
// Parameter: "sqlite" or "postgres".
class AuthDbTest : public ::testing::TestWithParam<std::string> {
protected:
    static constexpr int64_t kStart = 1'700'000'000'000;

    void SetUp() override {
        if (auto skip = db::testing::MigratedDatabase::SkipReason(GetParam()))
            GTEST_SKIP() << *skip;
        auto database = db::testing::MigratedDatabase::Create(
            GetParam(), "bulwark_auth", {AuditLog::Migrations(), AccountMigrations()});
        ASSERT_TRUE(database.ok()) << database.error().message;
        database_ = std::move(*database);
        db_ = &database_->db();
        auth_ = std::make_shared<AuthServices>(*db_, clock_);
    }

    void TearDown() override {
        auth_.reset();
        database_.reset();
    }

    // Creates an account through the command-line path (no actor); returns its id.
    int64_t AddUser(const std::string& name, const std::string& password,
                    std::vector<Grant> grants = {{Role::kStaff, {ScopeKind::kCommunity, 1}}}) {
        NewUser user{.username = name,
                     .display_name = "",
                     .password = password,
                     .must_change_password = false,
                     .grants = std::move(grants)};
        auto created = auth_->accounts.Create(nullptr, user);
        EXPECT_TRUE(created.ok()) << created.error().message;
        return created.ok() ? created->user.id : 0;
    }

    int64_t CountRows(const std::string& sql, const db::Params& params = {}) {
        auto row = db_->ReadValue([&](db::Session& s) { return s.QueryOne(sql, params); });
        EXPECT_TRUE(row.ok()) << row.error().message;
        return row.ok() && *row ? (**row).Int(0) : -1;
    }

    int64_t AuditCount(const std::string& action) {
        return CountRows("SELECT COUNT(*) FROM audit_log WHERE action = ?", {action});
    }

    FakeClock clock_{kStart};
    db::Database* db_ = nullptr;  // database_'s
    std::shared_ptr<AuthServices> auth_;

private:
    std::unique_ptr<db::testing::MigratedDatabase> database_;
};

inline std::string DriverName(const ::testing::TestParamInfo<std::string>& info) {
    return info.param;
}

}  // namespace bulwark::auth::testing

#define BULWARK_AUTH_DB_TEST_SUITE(suite)                                             \
    INSTANTIATE_TEST_SUITE_P(Drivers, suite, ::testing::Values("sqlite", "postgres"), \
                             ::bulwark::auth::testing::DriverName)
