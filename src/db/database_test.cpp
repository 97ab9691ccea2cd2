#include "db/database.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <latch>
#include <limits>
#include <map>
#include <mutex>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "db/batch.hpp"
#include "db/migrations.hpp"
#include "db/postgres/postgres_database.hpp"

#include <sqlite3.h>

namespace bulwark::db {

void PrintTo(const Value& v, std::ostream* os) {
    switch (v.variant().index()) {
        case 0:
            *os << "NULL";
            break;
        case 1:
            *os << "int " << v.AsInt();
            break;
        case 2:
            *os << "double " << v.AsDouble();
            break;
        case 3:
            *os << "text \"" << v.AsText() << "\"";
            break;
        case 4:
            *os << "blob of " << v.AsBlob().bytes.size() << " bytes";
            break;
    }
}

namespace {

using namespace std::string_literals;

enum class Driver { kSqlite, kPostgres };

std::string DriverName(const ::testing::TestParamInfo<Driver>& info) {
    return info.param == Driver::kSqlite ? "Sqlite" : "Postgres";
}

// `server_url` (postgresql://.../db?opts) naming database `name` instead.
std::string WithDatabase(const std::string& server_url, const std::string& name) {
    const size_t host = server_url.find("://") + 3;
    const size_t query = std::min(server_url.find('?', host), server_url.size());
    const size_t slash = std::min(server_url.find('/', host), query);
    return server_url.substr(0, slash) + "/" + name + server_url.substr(query);
}

constexpr const char* kItemsTable =
    "CREATE TABLE items (id ID_PK, name TEXT NOT NULL UNIQUE, n BIGINT, x DOUBLE PRECISION, "
    "t TEXT, b BLOB)";

// Every test gets a fresh, empty database: a SQLite file in a temporary folder, or a new
// database on the PostgreSQL server named by BULWARK_TEST_PG (skipped when that is unset),
// dropped afterwards.
class DatabaseTest : public ::testing::TestWithParam<Driver> {
protected:
    void SetUp() override {
        std::random_device random;
        const std::string suffix = std::to_string(random()) + std::to_string(random() % 1000);
        if (GetParam() == Driver::kSqlite) {
            dir_ = std::filesystem::temp_directory_path() / ("bulwark_db_test_" + suffix);
            std::filesystem::create_directories(dir_);
            url_ = "sqlite:" + (dir_ / "test.db").string();
        } else {
            const char* server = std::getenv("BULWARK_TEST_PG");
            if (server == nullptr || *server == '\0') {
                GTEST_SKIP() << "BULWARK_TEST_PG is not set (scripts/pg start prints it)";
            }
            server_url_ = server;
            pg_database_ = "bulwark_t_" + suffix;
            Status created = ExecPostgresAutocommit(server_url_, "CREATE DATABASE " + pg_database_);
            ASSERT_TRUE(created.ok()) << created.error().message;
            url_ = WithDatabase(server_url_, pg_database_);
        }
        auto db = Open({.url = url_});
        ASSERT_TRUE(db.ok()) << db.error().message;
        db_ = std::move(*db);
    }

    void TearDown() override {
        if (db_) db_->Close();
        db_.reset();
        if (!pg_database_.empty()) {
            Status dropped = ExecPostgresAutocommit(
                server_url_, "DROP DATABASE IF EXISTS " + pg_database_ + " WITH (FORCE)");
            EXPECT_TRUE(dropped.ok()) << dropped.error().message;
        }
        if (!dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
        }
    }

    void MustWrite(const std::string& sql, const Params& params = {}) {
        Status s = db_->Write([&](Session& session) -> Status {
            RETURN_IF_ERROR(session.Exec(sql, params));
            return Ok();
        });
        ASSERT_TRUE(s.ok()) << s.error().message;
    }

    void CreateItems() { MustWrite(TranslateDdl(kItemsTable, db_->dialect())); }

    Rows MustRead(const std::string& sql, const Params& params = {}) {
        auto rows = db_->ReadValue([&](Session& s) { return s.Query(sql, params); });
        EXPECT_TRUE(rows.ok()) << rows.error().message;
        return rows.ok() ? std::move(*rows) : Rows{};
    }

    int64_t Count(const std::string& where = "1 = 1", const Params& params = {}) {
        Rows rows = MustRead("SELECT COUNT(*) FROM items WHERE " + where, params);
        return rows.empty() ? -1 : rows[0].Int(0);
    }

