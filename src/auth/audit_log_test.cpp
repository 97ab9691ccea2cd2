#include "auth/audit_log.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "auth/audit_query_store.hpp"
#include "auth/audit_store.hpp"
#include "db/testing/migrated_database.hpp"

namespace bulwark::auth {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;
const AuditKey kKey = AuditKey::ForTesting(1);

// A fresh database with the audit migrations per test: SQLite in a temporary folder, or a new
// database on the PostgreSQL server of BULWARK_TEST_PG (skipped when unset).
class AuditLogTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (auto skip = db::testing::MigratedDatabase::SkipReason(GetParam()))
            GTEST_SKIP() << *skip;
        AuditLog::UseKey(kKey);
        // One writer connection, so that serial appends form one chain; the tests of
        // concurrent writers reopen with several.
        auto database = db::testing::MigratedDatabase::Create(
            GetParam(), "bulwark_audit", {AuditLog::Migrations()}, {.readers = 2, .writers = 1});
        ASSERT_TRUE(database.ok()) << database.error().message;
        database_ = std::move(*database);
        db_ = &database_->db();
    }

    void TearDown() override { database_.reset(); }

    void Reopen(int writers) {
        // Every writer takes writes as they come (no standby): several chains at once.
        Status reopened =
            database_->Reopen({.readers = 2, .writers = writers, .standby_backlog = 0});
        ASSERT_TRUE(reopened.ok()) << reopened.error().message;
        db_ = &database_->db();
    }

    bool postgres() const { return GetParam() == "postgres"; }

    static AuditEntry Entry(int n) {
        AuditEntry e;
        e.user_id = 1 + n % 3;
        e.username = "王小明" + std::to_string(n % 3);
        e.role = "staff";
        e.scope = "community:7";
        e.action = n % 2 ? "resident.read" : "resident.search";
        e.subject_kind = "resident";
        e.subject_id = 1000 + n;
        e.reason = n % 5 == 0 ? "核对地址" : "";
        e.detail = "{\"n\":" + std::to_string(n) + "}";
        e.client_address = "127.0.0.1";
        e.request_id = "req-" + std::to_string(n);
        e.at = kStart + n;
        return e;
    }

    void AppendSerially(int from, int count) {
        for (int n = from; n < from + count; ++n) {
            Status s = db_->Write(
                [&](db::Session& session) { return AuditLog::Append(session, Entry(n)); });
            ASSERT_TRUE(s.ok()) << s.error().message;
        }
    }

    std::optional<AuditLog::Problem> Verify(const AuditKey& key = kKey) {
        auto problem = db_->ReadValue([&](db::Session& s) { return AuditLog::Verify(s, key); });
        EXPECT_TRUE(problem.ok()) << problem.error().message;
        return problem.ok() ? *problem : AuditLog::Problem{-1, -1, "verify failed"};
    }

    // What someone with write access to the database does to hide a change: rewrite the row,
    // then recompute the hashes of it and every later row of the chain, and its head, under
    // `key` (their guess of the key).
    void RewriteAndRechain(int64_t seq, const std::string& change, const AuditKey& key) {
        Tamper({"UPDATE audit_log SET " + change + " WHERE chain = " + std::to_string(Chain()) +
                " AND seq = " + std::to_string(seq)});
        const int64_t chain = Chain();
        Status s = db_->Write([&](db::Session& session) -> Status {
            ASSIGN_OR_RETURN(auto rows, AuditStore::ChainPage(session, chain, 0, 1'000'000));
            std::string prev(32, '\0');
            for (const StoredAuditRow& row : rows) {
                if (row.seq >= seq) {
                    std::string hash = AuditLog::RowHash(key, prev, row.chain, row.seq, row.entry);
                    RETURN_IF_ERROR(
                        session.Exec("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?",
                                     {db::Blob{prev}, db::Blob{hash}, row.id}));
                    prev = hash;
                } else {
                    prev = row.hash;
                }
            }
            RETURN_IF_ERROR(session.Exec("UPDATE audit_chains SET head = ? WHERE chain = ?",
                                         {db::Blob{prev}, chain}));
            return Ok();
        });
        ASSERT_TRUE(s.ok()) << s.error().message;
    }

    // The tampering a person with write access to the database could do: drop the triggers,
    // then change rows behind the application's back.
    void Tamper(const std::vector<std::string>& statements) {
        Status s = db_->Write([&](db::Session& session) -> Status {
            if (postgres()) {
                RETURN_IF_ERROR(
                    session.Exec("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log"));
            } else {
                RETURN_IF_ERROR(session.Exec("DROP TRIGGER IF EXISTS audit_log_no_update"));
                RETURN_IF_ERROR(session.Exec("DROP TRIGGER IF EXISTS audit_log_no_delete"));
            }
            for (const std::string& sql : statements) RETURN_IF_ERROR(session.Exec(sql));
            return Ok();
        });
        ASSERT_TRUE(s.ok()) << s.error().message;
    }

    int64_t Count(const std::string& sql) {
        auto row = db_->ReadValue([&](db::Session& s) { return s.QueryOne(sql); });
        EXPECT_TRUE(row.ok()) << row.error().message;
        return row.ok() && *row ? (**row).Int(0) : -1;
    }

    // One chain of `rows` rows, Entry(0) to Entry(rows - 1) in order, intact.
    void ExpectOneChainInOrder(int64_t rows) {
        EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), rows);
        EXPECT_EQ(Count("SELECT MAX(seq) FROM audit_chains"), rows);
        // Row n is the chain's (n + 1)th.
        EXPECT_EQ(
            Count("SELECT COUNT(*) FROM audit_log WHERE request_id <> " +
                  std::string(postgres() ? "'req-' || (seq - 1)::text" : "'req-' || (seq - 1)")),
            0);
        EXPECT_EQ(Verify(), std::nullopt);
    }

    // The chain of serial appends (one writer connection).
    int64_t Chain() { return Count("SELECT MIN(chain) FROM audit_log"); }

    // The id of the row at `seq` of the chain.
    int64_t IdAt(int64_t seq) {
        return Count("SELECT id FROM audit_log WHERE chain = " + std::to_string(Chain()) +
                     " AND seq = " + std::to_string(seq));
    }

    std::unique_ptr<db::testing::MigratedDatabase> database_;
    db::Database* db_ = nullptr;  // database_'s
};

