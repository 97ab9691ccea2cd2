#include "testing/idempotency.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "auth/account_store.hpp"
#include "auth/audit_log.hpp"
#include "db/testing/migrated_database.hpp"
#include "testing/testing_schema.hpp"

namespace bulwark::testing {
namespace {

// A fresh database per test with the testing schema. Parameter: "sqlite" or "postgres".
class IdempotencyTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (auto skip = db::testing::MigratedDatabase::SkipReason(GetParam()))
            GTEST_SKIP() << *skip;
        auto database = db::testing::MigratedDatabase::Create(
            GetParam(), "bulwark_sampling",
            {auth::AuditLog::Migrations(), auth::AccountMigrations(), Migrations()});
        ASSERT_TRUE(database.ok()) << database.error().message;
        database_ = std::move(*database);
        db_ = &database_->db();
    }

    void TearDown() override { database_.reset(); }

    int64_t Labs() {
        auto row =
            db_->ReadValue([](db::Session& s) { return s.QueryOne("SELECT COUNT(*) FROM labs"); });
        return row.ok() && *row ? (**row).Int(0) : -1;
    }

    // A write that adds a lab named `name` and answers 201 with it.
    Idempotency::ApplyFn AddLab(const std::string& name, int status = 201) {
        return [name, status](db::Session& s) -> Result<Answer> {
            ASSIGN_OR_RETURN(int64_t n, s.Exec("INSERT INTO labs (name, created_at) VALUES (?, 1) "
                                               "ON CONFLICT (name) DO NOTHING",
                                               {name}));
            (void)n;
            return Answer{status, "{\"lab\":\"" + name + "\"}"};
        };
    }

    static WriteKey Key(const std::string& key, int64_t user = 7, const std::string& body = "a") {
        return WriteKey{key, user, "scan", RequestHash(body)};
    }

    FakeClock clock_{1'717'200'000'000};
    std::unique_ptr<db::testing::MigratedDatabase> database_;
    db::Database* db_ = nullptr;  // database_'s
};

TEST_P(IdempotencyTest, ARetryGetsTheStoredAnswer) {
    auto first = Idempotency::Run(*db_, clock_, Key("key-0000000000000001"), AddLab("甲"));
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first->status, 201);
    auto retry = Idempotency::Run(*db_, clock_, Key("key-0000000000000001"), AddLab("乙"));
    ASSERT_TRUE(retry.ok());
    EXPECT_EQ(retry->body, first->body);
    EXPECT_EQ(Labs(), 1) << "the retry ran nothing";

    auto other_body =
        Idempotency::Run(*db_, clock_, Key("key-0000000000000001", 7, "b"), AddLab("丙"));
    ASSERT_TRUE(other_body.ok());
    EXPECT_EQ(other_body->status, 422);
    EXPECT_NE(other_body->body.find("idempotency_key_reused"), std::string::npos);
    auto other_user = Idempotency::Run(*db_, clock_, Key("key-0000000000000001", 8), AddLab("丁"));
    ASSERT_TRUE(other_user.ok());
    EXPECT_EQ(other_user->status, 422);
    EXPECT_EQ(Labs(), 1);
}

TEST_P(IdempotencyTest, ARejectionIsRolledBackAndRemembered) {
    auto rejected = Idempotency::Run(*db_, clock_, Key("key-0000000000000002"), AddLab("甲", 422));
    ASSERT_TRUE(rejected.ok()) << rejected.error().message;
    EXPECT_EQ(rejected->status, 422);
    EXPECT_EQ(Labs(), 0) << "a rejection changes nothing";
    auto retry = Idempotency::Run(*db_, clock_, Key("key-0000000000000002"), AddLab("甲"));
    ASSERT_TRUE(retry.ok());
    EXPECT_EQ(retry->status, 422) << "the retry gets the first answer";
    EXPECT_EQ(Labs(), 0);
}

TEST_P(IdempotencyTest, AnErrorIsNotAnAnswer) {
    auto failed =
        Idempotency::Run(*db_, clock_, Key("key-0000000000000003"),
                         [](db::Session&) -> Result<Answer> { return Unavailable("数据库忙"); });
    ASSERT_FALSE(failed.ok());
    auto retry = Idempotency::Run(*db_, clock_, Key("key-0000000000000003"), AddLab("甲"));
    ASSERT_TRUE(retry.ok());
    EXPECT_EQ(retry->status, 201);
    EXPECT_EQ(Labs(), 1);
}

TEST_P(IdempotencyTest, ConcurrentRetriesApplyOnce) {
    // Eight copies of one request at once (a phone retrying over a jammed network): each may
    // pass the first lookup, one applies, every one gets its answer.
    std::mutex mu;
    std::set<std::string> bodies;
    int ok = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            auto answer = Idempotency::Apply(*db_, clock_, Key("key-0000000000000004"),
                                             AddLab("lab-" + std::to_string(t)));
            std::lock_guard lock(mu);
            if (answer.ok() && answer->status == 201) {
                ++ok;
                bodies.insert(answer->body);
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok, 8);
    EXPECT_EQ(bodies.size(), 1u) << "every copy got the same answer";
    EXPECT_EQ(Labs(), 1) << "applied once";
}

// ApplyAsync, whose write does not look the key up: copies queued at once (each passed its
// caller's lookup before any was stored) apply once, and every copy gets the stored answer; so
// does a later copy whose own decision is a rejection.
TEST_P(IdempotencyTest, ApplyAsyncCopiesThatRacedTheirLookupApplyOnce) {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Result<Answer>> answers;
    auto send = [&](int copy, int status) {
        Idempotency::ApplyAsync(*db_, clock_, Key("key-0000000000000005"),
                                AddLab("lab-" + std::to_string(copy), status),
                                [&](Result<Answer> answer) {
                                    std::lock_guard lock(mu);
                                    answers.push_back(std::move(answer));
                                    cv.notify_all();
                                });
    };
    auto wait_for = [&](size_t n) {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return answers.size() == n; });
    };
    for (int copy = 0; copy < 8; ++copy) send(copy, 201);
    wait_for(8);
    send(8, 409);
    wait_for(9);
    for (const Result<Answer>& answer : answers) {
        ASSERT_TRUE(answer.ok()) << answer.error().message;
        EXPECT_EQ(answer->status, 201) << answer->body;
        EXPECT_EQ(answer->body, answers[0]->body);
    }
    EXPECT_EQ(Labs(), 1) << "applied once; the copies' rows were rolled back";
}

INSTANTIATE_TEST_SUITE_P(Drivers, IdempotencyTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark::testing