    std::filesystem::path dir_;
    std::string server_url_;
    std::string pg_database_;
    std::string url_;
    std::unique_ptr<Database> db_;
};

TEST_P(DatabaseTest, ReportsItsDialect) {
    EXPECT_EQ(db_->dialect(),
              GetParam() == Driver::kSqlite ? Dialect::kSqlite : Dialect::kPostgres);
    Status s = db_->Read([&](Session& session) -> Status {
        EXPECT_EQ(session.dialect(), db_->dialect());
        EXPECT_EQ(session.connection_slot(), 0);
        return Ok();
    });
    EXPECT_TRUE(s.ok());
    s = db_->Write([&](Session& session) -> Status {
        EXPECT_GE(session.connection_slot(), 0);
        EXPECT_LT(session.connection_slot(), Options().writers);
        return Ok();
    });
    EXPECT_TRUE(s.ok());
}

// PostgreSQL: writers always use a prepared statement's generic plan and never compile one
// (see Init); readers keep the server's choice, since a search's values can change its best
// plan.
TEST_P(DatabaseTest, PostgresWritersAlwaysPlanGenerically) {
    if (GetParam() != Driver::kPostgres) GTEST_SKIP() << "a PostgreSQL setting";
    const std::string settings =
        "SELECT current_setting('plan_cache_mode') || ' jit ' || "
        "current_setting('jit')";
    auto in_write = db_->WriteValue([&](Session& s) -> Result<std::string> {
        ASSIGN_OR_RETURN(auto row, s.QueryOne(settings));
        return row ? row->Text(0) : std::string();
    });
    ASSERT_TRUE(in_write.ok()) << in_write.error().message;
    EXPECT_EQ(*in_write, "force_generic_plan jit off");
    Rows in_read = MustRead(settings);
    ASSERT_EQ(in_read.size(), 1u);
    EXPECT_EQ(in_read[0].Text(0), "auto jit on");
}

// PostgreSQL: a writer looks rows up through an index even while the table is small, so that a
// generic plan made then does not read the whole table once it has grown. Readers keep the
// server's choice: a report over a table reads it whole.
TEST_P(DatabaseTest, PostgresWritersUseAnIndexOnASmallTable) {
    if (GetParam() != Driver::kPostgres) GTEST_SKIP() << "a PostgreSQL setting";
    CreateItems();
    MustWrite("INSERT INTO items (name) VALUES ('a'), ('b'), ('c')");
    MustWrite("ANALYZE items");  // one page of three rows: reading it whole is cheapest
    const std::string explain = "EXPLAIN SELECT id FROM items WHERE name IN ('a', 'b')";
    auto plan_of = [](const Rows& rows) {
        std::string plan;
        for (const Row& row : rows) plan += row.Text(0) + "\n";
        return plan;
    };
    auto in_write = db_->WriteValue([&](Session& s) -> Result<std::string> {
        ASSIGN_OR_RETURN(auto rows, s.Query(explain));
        return plan_of(rows);
    });
    ASSERT_TRUE(in_write.ok()) << in_write.error().message;
    EXPECT_NE(in_write->find("items_name_key"), std::string::npos) << *in_write;
    EXPECT_EQ(in_write->find("Seq Scan"), std::string::npos) << *in_write;
    const std::string in_read = plan_of(MustRead(explain));
    EXPECT_NE(in_read.find("Seq Scan"), std::string::npos) << in_read;
}

TEST_P(DatabaseTest, EveryValueTypeRoundTrips) {
    CreateItems();
    struct Item {
        std::string name;
        Value n, x, t, b;
    };
    const std::vector<Item> items = {
        {"nulls", nullptr, nullptr, nullptr, nullptr},
        {"large", std::numeric_limits<int64_t>::max(), 3.141592653589793, "核酸检测 第3轮 ✓",
         Blob{"\0\x01\xff\0"s}},
        {"small", std::numeric_limits<int64_t>::min(), -1e-300, "", Blob{""}},
        {"exact", (int64_t{1} << 53) + 1, 2.0, "it's \"quoted\" \\ 楼栋",
         Blob{std::string(1000, '\0')}},
        {"negative", -42, 0.1, "居民 Zhang San", Blob{"\xe4\xb8\xad"s}},
    };
    for (const Item& item : items) {
        MustWrite("INSERT INTO items (name, n, x, t, b) VALUES (?, ?, ?, ?, ?)",
                  {item.name, item.n, item.x, item.t, item.b});
    }
    Rows rows = MustRead("SELECT name, n, x, t, b FROM items ORDER BY id");
    ASSERT_EQ(rows.size(), items.size());
    EXPECT_EQ(rows.columns, (std::vector<std::string>{"name", "n", "x", "t", "b"}));
    for (size_t i = 0; i < items.size(); ++i) {
        SCOPED_TRACE(items[i].name);
        EXPECT_EQ(rows[i][0], Value(items[i].name));
        EXPECT_EQ(rows[i][1], items[i].n);
        EXPECT_EQ(rows[i][2], items[i].x);
        EXPECT_EQ(rows[i][3], items[i].t);
        EXPECT_EQ(rows[i][4], items[i].b);
    }
    // Parameters compare with the stored types.
    Rows found = MustRead("SELECT name FROM items WHERE n = ? AND b = ?",
                          {(int64_t{1} << 53) + 1, Blob{std::string(1000, '\0')}});
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].Text(0), "exact");
}

TEST_P(DatabaseTest, AggregatesAndComparisonsReadAsNumbers) {
    CreateItems();
    for (int i = 1; i <= 3; ++i) {
        MustWrite("INSERT INTO items (name, n) VALUES (?, ?)", {"i" + std::to_string(i), i});
    }
    Rows rows = MustRead("SELECT COUNT(*), SUM(n), AVG(n), MAX(n) > 2, MIN(n) > 2 FROM items");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], Value(3));
    EXPECT_EQ(rows[0][1], Value(6));
    EXPECT_EQ(rows[0][2], Value(2.0));
    EXPECT_EQ(rows[0][3], Value(1));
    EXPECT_EQ(rows[0][4], Value(0));
}

TEST_P(DatabaseTest, QuestionMarksInLiteralsIdentifiersAndCommentsAreNotPlaceholders) {
    CreateItems();
    MustWrite("INSERT INTO items (name, t) VALUES (?, 'why? 为什么?') -- who? \n", {"q1"});
    Rows rows = MustRead(
        "SELECT t, 'still?' AS \"col?\", ? FROM items /* really? */ WHERE name = ? -- any?\n"
        " AND t LIKE '%?%'",
        {"p1", "q1"});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows.columns[1], "col?");
    EXPECT_EQ(rows[0].Text(0), "why? 为什么?");
    EXPECT_EQ(rows[0].Text(1), "still?");
    EXPECT_EQ(rows[0].Text(2), "p1");
}

TEST_P(DatabaseTest, WrongParameterCountIsAnError) {
    CreateItems();
    Status s = db_->Write([](Session& session) -> Status {
        RETURN_IF_ERROR(session.Exec("INSERT INTO items (name, n) VALUES (?, ?)", {"a"}));
        return Ok();
    });
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(Count(), 0);
}

TEST_P(DatabaseTest, BadSqlFailsThatWriteOnly) {
    CreateItems();
    Status bad = db_->Write([](Session& s) -> Status {
        RETURN_IF_ERROR(s.Exec("INSERT INTO items (name) VALUES (?)", {"rolled back"}));
        RETURN_IF_ERROR(s.Exec("INSERT INTO no_such_table (name) VALUES (?)", {"x"}));
        return Ok();
    });
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
    EXPECT_NE(bad.error().message.find("no_such_table"), std::string::npos) << bad.error().message;
    Status syntax = db_->Write([](Session& s) -> Status {
        RETURN_IF_ERROR(s.Exec("INSERT INTO items (name VALUES (?)", {"x"}));
        return Ok();
    });
    EXPECT_FALSE(syntax.ok());
    MustWrite("INSERT INTO items (name) VALUES (?)", {"kept"});
    EXPECT_EQ(Count(), 1);
    EXPECT_EQ(Count("name = 'kept'"), 1);
}

TEST_P(DatabaseTest, ExecReturnsChangedRows) {
    CreateItems();
    for (const char* name : {"a", "b", "c"})
        MustWrite("INSERT INTO items (name) VALUES (?)", {name});
    auto changed = db_->WriteValue([](Session& s) { return s.Exec("UPDATE items SET n = 7"); });
    ASSERT_TRUE(changed.ok()) << changed.error().message;
    EXPECT_EQ(*changed, 3);
    changed = db_->WriteValue(
        [](Session& s) { return s.Exec("DELETE FROM items WHERE name = ?", {"b"}); });
    ASSERT_TRUE(changed.ok());
    EXPECT_EQ(*changed, 1);
}