// Each filter narrows the rows, and on SQLite each names its index in the plan (a filter left
// unset is left out of the SQL text, not written as "? = 0 OR ...").
TEST_P(AuditLogTest, QueriesFilterByEachFieldAndUseItsIndex) {
    for (int n = 0; n < 30; ++n) {
        ASSERT_TRUE(db_->Write([&](db::Session& s) { return AuditLog::Append(s, Entry(n)); }).ok());
    }
    auto count = [&](AuditQuery q) -> int64_t {
        q.all_scopes = true;
        auto page = db_->ReadValue([&](db::Session& s) { return AuditQueryStore::Search(s, q); });
        EXPECT_TRUE(page.ok()) << page.error().message;
        return page.ok() ? page->total : -1;
    };
    EXPECT_EQ(count({}), 30);
    EXPECT_EQ(count({.user_id = 2}), 10);
    EXPECT_EQ(count({.subject_id = 1007}), 1);
    EXPECT_EQ(count({.subject_kind = "tube"}), 0);
    EXPECT_EQ(count({.action = "resident.read"}), 15);
    EXPECT_EQ(count({.user_id = 2, .action = "resident.read"}), 5);
    EXPECT_EQ(count({.from = kStart + 10, .to = kStart + 20}), 10);
    if (postgres()) return;
    auto plan = [&](AuditQuery q) {
        AuditQueryStore::Filter f = AuditQueryStore::FilterOf(q);
        auto rows = db_->ReadValue([&](db::Session& s) {
            return s.Query("EXPLAIN QUERY PLAN SELECT id" + f.where, f.params);
        });
        std::string text;
        if (rows.ok()) {
            for (const db::Row& row : *rows) text += row.Text(row.size() - 1) + "\n";
        }
        return text;
    };
    EXPECT_NE(plan({.user_id = 2}).find("audit_log_user"), std::string::npos)
        << plan({.user_id = 2});
    EXPECT_NE(plan({.subject_id = 1007}).find("audit_log_subject"), std::string::npos)
        << plan({.subject_id = 1007});
    EXPECT_NE(plan({.action = "resident.read"}).find("audit_log_action"), std::string::npos)
        << plan({.action = "resident.read"});
}

