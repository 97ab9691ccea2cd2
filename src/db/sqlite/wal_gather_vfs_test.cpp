#include "db/sqlite/wal_gather_vfs.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

namespace bulwark::db::sqlite {
namespace {

// A row's text: `size` copies of a letter chosen by its id, so that a reader can check every
// byte it was given (see kWrongRows).
std::string TextOf(int64_t id, int size) {
    return std::string(static_cast<size_t>(size), static_cast<char>('A' + id % 26));
}
constexpr const char* kWrongRows =
    "SELECT COUNT(*) FROM t WHERE v <> substr(replace(hex(zeroblob(length(v))), '0',"
    " char(65 + id % 26)), 1, length(v))";
// The same for the newest rows only (the last commit's at least): quick enough to run often.
const std::string kWrongNewRows = std::string(kWrongRows) + " AND id > (SELECT MAX(id) - 8 FROM t)";

class WalGatherTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device random;
        dir_ = std::filesystem::temp_directory_path() /
               ("bulwark_wal_gather_" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "g.db").string();
    }
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    // A connection through the gathering VFS (or SQLite's default), in WAL mode. With
    // synchronous=OFF nothing but the VFS itself writes gathered bytes out at a commit.
    static sqlite3* OpenAt(const std::string& path, bool gathering) {
        sqlite3* db = nullptr;
        int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                 gathering ? WalGatheringVfs() : nullptr);
        EXPECT_EQ(rc, SQLITE_OK);
        sqlite3_busy_timeout(db, 10000);
        Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA wal_autocheckpoint=0");
        return db;
    }
    sqlite3* Open(bool gathering) const { return OpenAt(path_, gathering); }

    static void Exec(sqlite3* db, const std::string& sql) {
        char* err = nullptr;
        int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
        EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "") << " in " << sql;
        sqlite3_free(err);
    }
    // The one integer `sql` reads, or -1 after an error (its message in `error`).
    static int64_t Value(sqlite3* db, const char* sql, std::string* error = nullptr) {
        sqlite3_stmt* stmt = nullptr;
        int64_t out = -1;
        if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK) {
            if (sqlite3_step(stmt) == SQLITE_ROW) out = sqlite3_column_int64(stmt, 0);
        }
        if (out < 0 && error != nullptr) *error = sqlite3_errmsg(db);
        sqlite3_finalize(stmt);
        return out;
    }
    static void Insert(sqlite3* db, int64_t id, int size) {
        sqlite3_stmt* stmt = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO t (id, v) VALUES (?, ?)", -1, &stmt, nullptr),
                  SQLITE_OK);
        const std::string text = TextOf(id, size);
        sqlite3_bind_int64(stmt, 1, id);
        sqlite3_bind_text(stmt, 2, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(db);
        sqlite3_finalize(stmt);
    }

    std::filesystem::path dir_;
    std::string path_;
};