// 50 writers at once, most of them committed together: the one that breaks a unique constraint
// is rolled back alone (with everything it wrote), the others commit.
TEST_P(DatabaseTest, UniqueViolationRollsBackOnlyThatWrite) {
    CreateItems();
    MustWrite("INSERT INTO items (name) VALUES (?)", {"dup"});
    constexpr int kWriters = 50;
    constexpr int kFailing = 17;
    std::vector<Status> results(kWriters);
    std::latch start(kWriters);
    std::vector<std::thread> threads;
    for (int i = 0; i < kWriters; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            results[i] = db_->Write([i](Session& s) -> Status {
                RETURN_IF_ERROR(s.Exec("INSERT INTO items (name, n) VALUES (?, ?)",
                                       {"w" + std::to_string(i), i}));
                if (i == kFailing) {
                    RETURN_IF_ERROR(s.Exec("INSERT INTO items (name) VALUES (?)", {"dup"}));
                }
                return Ok();
            });
        });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kWriters; ++i) {
        if (i == kFailing) {
            ASSERT_FALSE(results[i].ok());
            EXPECT_EQ(results[i].error().code, ErrorCode::kAlreadyExists);
            EXPECT_NE(results[i].error().message.find("name"), std::string::npos)
                << results[i].error().message;
        } else {
            EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].error().message;
        }
    }
    EXPECT_EQ(Count("name LIKE 'w%'"), kWriters - 1);
    EXPECT_EQ(Count("name = ?", {"w" + std::to_string(kFailing)}), 0);
    EXPECT_EQ(Count("name = 'dup'"), 1);
}

TEST_P(DatabaseTest, ReadSeesCommittedDataInASnapshot) {
    CreateItems();
    MustWrite("INSERT INTO items (name) VALUES (?)", {"first"});
    EXPECT_EQ(Count(), 1);

    Status s = db_->Read([&](Session& session) -> Status {
        ASSIGN_OR_RETURN(Rows before, session.Query("SELECT COUNT(*) FROM items"));
        // Committed by another thread while this read is open: not in its snapshot.
        std::thread writer([&] { MustWrite("INSERT INTO items (name) VALUES (?)", {"second"}); });
        writer.join();
        ASSIGN_OR_RETURN(Rows after, session.Query("SELECT COUNT(*) FROM items"));
        EXPECT_EQ(before[0].Int(0), 1);
        EXPECT_EQ(after[0].Int(0), 1);
        return Ok();
    });
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(Count(), 2);
}

TEST_P(DatabaseTest, ReadRefusesToWrite) {
    CreateItems();
    Status s = db_->Read([](Session& session) -> Status {
        RETURN_IF_ERROR(session.Exec("INSERT INTO items (name) VALUES (?)", {"nope"}));
        return Ok();
    });
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(Count(), 0);
}

TEST_P(DatabaseTest, ReadValueAndWriteValueReturnResults) {
    CreateItems();
    Result<int64_t> id = db_->WriteValue([](Session& s) -> Result<int64_t> {
        ASSIGN_OR_RETURN(
            auto row,
            s.QueryOne("INSERT INTO items (name, n) VALUES (?, ?) RETURNING id", {"张三", 5}));
        if (!row) return Internal("no row");
        return row->Int(0);
    });
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_GT(*id, 0);

    Result<std::string> name = db_->ReadValue([&](Session& s) -> Result<std::string> {
        ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT name FROM items WHERE id = ?", {*id}));
        if (!row) return NotFound("no item");
        return row->Text(0);
    });
    ASSERT_TRUE(name.ok()) << name.error().message;
    EXPECT_EQ(*name, "张三");

    Result<std::string> missing = db_->ReadValue([](Session& s) -> Result<std::string> {
        ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT name FROM items WHERE id = ?", {-1}));
        if (!row) return NotFound("no item");
        return row->Text(0);
    });
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

    // A write whose function fails is rolled back, and its error comes back unchanged.
    Result<int64_t> failed = db_->WriteValue([](Session& s) -> Result<int64_t> {
        RETURN_IF_ERROR(s.Exec("INSERT INTO items (name) VALUES (?)", {"gone"}));
        return FailedPrecondition("changed my mind", "name");
    });
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(failed.error().field, "name");
    EXPECT_EQ(Count("name = 'gone'"), 0);
}

TEST_P(DatabaseTest, InsertOnConflictDoNothingReturning) {
    CreateItems();
    const char* sql =
        "INSERT INTO items (name, n) VALUES (?, ?) ON CONFLICT (name) DO NOTHING RETURNING id";
    auto first = db_->WriteValue([&](Session& s) { return s.QueryOne(sql, {"tube-001", 1}); });
    ASSERT_TRUE(first.ok()) << first.error().message;
    ASSERT_TRUE(first->has_value());
    auto second = db_->WriteValue([&](Session& s) { return s.QueryOne(sql, {"tube-001", 2}); });
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_FALSE(second->has_value());

    auto upsert = db_->WriteValue([](Session& s) {
        return s.QueryOne(
            "INSERT INTO items (name, n) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET n = "
            "excluded.n RETURNING id, n",
            {"tube-001", 3});
    });
    ASSERT_TRUE(upsert.ok()) << upsert.error().message;
    ASSERT_TRUE(upsert->has_value());
    EXPECT_EQ((**upsert).Int(0), (**first).Int(0));
    EXPECT_EQ((**upsert).Int(1), 3);
    EXPECT_EQ(Count(), 1);
}

// InsertId: the new row's id (the one a later read finds), nullopt when ON CONFLICT DO NOTHING
// skipped the row, and no stale id from an earlier insert in the same transaction.
TEST_P(DatabaseTest, InsertIdGivesTheNewRowsIdOrNothingOnConflict) {
    CreateItems();
    const char* sql = "INSERT INTO items (name, n) VALUES (?, ?) ON CONFLICT (name) DO NOTHING";
    auto ids = db_->WriteValue([&](Session& s) -> Result<std::vector<std::optional<int64_t>>> {
        std::vector<std::optional<int64_t>> out;
        for (const char* name : {"a", "b", "a", "c"}) {
            ASSIGN_OR_RETURN(auto id, s.InsertId(sql, {name, 7}));
            out.push_back(id);
        }
        return out;
    });
    ASSERT_TRUE(ids.ok()) << ids.error().message;
    ASSERT_EQ(ids->size(), 4u);
    EXPECT_FALSE((*ids)[2].has_value()) << "a duplicate name inserted nothing";
    Rows rows = MustRead("SELECT id, name FROM items ORDER BY name");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ((*ids)[0], std::optional<int64_t>(rows[0].Int(0)));
    EXPECT_EQ((*ids)[1], std::optional<int64_t>(rows[1].Int(0)));
    EXPECT_EQ((*ids)[3], std::optional<int64_t>(rows[2].Int(0)));
    EXPECT_NE((*ids)[0], (*ids)[1]);

    // A failed insert (NOT NULL) is an error, not an id.
    auto bad = db_->WriteValue(
        [](Session& s) { return s.InsertId("INSERT INTO items (name) VALUES (?)", {Value()}); });
    EXPECT_FALSE(bad.ok());
}