INSTANTIATE_TEST_SUITE_P(Drivers, AuditLogTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST_P(AuditLogTest, ConcurrentWritersKeepEveryChainIntact) {
    Reopen(4);
    constexpr int kThreads = 8;
    constexpr int kPerThread = 150;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                Status s = db_->Write([&](db::Session& session) {
                    return AuditLog::Append(session, Entry(t * kPerThread + i));
                });
                if (!s.ok()) ++failures;
            }
        });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), kThreads * kPerThread);
    EXPECT_EQ(Count("SELECT SUM(seq) FROM audit_chains"), kThreads * kPerThread);
    if (postgres()) {
        // Several writer connections committed batches, each on its own chain.
        EXPECT_GE(Count("SELECT COUNT(DISTINCT chain) FROM audit_log"), 2);
    } else {
        EXPECT_EQ(Count("SELECT COUNT(DISTINCT chain) FROM audit_log"), 1);
    }
    EXPECT_EQ(Verify(), std::nullopt);
    auto rows = db_->ReadValue([](db::Session& s) { return AuditStore::CountRows(s); });
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(*rows, kThreads * kPerThread);
}

TEST_P(AuditLogTest, EmptyLogIsIntact) { EXPECT_EQ(Verify(), std::nullopt); }

TEST_P(AuditLogTest, TriggersRefuseUpdateAndDelete) {
    AppendSerially(0, 3);
    for (const char* sql : {"UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log",
                            "DELETE FROM audit_chains", "UPDATE audit_chains SET seq = seq - 1"}) {
        Status s = db_->Write([&](db::Session& session) -> Status {
            RETURN_IF_ERROR(session.Exec(sql));
            return Ok();
        });
        ASSERT_FALSE(s.ok()) << sql;
        EXPECT_NE(s.error().message.find("审计"), std::string::npos) << s.error().message;
    }
    if (postgres()) {
        Status s = db_->Write([](db::Session& session) -> Status {
            RETURN_IF_ERROR(session.Exec("TRUNCATE audit_log"));
            return Ok();
        });
        EXPECT_FALSE(s.ok());
    }
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), 3);
    EXPECT_EQ(Verify(), std::nullopt);
}

TEST_P(AuditLogTest, AChangeToAnyColumnNamesTheRow) {
    AppendSerially(0, 12);
    ASSERT_EQ(Verify(), std::nullopt);
    const int64_t id = IdAt(5);
    const std::vector<std::string> changes = {"at = at + 1",
                                              "user_id = 99",
                                              "username = '李四'",
                                              "role = 'administrator'",
                                              "scope = 'street:1'",
                                              "action = 'resident.unmask'",
                                              "subject_kind = 'user'",
                                              "subject_id = 1",
                                              "reason = '无'",
                                              "detail = ''",
                                              "client_address = '10.0.0.9'",
                                              "request_id = 'other'"};
    for (const std::string& change : changes) {
        SCOPED_TRACE(change);
        // Each change is made and then undone by copying the row's columns back.
        Tamper({"CREATE TABLE IF NOT EXISTS saved AS SELECT * FROM audit_log WHERE id = " +
                    std::to_string(id),
                "UPDATE audit_log SET " + change + " WHERE id = " + std::to_string(id)});
        auto problem = Verify();
        ASSERT_TRUE(problem.has_value());
        EXPECT_EQ(problem->row_id, id);
        EXPECT_EQ(problem->what, "changed");
        Tamper({"DELETE FROM audit_log WHERE id = " + std::to_string(id),
                "INSERT INTO audit_log SELECT * FROM saved", "DROP TABLE saved"});
        ASSERT_EQ(Verify(), std::nullopt);
    }
    // A forged hash breaks the link to the next row.
    Tamper({"UPDATE audit_log SET hash = prev_hash WHERE id = " + std::to_string(id)});
    auto problem = Verify();
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->row_id, id);
    EXPECT_EQ(problem->what, "changed");
}

TEST_P(AuditLogTest, ARewrittenChainNeedsTheKey) {
    AppendSerially(0, 10);
    const int64_t id = IdAt(4);
    // Without the key (here: a guessed one) the recomputed chain does not verify, and the first
    // rewritten row is named.
    RewriteAndRechain(4, "reason = '无'", AuditKey::ForTesting(2));
    auto problem = Verify();
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->row_id, id);
    EXPECT_EQ(problem->seq, 4);
    EXPECT_EQ(problem->what, "changed");
    // With the key it would: the key is all that stands between the database and a forgery.
    RewriteAndRechain(4, "reason = '无'", kKey);
    EXPECT_EQ(Verify(), std::nullopt);
}