// Every commit is in the log file before any other connection can see it: a reader on
// SQLite's default VFS, reading as fast as it can while the writer commits, only ever finds
// whole rows, and after each commit finds all of them.
TEST_F(WalGatherTest, ACommitIsInTheFileBeforeAnotherConnectionSeesIt) {
    sqlite3* writer = Open(true);
    Exec(writer, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    std::atomic<bool> done{false};
    std::atomic<int> reads{0};
    std::string reader_error;
    std::thread reader([&] {
        sqlite3* side = Open(false);
        while (!done.load() && reader_error.empty()) {
            std::string error;
            if (Value(side, kWrongNewRows.c_str(), &error) != 0) {
                reader_error = error.empty() ? "a row with wrong bytes" : error;
            }
            ++reads;
        }
        sqlite3_close_v2(side);
    });
    sqlite3* after = Open(false);
    std::mt19937 random(7);
    int64_t rows = 0;
    for (int commit = 0; commit < 1000 && reader_error.empty(); ++commit) {
        Exec(writer, "BEGIN");
        const int count = 1 + static_cast<int>(random() % 4);
        for (int i = 0; i < count; ++i)
            Insert(writer, ++rows, 1 + static_cast<int>(random() % 9000));
        Exec(writer, "COMMIT");
        if (Value(after, "SELECT COUNT(*) FROM t") != rows) {
            ADD_FAILURE() << "commit " << commit << " is not all there";
            break;
        }
    }
    done = true;
    reader.join();
    EXPECT_EQ(reader_error, "");
    EXPECT_GT(reads.load(), 100);
    EXPECT_EQ(Value(after, kWrongRows), 0);
    sqlite3_close_v2(after);
    sqlite3_close_v2(writer);
}

// A transaction larger than SQLite's page cache spills frames to the log before its commit,
// more than the VFS gathers at once and in more bytes than one write takes; rolled back, then
// done again and committed, the file holds exactly the second, whole.
TEST_F(WalGatherTest, ATransactionThatSpillsRollsBackAndCommitsWhole) {
    sqlite3* writer = Open(true);
    Exec(writer, "PRAGMA cache_size=20");
    Exec(writer, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    Exec(writer, "BEGIN");
    for (int64_t id = 1; id <= 600; ++id) Insert(writer, id, 5000);
    Exec(writer, "ROLLBACK");
    EXPECT_EQ(Value(writer, "SELECT COUNT(*) FROM t"), 0);
    Exec(writer, "BEGIN");
    for (int64_t id = 1001; id <= 1700; ++id) Insert(writer, id, 4500);
    Exec(writer, "COMMIT");
    sqlite3* side = Open(false);
    EXPECT_EQ(Value(side, "SELECT COUNT(*) FROM t"), 700);
    EXPECT_EQ(Value(side, "SELECT MIN(id) FROM t"), 1001);
    EXPECT_EQ(Value(side, kWrongRows), 0);
    sqlite3_close_v2(side);
    sqlite3_close_v2(writer);
    // Opened again from the files alone (the log replayed), nothing else is there.
    sqlite3* again = Open(false);
    EXPECT_EQ(Value(again, "SELECT COUNT(*) FROM t"), 700);
    EXPECT_EQ(Value(again, kWrongRows), 0);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(again, "PRAGMA integrity_check", -1, &stmt, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "ok");
    sqlite3_finalize(stmt);
    sqlite3_close_v2(again);
}

// A process killed (SIGKILL) right after its commits returned loses none of them: what the
// VFS gathered was in the kernel before COMMIT returned.
TEST_F(WalGatherTest, AKilledProcessLosesNoReturnedCommit) {
    {
        sqlite3* setup = Open(true);
        Exec(setup, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        sqlite3_close_v2(setup);
    }
    int acks[2];
    ASSERT_EQ(pipe(acks), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        close(acks[0]);
        sqlite3* writer = OpenAt(path_, true);
        for (int64_t id = 1;; ++id) {
            sqlite3_exec(writer, "BEGIN", nullptr, nullptr, nullptr);
            sqlite3_stmt* stmt = nullptr;
            sqlite3_prepare_v2(writer, "INSERT INTO t (id, v) VALUES (?, ?)", -1, &stmt, nullptr);
            const std::string text = TextOf(id, 100 + static_cast<int>(id % 7) * 1000);
            sqlite3_bind_int64(stmt, 1, id);
            sqlite3_bind_text(stmt, 2, text.data(), static_cast<int>(text.size()),
                              SQLITE_TRANSIENT);
            const bool inserted = sqlite3_step(stmt) == SQLITE_DONE;
            sqlite3_finalize(stmt);
            if (!inserted ||
                sqlite3_exec(writer, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK ||
                write(acks[1], &id, sizeof id) != static_cast<ssize_t>(sizeof id)) {
                _exit(1);
            }
        }
    }
    close(acks[1]);
    int64_t acked = 0;
    while (acked < 500) {
        int64_t id = 0;
        ASSERT_EQ(read(acks[0], &id, sizeof id), static_cast<ssize_t>(sizeof id));
        acked = id;
    }
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    // Acknowledgements sent before the kill but not read yet count too.
    for (int64_t id = 0; read(acks[0], &id, sizeof id) == static_cast<ssize_t>(sizeof id);) {
        acked = id;
    }
    close(acks[0]);
    EXPECT_TRUE(WIFSIGNALED(status));
    sqlite3* after = Open(false);
    const int64_t rows = Value(after, "SELECT COUNT(*) FROM t");
    EXPECT_GE(rows, acked);
    const std::string upto = "SELECT COUNT(*) FROM t WHERE id <= " + std::to_string(acked);
    EXPECT_EQ(Value(after, upto.c_str()), acked);
    EXPECT_EQ(Value(after, kWrongRows), 0);
    sqlite3_close_v2(after);
}

}  // namespace
}  // namespace bulwark::db::sqlite