TEST_P(DatabaseTest, ManyConcurrentWritesAllLandExactlyOnce) {
    CreateItems();
    constexpr int kThreads = 8;
    constexpr int kPerThread = 500;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                Status s = db_->Write([&](Session& session) -> Status {
                    RETURN_IF_ERROR(session.Exec("INSERT INTO items (name, n) VALUES (?, ?)",
                                                 {std::to_string(t) + "-" + std::to_string(i), t}));
                    return Ok();
                });
                if (!s.ok()) ++failures;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    Rows rows = MustRead("SELECT COUNT(*), COUNT(DISTINCT name) FROM items");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].Int(0), kThreads * kPerThread);
    EXPECT_EQ(rows[0].Int(1), kThreads * kPerThread);
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(Count("n = ?", {t}), kPerThread);
}

// WriteAsync: each write's `done` runs once, after its commit (the row is readable then), with
// the write's own outcome; a failing write rolls back alone; after Close, `done` gets an error.
TEST_P(DatabaseTest, WriteAsyncAnswersEachWriteOnceAfterItsCommit) {
    CreateItems();
    constexpr int kWrites = 300;
    std::mutex mu;
    std::condition_variable cv;
    int answered = 0;
    int failed = 0;
    std::vector<int> calls(kWrites, 0);
    for (int i = 0; i < kWrites; ++i) {
        const std::string name = i % 10 == 9 ? "dup" : "async-" + std::to_string(i);
        db_->WriteAsync(
            [name](Session& s) -> Status {
                RETURN_IF_ERROR(s.Exec("INSERT INTO items (name, n) VALUES (?, 1)", {name}));
                return Ok();
            },
            [&, i](Status status) {
                std::lock_guard lock(mu);
                ++calls[static_cast<size_t>(i)];
                if (!status.ok()) ++failed;
                ++answered;
                cv.notify_all();
            });
    }
    {
        std::unique_lock lock(mu);
        ASSERT_TRUE(
            cv.wait_for(lock, std::chrono::seconds(30), [&] { return answered == kWrites; }));
    }
    for (int c : calls) EXPECT_EQ(c, 1);
    // 30 writes named "dup": the first lands, the 29 others fail on UNIQUE and roll back alone.
    EXPECT_EQ(failed, 29);
    EXPECT_EQ(Count(), kWrites - 29);

    // `done` runs after the commit: what it sees is readable from another connection.
    std::promise<int64_t> visible;
    db_->WriteAsync(
        [](Session& s) -> Status {
            RETURN_IF_ERROR(s.Exec("INSERT INTO items (name) VALUES ('late')"));
            return Ok();
        },
        [&](Status status) {
            EXPECT_TRUE(status.ok());
            std::thread([&] { visible.set_value(Count("name = 'late'")); }).detach();
        });
    EXPECT_EQ(visible.get_future().get(), 1);

    db_->Close();
    std::promise<Status> closed;
    db_->WriteAsync([](Session&) -> Status { return Ok(); },
                    [&](Status status) { closed.set_value(std::move(status)); });
    EXPECT_FALSE(closed.get_future().get().ok());
}

// A WriteGroup that inserts its writes' names one by one with n = 2 (a write alone inserts
// n = 1), and records the size of every run it was given.
struct NamedWrite : GroupedWrite {
    std::string name;
};
class InsertTogether : public WriteGroup {
public:
    Status ApplyTogether(Session& s, std::span<GroupedWrite* const> writes) const override {
        {
            std::lock_guard lock(mu_);
            runs_.push_back(writes.size());
        }
        for (GroupedWrite* w : writes) {
            RETURN_IF_ERROR(s.Exec("INSERT INTO items (name, n) VALUES (?, 2)",
                                   {static_cast<NamedWrite*>(w)->name}));
        }
        return Ok();
    }
    std::vector<size_t> runs() const {
        std::lock_guard lock(mu_);
        return runs_;
    }

private:
    mutable std::mutex mu_;
    mutable std::vector<size_t> runs_;
};

// A group applies together all of its writes that one batch holds, whatever was queued between
// them (GatherGroups); a group that fails is rolled back whole (what it wrote before failing
// too) and its writes run one by one through their own work, each answered with its own outcome.
TEST_P(DatabaseTest, WriteGroupsApplyABatchsWritesTogetherAndHandFailuresBackOneByOne) {
    CreateItems();
    // One writer, so that everything queued behind the blocking write is one batch.
    auto opened = Open({.url = url_, .writers = 1});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    std::unique_ptr<Database> db = std::move(*opened);
    InsertTogether group;
    std::mutex mu;
    std::condition_variable cv;
    std::map<std::string, std::vector<bool>> outcomes;
    std::vector<std::string> order;  // of the writes run alone
    int answered = 0;
    auto queue = [&](const std::string& name, bool grouped) {
        auto write = std::make_shared<NamedWrite>();
        write->name = name;
        db->WriteAsync(
            [&, name](Session& s) -> Status {
                {
                    std::lock_guard lock(mu);
                    order.push_back(name);
                }
                RETURN_IF_ERROR(s.Exec("INSERT INTO items (name, n) VALUES (?, 1)", {name}));
                return Ok();
            },
            [&, name](Status status) {
                std::lock_guard lock(mu);
                outcomes[name].push_back(status.ok());
                ++answered;
                cv.notify_all();
            },
            grouped ? &group : nullptr, grouped ? write : nullptr);
    };
    // Holds the writer until everything after it is queued: then it takes them as one batch.
    auto batch = [&](const std::function<void()>& queue_all) {
        // The write outlives this call (it returns as the writer goes on): it owns what it uses.
        auto release = std::make_shared<std::promise<void>>();
        std::shared_future<void> released = release->get_future().share();
        auto blocking = std::make_shared<std::promise<void>>();
        std::future<void> blocked = blocking->get_future();
        db->WriteAsync(
            [blocking, released](Session&) -> Status {
                blocking->set_value();
                released.wait();
                return Ok();
            },
            [](Status) {});
        blocked.wait();
        queue_all();
        release->set_value();
    };
    auto wait_for = [&](int n) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, std::chrono::seconds(30), [&] { return answered == n; });
    };

    // Plain writes between the group's: one run of all ten, the plain ones first.
    batch([&] {
        for (int i = 0; i < 10; ++i) {
            queue("g" + std::to_string(i), true);
            if (i == 3) queue("plain", false);
            if (i == 6) queue("plain2", false);
        }
    });
    ASSERT_TRUE(wait_for(12));
    EXPECT_EQ(group.runs(), (std::vector<size_t>{10}));
    EXPECT_EQ(order, (std::vector<std::string>{"plain", "plain2"}));
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(Count("name = ? AND n = 2", {"g" + std::to_string(i)}), 1) << i;
    }

    // h2 takes g3's name: the group of h0..h4 fails at its third insert, and each runs alone,
    // in queue order.
    order.clear();
    batch([&] {
        for (int i = 0; i < 5; ++i) queue(i == 2 ? "g3" : "h" + std::to_string(i), true);
        queue("plain3", false);
    });
    ASSERT_TRUE(wait_for(18));
    // A group's only write in a batch is a write alone.
    batch([&] { queue("single", true); });
    ASSERT_TRUE(wait_for(19));
    db->Close();

    EXPECT_EQ(group.runs(), (std::vector<size_t>{10, 5}));
    EXPECT_EQ(order, (std::vector<std::string>{"plain3", "h0", "h1", "g3", "h3", "h4", "single"}));
    for (const auto& [name, done] : outcomes) {
        EXPECT_EQ(done.size(), name == "g3" ? 2u : 1u) << name;
    }
    EXPECT_EQ(outcomes["g3"], (std::vector<bool>{true, false}));
    // The failed group's first two inserts were rolled back; each write then ran alone.
    for (const char* name : {"h0", "h1", "h3", "h4", "plain", "plain2", "plain3", "single"}) {
        EXPECT_TRUE(outcomes[name] == std::vector<bool>{true}) << name;
        EXPECT_EQ(Count("name = ? AND n = 1", {name}), 1) << name;
    }
    EXPECT_EQ(Count(), 18);
}