TEST_P(AuditLogTest, AnotherKeyFailsAtTheFirstRow) {
    AppendSerially(0, 3);
    auto problem = Verify(AuditKey::ForTesting(3));
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->row_id, IdAt(1));
    EXPECT_EQ(problem->seq, 1);
    EXPECT_EQ(problem->what, "changed");
}

TEST_P(AuditLogTest, ARemovedRowIsReported) {
    AppendSerially(0, 10);
    const int64_t removed = IdAt(4);
    const int64_t after = IdAt(5);
    Tamper({"DELETE FROM audit_log WHERE id = " + std::to_string(removed)});
    auto problem = Verify();
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->row_id, after);
    EXPECT_EQ(problem->what, "removed");
}

TEST_P(AuditLogTest, RemovedFirstAndLastRowsAreReported) {
    AppendSerially(0, 6);
    const int64_t second = IdAt(2);
    Tamper({"DELETE FROM audit_log WHERE id = " + std::to_string(IdAt(1))});
    auto problem = Verify();
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->row_id, second);
    EXPECT_EQ(problem->what, "removed");

    Tamper({"DELETE FROM audit_log"});
    problem = Verify();
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->what, "truncated");
}

TEST_P(AuditLogTest, ATruncatedChainIsReported) {
    AppendSerially(0, 8);
    const int64_t last_kept = IdAt(6);
    Tamper({"DELETE FROM audit_log WHERE seq >= 7"});
    auto problem = Verify();
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->row_id, last_kept);
    EXPECT_EQ(problem->what, "truncated");
}

TEST_P(AuditLogTest, SwappedRowsAreReported) {
    AppendSerially(0, 10);
    const int64_t a = IdAt(3);
    const int64_t b = IdAt(6);
    // Rows trade places (each keeps its content and hashes): the chain links break.
    Tamper({"UPDATE audit_log SET seq = -1 WHERE id = " + std::to_string(a),
            "UPDATE audit_log SET seq = 3 WHERE id = " + std::to_string(b),
            "UPDATE audit_log SET seq = 6 WHERE id = " + std::to_string(a)});
    auto problem = Verify();
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->row_id, b);
    EXPECT_EQ(problem->what, "reordered");
}

TEST_P(AuditLogTest, SwappedContentsAreReported) {
    AppendSerially(0, 10);
    const int64_t a = IdAt(3);
    const int64_t b = IdAt(6);
    // Two rows trade who and what, keeping their places and hashes.
    Tamper({"CREATE TABLE saved AS SELECT * FROM audit_log WHERE id IN (" + std::to_string(a) +
                ", " + std::to_string(b) + ")",
            "UPDATE audit_log SET user_id = (SELECT user_id FROM saved WHERE id = " +
                std::to_string(b) + "), action = (SELECT action FROM saved WHERE id = " +
                std::to_string(b) + ") WHERE id = " + std::to_string(a),
            "UPDATE audit_log SET user_id = (SELECT user_id FROM saved WHERE id = " +
                std::to_string(a) + "), action = (SELECT action FROM saved WHERE id = " +
                std::to_string(a) + ") WHERE id = " + std::to_string(b)});
    auto problem = Verify();
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->row_id, a);
    EXPECT_EQ(problem->what, "changed");
}

TEST_P(AuditLogTest, ARolledBackWriteLeavesNoGap) {
    AppendSerially(0, 3);
    Status failed = db_->Write([](db::Session& session) -> Status {
        RETURN_IF_ERROR(AuditLog::Append(session, Entry(100)));
        return Internal("the write after the audit row failed");
    });
    ASSERT_FALSE(failed.ok());
    AppendSerially(3, 3);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), 6);
    EXPECT_EQ(Count("SELECT MAX(seq) FROM audit_log"), 6);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE request_id = 'req-100'"), 0);
    EXPECT_EQ(Verify(), std::nullopt);
}

TEST_P(AuditLogTest, RolledBackWritesInsideGroupCommitsLeaveNoGap) {
    Reopen(4);
    constexpr int kThreads = 6;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 60; ++i) {
                const int n = t * 60 + i;
                (void)db_->Write([&](db::Session& session) -> Status {
                    RETURN_IF_ERROR(AuditLog::Append(session, Entry(n)));
                    if (n % 3 == 0) return InvalidArgument("rolled back on purpose");
                    return Ok();
                });
            }
        });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), kThreads * 40);
    EXPECT_EQ(Verify(), std::nullopt);
}