// PostgreSQL: the first writer takes writes as they come; a standby takes a batch only from a
// backlog. So while a long write holds the first writer, a few writes wait for it, and once
// `standby_backlog` wait, the standby writes them.
TEST_P(DatabaseTest, PostgresStandbyWriterTakesOnlyABacklog) {
    if (GetParam() != Driver::kPostgres) GTEST_SKIP() << "one writer on SQLite";
    CreateItems();
    auto opened = Open({.url = url_, .writers = 2, .standby_backlog = 3});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    std::unique_ptr<Database> db = std::move(*opened);
    auto release = std::make_shared<std::promise<void>>();
    std::shared_future<void> released = release->get_future().share();
    auto blocking = std::make_shared<std::promise<int>>();
    std::future<int> blocked = blocking->get_future();
    db->WriteAsync(
        [blocking, released](Session& s) -> Status {
            blocking->set_value(s.connection_slot());
            released.wait();
            return Ok();
        },
        [](Status) {});
    // The writers' numbers are claimed on the server (the fixture's database holds some).
    const int first = blocked.get();

    std::mutex mu;
    std::condition_variable cv;
    std::vector<int> slots;
    auto queue = [&](const std::string& name) {
        db->WriteAsync(
            [&, name](Session& s) -> Status {
                RETURN_IF_ERROR(s.Exec("INSERT INTO items (name) VALUES (?)", {name}));
                std::lock_guard lock(mu);
                slots.push_back(s.connection_slot());
                return Ok();
            },
            [&](Status status) {
                EXPECT_TRUE(status.ok());
                cv.notify_all();
            });
    };
    queue("a");
    queue("b");
    // Two waiting are no backlog: the standby leaves them (given time to take them wrongly).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    {
        std::lock_guard lock(mu);
        EXPECT_TRUE(slots.empty()) << "the standby took writes below its backlog";
    }
    queue("c");
    {
        std::unique_lock lock(mu);
        EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return slots.size() == 3; }))
            << "a backlog was left waiting for the held writer";
        ASSERT_EQ(slots.size(), 3u);
        EXPECT_NE(slots[0], first) << "the held writer wrote them";
        EXPECT_EQ(slots, std::vector<int>(3, slots[0])) << "not one batch of the standby";
    }
    release->set_value();
    db->Close();
    EXPECT_EQ(Count(), 3);
}

TEST_P(DatabaseTest, CloseIsIdempotentAndRefusesLaterWork) {
    CreateItems();
    MustWrite("INSERT INTO items (name) VALUES (?)", {"kept"});
    db_->Close();
    db_->Close();
    Status write = db_->Write([](Session&) -> Status { return Ok(); });
    EXPECT_FALSE(write.ok());
    Status read = db_->Read([](Session&) -> Status { return Ok(); });
    EXPECT_FALSE(read.ok());

    auto reopened = Open({.url = url_});
    ASSERT_TRUE(reopened.ok()) << reopened.error().message;
    db_ = std::move(*reopened);
    EXPECT_EQ(Count("name = 'kept'"), 1);
}

TEST_P(DatabaseTest, BackupCopiesSqliteAndPointsPostgresAtPgDump) {
    CreateItems();
    MustWrite("INSERT INTO items (name) VALUES (?)", {"backed up"});
    if (GetParam() == Driver::kPostgres) {
        Status s = db_->Backup("/tmp/x.dump");
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.error().code, ErrorCode::kFailedPrecondition);
        EXPECT_NE(s.error().message.find("pg_dump --format=custom --file=/tmp/x.dump"),
                  std::string::npos)
            << s.error().message;
        return;
    }
    const std::string copy = (dir_ / "backup" / "copy.db").string();
    Status s = db_->Backup(copy);
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto opened = Open({.url = "sqlite:" + copy});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    auto rows = (*opened)->ReadValue(
        [](Session& session) { return session.Query("SELECT name FROM items"); });
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].Text(0), "backed up");
}