// Appends `entry` to the log's first chain as another process would: through the chain row,
// without this process's hint knowing.
Status AppendAsAnotherProcess(db::Session& session, const AuditEntry& entry) {
    ASSIGN_OR_RETURN(auto any, session.QueryOne("SELECT MIN(chain) FROM audit_log"));
    StoredAuditRow row{.chain = any->Int(0), .entry = entry};
    ASSIGN_OR_RETURN(AuditChainHead head, AuditStore::AdvanceChain(session, row.chain));
    row.seq = head.seq;
    row.prev_hash = head.head;
    row.hash = AuditLog::RowHash(kKey, row.prev_hash, row.chain, row.seq, row.entry);
    RETURN_IF_ERROR(AuditStore::Insert(session, row));
    return AuditStore::SetHead(session, row.chain, row.hash);
}

// Another process writing the same chain number between this process's appends (as two servers
// on one PostgreSQL database do): it moves the chain row without this process's hint knowing, and
// each append still finds the chain where the other left it.
TEST_P(AuditLogTest, AnotherProcessOnTheSameChainKeepsItIntact) {
    for (int n = 0; n < 12; ++n) {
        Status s = db_->Write([&](db::Session& session) -> Status {
            if (n % 3 != 2) return AuditLog::Append(session, Entry(n));
            return AppendAsAnotherProcess(session, Entry(n));
        });
        ASSERT_TRUE(s.ok()) << s.error().message;
    }
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), 12);
    EXPECT_EQ(Count("SELECT MAX(seq) FROM audit_chains"), 12);
    EXPECT_EQ(Verify(), std::nullopt);
}

// AppendAll chains its rows in their order as Append would one by one: after another process
// moved the chain (the hint is stale), after a rolled-back write, and with the hint.
TEST_P(AuditLogTest, AppendAllChainsRowsInTheirOrder) {
    auto append_all = [&](int first, int n, bool roll_back = false) {
        std::vector<AuditEntry> entries;
        for (int i = first; i < first + n; ++i) entries.push_back(Entry(i));
        return db_->Write([&](db::Session& session) -> Status {
            RETURN_IF_ERROR(AuditLog::AppendAll(session, entries));
            if (roll_back) return InvalidArgument("rolled back on purpose");
            return Ok();
        });
    };
    ASSERT_TRUE(append_all(0, 5).ok());
    // Another process appends one row to the same chain.
    Status other =
        db_->Write([&](db::Session& session) { return AppendAsAnotherProcess(session, Entry(5)); });
    ASSERT_TRUE(other.ok()) << other.error().message;
    ASSERT_TRUE(append_all(6, 4).ok());
    ASSERT_FALSE(append_all(100, 3, true).ok());
    ASSERT_TRUE(append_all(10, 70).ok());  // more than one statement's rows
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE request_id = 'req-100'"), 0);
    ExpectOneChainInOrder(80);
}

// AppendAll's batch form: its rows go with the caller's other statements, and a chain moved by
// another process meanwhile fails the batch (the caller rolls back; nothing of it stays), after
// which the plain form appends where the chain now is, and the batch form goes on from there.
TEST_P(AuditLogTest, AppendAllInABatchFailsWhenTheChainMovedMeanwhile) {
    auto batched = [&](int first, int n, bool roll_back = false) {
        std::vector<AuditEntry> entries;
        for (int i = first; i < first + n; ++i) entries.push_back(Entry(i));
        return db_->Write([&](db::Session& session) -> Status {
            db::Batch batch;
            RETURN_IF_ERROR(AuditLog::AppendAll(session, batch, entries));
            RETURN_IF_ERROR(batch.Run(session));
            if (roll_back) return InvalidArgument("rolled back on purpose");
            return Ok();
        });
    };
    // The plain form first: a hint left by another test's database is put right by it (the
    // batch form would fail, as it does below).
    Status start = db_->Write([&](db::Session& session) {
        return AuditLog::AppendAll(session, {Entry(0), Entry(1), Entry(2)});
    });
    ASSERT_TRUE(start.ok()) << start.error().message;
    ASSERT_TRUE(batched(3, 2).ok());
    Status other =
        db_->Write([&](db::Session& session) { return AppendAsAnotherProcess(session, Entry(5)); });
    ASSERT_TRUE(other.ok()) << other.error().message;
    // Behind the chain: the rows' own sequence numbers are taken.
    EXPECT_FALSE(batched(100, 3).ok());
    Status plain = db_->Write([&](db::Session& session) {
        return AuditLog::AppendAll(session, {Entry(6), Entry(7)});
    });
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    // Ahead of the chain (a rolled-back write left the hint there): nothing collides, and only
    // the chain's compare-and-set tells.
    ASSERT_FALSE(batched(200, 2, true).ok());
    Status ahead = batched(300, 2);
    ASSERT_FALSE(ahead.ok());
    EXPECT_EQ(ahead.error().code, ErrorCode::kUnavailable) << ahead.error().message;
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE request_id IN ('req-100', 'req-200', "
                    "'req-300')"),
              0);
    plain = db_->Write([&](db::Session& session) {
        return AuditLog::AppendAll(session, {Entry(8), Entry(9)});
    });
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    ASSERT_TRUE(batched(10, 2).ok());
    ExpectOneChainInOrder(12);
}

TEST_P(AuditLogTest, FillsTheTimeWhenTheCallerDidNot) {
    AuditEntry e = Entry(1);
    e.at = 0;
    Status s = db_->Write([&](db::Session& session) { return AuditLog::Append(session, e); });
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_GT(Count("SELECT at FROM audit_log"), kStart);
    EXPECT_EQ(Verify(), std::nullopt);
}

class AuditKeyFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("bulwark-audit-key-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    static unsigned Mode(const std::string& path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 0777 : 0;
    }

    std::filesystem::path dir_;
};

TEST_F(AuditKeyFileTest, CreatedOnceWithMode0600BesideThePersonalKey) {
    const std::string data = dir_.string();
    auto first = OpenAuditKey(data);
    ASSERT_TRUE(first.ok()) << first.error().message;
    const std::string path = AuditKeyFilePath(data);
    EXPECT_EQ(path, data + "/keys/audit.key");
    EXPECT_EQ(Mode(path), 0600u);
    EXPECT_EQ(Mode(data + "/keys"), 0700u);
    auto again = OpenAuditKey(data);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->bytes(), first->bytes());
    EXPECT_NE(first->bytes(), AuditKey::Random().bytes());
    // No temporary file is left beside it.
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(data + "/keys")) {
        (void)entry;
        ++files;
    }
    EXPECT_EQ(files, 1);
}

TEST_F(AuditKeyFileTest, RefusesAFileOthersCanReadOrThatIsMalformed) {
    const std::string data = dir_.string();
    ASSERT_TRUE(OpenAuditKey(data).ok());
    const std::string path = AuditKeyFilePath(data);
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    auto open = OpenAuditKey(data);
    ASSERT_FALSE(open.ok());
    EXPECT_EQ(open.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(open.error().message.find("chmod 600"), std::string::npos);

    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    std::ofstream(path, std::ios::trunc) << "# comment\naudit 1234\n";
    open = OpenAuditKey(data);
    ASSERT_FALSE(open.ok());
    EXPECT_EQ(open.error().code, ErrorCode::kInternal);
    std::ofstream(path, std::ios::trunc) << "# only a comment\n";
    EXPECT_FALSE(OpenAuditKey(data).ok());
}

TEST(AuditLogForTest, TakesWhoFromThePrincipal) {
    Principal who;
    who.user_id = 42;
    who.username = "zhang";
    who.client_address = "192.0.2.1";
    who.request_id = "r-1";
    AuditEntry e = AuditLog::For(who, "login");
    EXPECT_EQ(e.user_id, 42);
    EXPECT_EQ(e.role, "");
    EXPECT_EQ(e.scope, "");
    who.grants.push_back({.grant = {Role::kGridWorker, {ScopeKind::kGrid, 12}}, .permissions = {}});
    e = AuditLog::For(who, "resident.read");
    EXPECT_EQ(e.username, "zhang");
    EXPECT_EQ(e.role, "grid_worker");
    EXPECT_EQ(e.scope, "grid:12");
    EXPECT_EQ(e.action, "resident.read");
    EXPECT_EQ(e.client_address, "192.0.2.1");
    EXPECT_EQ(e.request_id, "r-1");
}

}  // namespace
}  // namespace bulwark::auth