// PostgreSQL only: connections dropped by the server (restart, pg_terminate_backend) are
// reopened before the next transaction, without the caller seeing an error.
TEST_P(DatabaseTest, ReconnectsAfterTheServerDropsConnections) {
    if (GetParam() != Driver::kPostgres) GTEST_SKIP() << "PostgreSQL only";
    CreateItems();
    MustWrite("INSERT INTO items (name) VALUES (?)", {"before"});
    auto killed = db_->ReadValue([](Session& s) {
        return s.Query(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    });
    ASSERT_TRUE(killed.ok()) << killed.error().message;
    EXPECT_GE((*killed)[0].Int(0), 1);
    // Wait until the terminated backends are gone, so that no transaction starts on one that is
    // still dying.
    for (int i = 0; i < 100; ++i) {
        auto left = db_->ReadValue([](Session& s) {
            return s.Query(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()");
        });
        ASSERT_TRUE(left.ok()) << left.error().message;
        if ((*left)[0].Int(0) == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (int i = 0; i < 8; ++i) {
        MustWrite("INSERT INTO items (name) VALUES (?)", {"after" + std::to_string(i)});
        EXPECT_EQ(Count(), 2 + i);
    }
}

// PostgreSQL only (SQLite runs just the first statement): parameterless SQL holding several
// statements runs whole, inside the write's transaction.
TEST_P(DatabaseTest, SeveralStatementsInOneExecOnPostgres) {
    if (GetParam() != Driver::kPostgres) GTEST_SKIP() << "PostgreSQL only";
    CreateItems();
    const std::string two =
        "INSERT INTO items (name) VALUES ('a; b'); INSERT INTO items (name) VALUES ('c')";
    for (int i = 0; i < 2; ++i) {
        Status s = db_->Write([&](Session& session) -> Status {
            RETURN_IF_ERROR(session.Exec("DELETE FROM items"));
            RETURN_IF_ERROR(session.Exec(two));
            RETURN_IF_ERROR(session.Exec("INSERT INTO items (name) VALUES (?)", {"d"}));
            return Ok();
        });
        ASSERT_TRUE(s.ok()) << s.error().message;
        EXPECT_EQ(Count(), 3);
    }
    Status failed = db_->Write([&](Session& session) -> Status {
        RETURN_IF_ERROR(session.Exec("DELETE FROM items WHERE name = 'd'"));
        RETURN_IF_ERROR(session.Exec(two));
        return Ok();
    });
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(Count(), 3);
}

// The writer numbers (Session::connection_slot) that `db`'s writes ran under, from 64 writes
// queued at once.
std::set<int> WriterNumbers(Database& db) {
    std::mutex mu;
    std::condition_variable cv;
    std::set<int> seen;
    int left = 64;
    for (int i = 0; i < 64; ++i) {
        db.WriteAsync(
            [&](Session& s) -> Status {
                std::lock_guard lock(mu);
                seen.insert(s.connection_slot());
                return Ok();
            },
            [&](Status written) {
                std::lock_guard lock(mu);
                EXPECT_TRUE(written.ok()) << written.error().message;
                if (--left == 0) cv.notify_all();
            });
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return left == 0; });
    return seen;
}

// PostgreSQL: servers sharing a database each claim writer numbers of their own, so that their
// writers never wait for one another on the same audit chain row. SQLite has one writer: 0.
TEST_P(DatabaseTest, ServersSharingADatabaseUseWriterNumbersOfTheirOwn) {
    if (GetParam() == Driver::kSqlite) {
        EXPECT_EQ(WriterNumbers(*db_), std::set<int>{0});
        return;
    }
    // db_ (4 writers) came first, on a new database: it holds 0 to 3.
    auto second = Open({.url = url_, .readers = 1, .writers = 2});
    ASSERT_TRUE(second.ok()) << second.error().message;
    const std::set<int> first_numbers = WriterNumbers(*db_);
    const std::set<int> second_numbers = WriterNumbers(**second);
    ASSERT_FALSE(first_numbers.empty());
    ASSERT_FALSE(second_numbers.empty());
    for (int n : first_numbers) EXPECT_TRUE(n >= 0 && n < 4) << n;
    for (int n : second_numbers) EXPECT_TRUE(n == 4 || n == 5) << n;
    (*second)->Close();
}

// A batch runs its statements in order (one round trip on PostgreSQL) and hands each `then`
// its own outcome: rows, or the count of rows changed. The same new text twice in one batch is
// prepared once, and a blob parameter types its statement apart from the same text with text.
TEST_P(DatabaseTest, ABatchRunsInOrderAndHandsEachStatementItsOutcome) {
    CreateItems();
    std::vector<std::string> seen;
    auto run = [&](int round) {
        return db_->Write([&](Session& s) -> Status {
            Batch batch;
            const std::string a = "a" + std::to_string(round);
            const std::string b = "b" + std::to_string(round);
            batch.Add("INSERT INTO items (name, n) VALUES (?, ?) RETURNING name", {a, 1},
                      [&](Outcome& o) -> Status {
                          seen.push_back("inserted " + o.rows[0].Text(0));
                          return Ok();
                      });
            batch.Add("INSERT INTO items (name, n) VALUES (?, ?) RETURNING name", {b, 2},
                      [&](Outcome& o) -> Status {
                          seen.push_back("inserted " + o.rows[0].Text(0));
                          return Ok();
                      });
            batch.Add("UPDATE items SET n = n + 10, b = ? WHERE name IN (?, ?)",
                      {Blob{std::string("\0x", 2)}, a, b}, [&](Outcome& o) -> Status {
                          seen.push_back("changed " + std::to_string(o.changed));
                          return Ok();
                      });
            batch.Add("UPDATE items SET n = n + 10, b = ? WHERE name IN (?, ?)", {"text", a, "-"},
                      [&](Outcome& o) -> Status {
                          seen.push_back("changed " + std::to_string(o.changed));
                          return Ok();
                      });
            batch.Add("SELECT name, n FROM items WHERE name IN (?, ?) ORDER BY name", {a, b},
                      [&](Outcome& o) -> Status {
                          for (const Row& r : o.rows) {
                              seen.push_back(r.Text(0) + "=" + std::to_string(r.Int(1)));
                          }
                          return Ok();
                      });
            EXPECT_EQ(batch.size(), 5u);
            RETURN_IF_ERROR(batch.Run(s));
            EXPECT_TRUE(batch.empty());
            return Ok();
        });
    };
    // The second round finds every statement prepared already.
    for (int round = 0; round < 2; ++round) {
        seen.clear();
        Status s = run(round);
        ASSERT_TRUE(s.ok()) << s.error().message;
        const std::string r = std::to_string(round);
        EXPECT_EQ(seen, (std::vector<std::string>{"inserted a" + r, "inserted b" + r, "changed 2",
                                                  "changed 1", "a" + r + "=21", "b" + r + "=12"}));
    }
    EXPECT_EQ(Count(), 4);
    Rows blobs = MustRead("SELECT b FROM items WHERE name = 'b0'");
    ASSERT_EQ(blobs.size(), 1u);
    ASSERT_TRUE(blobs[0][0].is_blob());
    EXPECT_EQ(std::get<Blob>(blobs[0][0].variant()).bytes, std::string("\0x", 2));
    Batch empty;
    Status nothing = db_->Write([&](Session& s) { return empty.Run(s); });
    EXPECT_TRUE(nothing.ok());
}

// A statement that fails stops the batch: no `then` runs, the write rolls back whole, and the
// statements after it never ran, so a text first seen after the failure is prepared when it
// is next used rather than taken for prepared. A failing `then` stops the later ones.
TEST_P(DatabaseTest, AFailingStatementOrThenStopsTheBatch) {
    CreateItems();
    // One writer, so that the statement after the failure is next used on the same connection.
    db_->Close();
    auto reopened = Open({.url = url_, .writers = 1});
    ASSERT_TRUE(reopened.ok()) << reopened.error().message;
    db_ = std::move(*reopened);
    MustWrite("INSERT INTO items (name) VALUES (?)", {"dup"});
    int thens = 0;
    auto count = [&](Outcome&) -> Status {
        ++thens;
        return Ok();
    };
    Status failed = db_->Write([&](Session& s) -> Status {
        Batch batch;
        batch.Add("INSERT INTO items (name, n) VALUES (?, ?)", {"x", 1}, count);
        batch.Add("INSERT INTO items (name, n) VALUES (?, ?)", {"dup", 2}, count);
        batch.Add("SELECT COUNT(*) FROM items WHERE n >= ?", {0}, count);
        return batch.Run(s);
    });
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::kAlreadyExists) << failed.error().message;
    EXPECT_EQ(thens, 0);
    EXPECT_EQ(Count(), 1);
    auto later = db_->WriteValue(
        [](Session& s) { return s.QueryOne("SELECT COUNT(*) FROM items WHERE n >= ?", {0}); });
    ASSERT_TRUE(later.ok()) << later.error().message;
    ASSERT_TRUE(later->has_value());
    EXPECT_EQ((*later)->Int(0), 0);

    Status refused = db_->Write([&](Session& s) -> Status {
        Batch batch;
        batch.Add("INSERT INTO items (name, n) VALUES (?, ?)", {"y", 1},
                  [](Outcome&) -> Status { return Unavailable("lost a race"); });
        batch.Add("INSERT INTO items (name, n) VALUES (?, ?)", {"z", 1}, count);
        return batch.Run(s);
    });
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(thens, 0);
    EXPECT_EQ(Count(), 1);

    // Several statements in one text cannot join a batch.
    Status several = db_->Write([&](Session& s) -> Status {
        Batch batch;
        batch.Add("SELECT 1; SELECT 2", {}, count);
        batch.Add("SELECT 3", {}, count);
        return batch.Run(s);
    });
    EXPECT_FALSE(several.ok());
    EXPECT_EQ(thens, 0);
}

INSTANTIATE_TEST_SUITE_P(Drivers, DatabaseTest,
                         ::testing::Values(Driver::kSqlite, Driver::kPostgres), DriverName);

// The WAL stays bounded although SQLite's own automatic checkpoint is off (the writer's WAL
// hook replaces it): 600 commits of a page and more each would leave a WAL of over 600 pages.
TEST(SqliteCheckpointTest, WalStaysBoundedByTheWriterThreshold) {
    std::random_device random;
    const auto dir = std::filesystem::temp_directory_path() /
                     ("bulwark_db_wal_" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(dir);
    const auto path = dir / "wal.db";
    {
        auto db = Open({.url = "sqlite:" + path.string(),
                        .wal_background_checkpoint_pages = 20,
                        .wal_writer_checkpoint_pages = 100});
        ASSERT_TRUE(db.ok()) << db.error().message;
        Status made = (*db)->Write([](Session& s) -> Status {
            RETURN_IF_ERROR(s.Exec(TranslateDdl(kItemsTable, Dialect::kSqlite)));
            return Ok();
        });
        ASSERT_TRUE(made.ok()) << made.error().message;
        const std::string blob(5000, 'x');
        for (int i = 0; i < 600; ++i) {
            Status s = (*db)->Write([&](Session& session) -> Status {
                RETURN_IF_ERROR(session.Exec("INSERT INTO items (name, b) VALUES (?, ?)",
                                             {"item-" + std::to_string(i), Blob{blob}}));
                return Ok();
            });
            ASSERT_TRUE(s.ok()) << s.error().message;
        }
        const auto wal = std::filesystem::file_size(path.string() + "-wal");
        EXPECT_LT(wal, 200u * (4096 + 24)) << "the WAL grew past the writer's checkpoint";
        auto count = (*db)->ReadValue([](Session& s) -> Result<int64_t> {
            ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT COUNT(*) FROM items"));
            return row->Int(0);
        });
        ASSERT_TRUE(count.ok());
        EXPECT_EQ(*count, 600);
        (*db)->Close();
    }
    // Everything is there when the file is opened again.
    auto again = Open({.url = "sqlite:" + path.string()});
    ASSERT_TRUE(again.ok());
    auto count = (*again)->ReadValue([](Session& s) -> Result<int64_t> {
        ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT COUNT(*) FROM items"));
        return row->Int(0);
    });
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, 600);
    (*again)->Close();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

// A SQLite database in a fresh folder whose WAL syncs go through `sync`.
class SqliteSyncTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device random;
        dir_ = std::filesystem::temp_directory_path() /
               ("bulwark_db_sync_" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(dir_);
        auto db = Open({.url = "sqlite:" + (dir_ / "sync.db").string(),
                        .sync_wal = [this](const std::string& wal) { return Sync(wal); }});
        ASSERT_TRUE(db.ok()) << db.error().message;
        db_ = std::move(*db);
        Status made = db_->Write([](Session& s) -> Status {
            RETURN_IF_ERROR(s.Exec(TranslateDdl(kItemsTable, Dialect::kSqlite)));
            return Ok();
        });
        ASSERT_TRUE(made.ok()) << made.error().message;
    }
    void TearDown() override {
        Release();
        if (db_) db_->Close();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    // Syncs wait while held, then answer `outcome_`.
    Status Sync(const std::string& wal) {
        char name[16] = {};
        pthread_getname_np(pthread_self(), name, sizeof name);
        std::unique_lock lock(mu_);
        ++syncs_;
        wal_seen_ = wal;
        synced_on_.emplace_back(name);
        cv_.notify_all();
        cv_.wait(lock, [&] { return open_; });
        return outcome_;
    }
    void Hold() {
        std::lock_guard lock(mu_);
        open_ = false;
    }
    void Release(Status outcome = Ok()) {
        std::lock_guard lock(mu_);
        open_ = true;
        outcome_ = std::move(outcome);
        cv_.notify_all();
    }
    // Waits until more than `n` syncs have begun.
    bool SyncBegunAfter(int n) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return syncs_ > n; });
    }
    int Syncs() {
        std::lock_guard lock(mu_);
        return syncs_;
    }
    std::future<Status> Insert(const std::string& name) {
        return std::async(std::launch::async, [this, name] {
            return db_->Write([&](Session& s) -> Status {
                RETURN_IF_ERROR(s.Exec("INSERT INTO items (name) VALUES (?)", {name}));
                return Ok();
            });
        });
    }
    std::future<Result<int64_t>> CountLater() {
        return std::async(std::launch::async, [this] {
            return db_->ReadValue([](Session& s) -> Result<int64_t> {
                ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT COUNT(*) FROM items"));
                return row->Int(0);
            });
        });
    }

    std::filesystem::path dir_;
    std::unique_ptr<Database> db_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool open_ = true;
    Status outcome_ = Ok();
    int syncs_ = 0;
    std::string wal_seen_;
    std::vector<std::string> synced_on_;  // the thread of each sync
};

constexpr auto kAWhile = std::chrono::milliseconds(200);

// The commit is in the WAL before the sync begins, but neither its writer nor any reader hears
// of it until the sync has returned.
TEST_F(SqliteSyncTest, AWriteAndReadsOfItWaitForTheSyncAfterItsCommit) {
    EXPECT_EQ(wal_seen_, (dir_ / "sync.db").string() + "-wal");
    Hold();
    const int before = Syncs();
    std::future<Status> written = Insert("a");
    ASSERT_TRUE(SyncBegunAfter(before));
    EXPECT_EQ(written.wait_for(kAWhile), std::future_status::timeout)
        << "a write was answered before its sync returned";
    std::future<Result<int64_t>> counted = CountLater();
    EXPECT_EQ(counted.wait_for(kAWhile), std::future_status::timeout)
        << "a read returned a commit not yet synced";
    Release();
    ASSERT_TRUE(written.get().ok());
    auto count = counted.get();
    ASSERT_TRUE(count.ok()) << count.error().message;
    EXPECT_EQ(*count, 1);
    // With nothing committed since the last sync, a read does not wait.
    Hold();
    std::future<Result<int64_t>> again = CountLater();
    EXPECT_EQ(again.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    Release();
}

// A write with nothing queued behind it is synced by the writer itself (no hand-over to the
// sync thread and back); with writes waiting, the sync thread syncs and the writer goes on.
TEST_F(SqliteSyncTest, ALoneWriteIsSyncedByTheWriterAndOneWithWritesWaitingByTheSyncThread) {
    const int before = Syncs();
    ASSERT_TRUE(Insert("alone").get().ok());
    ASSERT_EQ(Syncs(), before + 1);
    EXPECT_EQ(synced_on_.back(), "sqlite-writer");

    std::promise<Status> queued;
    Status first = db_->Write([&](Session& s) -> Status {
        RETURN_IF_ERROR(s.Exec("INSERT INTO items (name) VALUES ('first')"));
        // Queued before this write's commit: the writer has work to go on with.
        db_->WriteAsync(
            [](Session& s2) -> Status {
                RETURN_IF_ERROR(s2.Exec("INSERT INTO items (name) VALUES ('queued')"));
                return Ok();
            },
            [&](Status status) { queued.set_value(std::move(status)); });
        return Ok();
    });
    ASSERT_TRUE(first.ok());
    EXPECT_TRUE(queued.get_future().get().ok());
    ASSERT_GE(synced_on_.size(), static_cast<size_t>(before + 2));
    EXPECT_EQ(synced_on_[static_cast<size_t>(before + 1)], "sqlite-sync");
}

// The writer does not wait for the disk: the writes arriving while the sync thread syncs are
// run at once, in a transaction it commits when the sync thread is free, so that one commit
// and one sync carry all of them.
TEST_F(SqliteSyncTest, WritesArrivingDuringASyncShareTheNextCommit) {
    Hold();
    const int before = Syncs();
    std::atomic<int> ran{0};
    std::vector<std::promise<Status>> answers(20);
    std::future<Status> first = std::async(std::launch::async, [&] {
        return db_->Write([&](Session& s) -> Status {
            RETURN_IF_ERROR(s.Exec("INSERT INTO items (name) VALUES ('first')"));
            // Queued before this commit, so that the sync thread takes its sync.
            for (int i = 0; i < 20; ++i) {
                db_->WriteAsync(
                    [i, &ran](Session& s2) -> Status {
                        RETURN_IF_ERROR(s2.Exec("INSERT INTO items (name) VALUES (?)",
                                                {"later-" + std::to_string(i)}));
                        ++ran;
                        return Ok();
                    },
                    [&answers, i](Status status) {
                        answers[static_cast<size_t>(i)].set_value(std::move(status));
                    });
            }
            return Ok();
        });
    });
    ASSERT_TRUE(SyncBegunAfter(before));
    std::vector<std::future<Status>> later;
    for (auto& answer : answers) later.push_back(answer.get_future());
    for (int tries = 0; tries < 1000 && ran.load() < 20; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(ran.load(), 20) << "the writer waited for the sync";
    // Not committed yet: another connection sees only the first write.
    sqlite3* side = nullptr;
    ASSERT_EQ(sqlite3_open_v2((dir_ / "sync.db").c_str(), &side, SQLITE_OPEN_READONLY, nullptr),
              SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(side, "SELECT COUNT(*) FROM items", -1, &stmt, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int64(stmt, 0), 1);
    sqlite3_finalize(stmt);
    sqlite3_close_v2(side);
    EXPECT_EQ(first.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
    for (auto& w : later) {
        EXPECT_EQ(w.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
    }
    EXPECT_EQ(Syncs(), before + 1);
    Release();
    EXPECT_TRUE(first.get().ok());
    for (auto& w : later) EXPECT_TRUE(w.get().ok());
    EXPECT_EQ(Syncs(), before + 2) << "one commit and one sync for the 20";
}

// A sync that fails fails the writes it was to make durable; they are committed, so a retry
// of such a write finds what it wrote (as a retried scan finds its key).
TEST_F(SqliteSyncTest, AFailedSyncFailsTheWritesItCovered) {
    Release(Unavailable("disk gone"));
    Status written = Insert("lost?").get();
    ASSERT_FALSE(written.ok());
    EXPECT_EQ(written.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(written.error().message.find("disk gone"), std::string::npos);
    Release();
    Status again = Insert("lost?").get();
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

TEST(PostgresSqlTest, RewritesPlaceholdersOutsideLiteralsAndComments) {
    PostgresSql sql = RewritePlaceholders(
        "SELECT ?, '?''?', E'\\'?', \"a?\"\"b\", $$?$$, $tag$ ? $tag$, a$b -- ?\n"
        "FROM t /* ? /* ? */ ? */ WHERE x = ?");
    EXPECT_EQ(sql.text,
              "SELECT $1, '?''?', E'\\'?', \"a?\"\"b\", $$?$$, $tag$ ? $tag$, a$b -- ?\n"
              "FROM t /* ? /* ? */ ? */ WHERE x = $2");
    EXPECT_EQ(sql.params, 2);
    EXPECT_EQ(sql.statements, 1);
}

TEST(PostgresSqlTest, CountsStatements) {
    EXPECT_EQ(RewritePlaceholders("SELECT 1;").statements, 1);
    EXPECT_EQ(RewritePlaceholders("SELECT 1; -- done\n").statements, 1);
    EXPECT_EQ(RewritePlaceholders("SELECT ';'; SELECT 2").statements, 2);
    EXPECT_EQ(RewritePlaceholders("  ").statements, 0);
}

TEST(PostgresOpenTest, UnreachableServerIsUnavailable) {
    auto db = Open({.url = "postgresql://postgres:secret@127.0.0.1:1/postgres"});
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(db.error().message.find("secret"), std::string::npos) << db.error().message;
}

TEST(PostgresSqlTest, RedactsPasswords) {
    EXPECT_EQ(
        RedactPostgresUrl("postgresql://bulwark:s3cret@db.local:5432/bulwark?sslmode=require"),
        "postgresql://bulwark@db.local:5432/bulwark?sslmode=require");
    EXPECT_EQ(RedactPostgresUrl("postgres://u@h/d?password=x&application_name=b"),
              "postgres://u@h/d?application_name=b");
    EXPECT_EQ(RedactPostgresUrl("postgresql://h?password=x"), "postgresql://h");
    EXPECT_EQ(RedactPostgresUrl("postgresql://postgres@127.0.0.1:55432/postgres"),
              "postgresql://postgres@127.0.0.1:55432/postgres");
}

}  // namespace
}  // namespace bulwark::db
