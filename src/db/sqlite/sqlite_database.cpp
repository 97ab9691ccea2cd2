#include "db/sqlite/sqlite_database.hpp"

#include "db/sqlite/wal_gather_vfs.hpp"
#include "db/write_job.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

namespace bulwark::db {
namespace {

Error SqliteError(sqlite3* handle, int rc, std::string_view what) {
    std::string message =
        std::string(what) + ": " + (handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc));
    int primary = rc & 0xff;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExists(std::move(message));
    }
    if (primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_TOOBIG) {
        return InvalidArgument(std::move(message));
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL ||
        primary == SQLITE_IOERR) {
        return Unavailable(std::move(message));
    }
    return Internal(std::move(message));
}

// One SQLite connection with its prepared-statement cache. Used by one thread at a time.
class Connection {
public:
    ~Connection() {
        for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
        if (handle_) sqlite3_close_v2(handle_);
    }

    // `vfs` is SQLite's default (nullptr) or a registered one's name.
    static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only,
                                                    const char* vfs = nullptr) {
        auto conn = std::make_unique<Connection>();
        int flags = SQLITE_OPEN_NOMUTEX |
                    (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        int rc = sqlite3_open_v2(path.c_str(), &conn->handle_, flags, vfs);
        if (rc != SQLITE_OK) return SqliteError(conn->handle_, rc, "打开数据库 " + path);
        sqlite3_extended_result_codes(conn->handle_, 1);
        sqlite3_busy_timeout(conn->handle_, 10000);
        const char* pragmas = read_only ? "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;"
                                        : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                          "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384; "
                                          "PRAGMA temp_store=MEMORY;";
        RETURN_IF_ERROR(conn->ExecScript(pragmas));
        return conn;
    }

    Status ExecScript(const char* sql) {
        char* err = nullptr;
        int rc = sqlite3_exec(handle_, sql, nullptr, nullptr, &err);
        if (rc != SQLITE_OK) {
            std::string message = err ? err : sqlite3_errstr(rc);
            sqlite3_free(err);
            return SqliteError(nullptr, rc, message);
        }
        return Ok();
    }

    // Prepares (or reuses) `sql`, binds `params`, and steps through all rows.
    Status Run(std::string_view sql, const Params& params, Rows* rows, int64_t* changes) {
        sqlite3_stmt* stmt = nullptr;
        auto it = statements_.find(sql);
        if (it != statements_.end()) {
            stmt = it->second;
        } else {
            const char* tail = nullptr;
            int rc = sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
            if (rc != SQLITE_OK) return SqliteError(handle_, rc, "SQL 准备失败");
            if (stmt == nullptr) return InvalidArgument("空 SQL 语句");
            std::string_view rest =
                tail ? std::string_view(tail, static_cast<size_t>(sql.data() + sql.size() - tail))
                     : std::string_view();
            if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
                sqlite3_finalize(stmt);
                return InvalidArgument("一次只能执行一条 SQL 语句");
            }
            statements_.emplace(std::string(sql), stmt);
        }
        // Every parameter is bound on each run (the count is checked), so bindings need no
        // clearing; SQLITE_STATIC buffers are the caller's and outlive the run.
        struct Reset {
            sqlite3_stmt* s;
            ~Reset() { sqlite3_reset(s); }
        } reset{stmt};

        if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
            return InvalidArgument("SQL 参数个数不符: 需要 " +
                                   std::to_string(sqlite3_bind_parameter_count(stmt)) +
                                   " 个, 给了 " + std::to_string(params.size()));
        }
        for (size_t i = 0; i < params.size(); ++i) {
            int idx = static_cast<int>(i) + 1;
            const auto& v = params[i].variant();
            int rc = SQLITE_OK;
            switch (v.index()) {
                case 0:
                    rc = sqlite3_bind_null(stmt, idx);
                    break;
                case 1:
                    rc = sqlite3_bind_int64(stmt, idx, std::get<1>(v));
                    break;
                case 2:
                    rc = sqlite3_bind_double(stmt, idx, std::get<2>(v));
                    break;
                case 3: {
                    const std::string& s = std::get<3>(v);
                    rc = sqlite3_bind_text64(stmt, idx, s.data(), s.size(), SQLITE_STATIC,
                                             SQLITE_UTF8);
                    break;
                }
                case 4: {
                    const std::string& b = std::get<4>(v).bytes;
                    rc = sqlite3_bind_blob64(stmt, idx, b.data(), b.size(), SQLITE_STATIC);
                    break;
                }
            }
            if (rc != SQLITE_OK) return SqliteError(handle_, rc, "SQL 参数绑定失败");
        }

        int columns = sqlite3_column_count(stmt);
        if (rows && rows->columns.empty()) {
            for (int c = 0; c < columns; ++c)
                rows->columns.emplace_back(sqlite3_column_name(stmt, c));
        }
        for (;;) {
            int rc = sqlite3_step(stmt);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return SqliteError(handle_, rc, "SQL 执行失败");
            if (!rows) continue;
            std::vector<Value> cells;
            cells.reserve(columns);
            for (int c = 0; c < columns; ++c) {
                switch (sqlite3_column_type(stmt, c)) {
                    case SQLITE_INTEGER:
                        cells.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
                        break;
                    case SQLITE_FLOAT:
                        cells.emplace_back(sqlite3_column_double(stmt, c));
                        break;
                    case SQLITE_TEXT: {
                        auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
                        cells.emplace_back(std::string(p, sqlite3_column_bytes(stmt, c)));
                        break;
                    }
                    case SQLITE_BLOB: {
                        auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, c));
                        int n = sqlite3_column_bytes(stmt, c);
                        cells.emplace_back(Blob{std::string(p ? p : "", p ? n : 0)});
                        break;
                    }
                    default:
                        cells.emplace_back();
                        break;
                }
            }
            rows->rows.emplace_back(std::move(cells));
        }
        if (changes) *changes = sqlite3_changes64(handle_);
        return Ok();
    }

    // Transaction control through the statement cache (sqlite3_exec would parse it each time).
    Status Control(std::string_view sql) { return Run(sql, {}, nullptr, nullptr); }

    sqlite3* handle() { return handle_; }

private:
    // Looked up by the caller's string_view, without making a std::string for each statement.
    struct TextHash {
        using is_transparent = void;
        size_t operator()(std::string_view text) const {
            return std::hash<std::string_view>{}(text);
        }
    };
    sqlite3* handle_ = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> statements_;
};

class SqliteSession final : public Session {
public:
    explicit SqliteSession(Connection& conn) : conn_(conn) {}
    Result<Rows> Query(std::string_view sql, const Params& params) override {
        Rows rows;
        RETURN_IF_ERROR(conn_.Run(sql, params, &rows, nullptr));
        return rows;
    }
    Result<int64_t> Exec(std::string_view sql, const Params& params) override {
        int64_t changes = 0;
        RETURN_IF_ERROR(conn_.Run(sql, params, nullptr, &changes));
        return changes;
    }
    Result<std::optional<int64_t>> InsertId(std::string_view sql, const Params& params) override {
        int64_t changes = 0;
        RETURN_IF_ERROR(conn_.Run(sql, params, nullptr, &changes));
        if (changes != 1) return std::optional<int64_t>();
        return std::optional<int64_t>(sqlite3_last_insert_rowid(conn_.handle()));
    }
    // No round trips to save: one after another.
    Result<std::vector<Outcome>> RunAll(std::span<const Statement> statements) override {
        std::vector<Outcome> out(statements.size());
        for (size_t i = 0; i < statements.size(); ++i) {
            RETURN_IF_ERROR(
                conn_.Run(statements[i].sql, statements[i].params, &out[i].rows, &out[i].changed));
        }
        return out;
    }
    Dialect dialect() const override { return Dialect::kSqlite; }

private:
    Connection& conn_;
};

// Runs `work`, turning an escaped exception into kInternal: this is the boundary between the
// database thread and code it does not own.
Status RunGuarded(const Database::Work& work, Session& session) {
    try {
        return work(session);
    } catch (const std::exception& e) {
        spdlog::error("database work threw: {}", e.what());
        return Internal(std::string("内部错误: ") + e.what());
    }
}

class SqliteDatabase final : public Database {
public:
    SqliteDatabase(std::string path, Options options)
        : path_(std::move(path)), options_(std::move(options)) {}
    ~SqliteDatabase() override { Close(); }

    Status Init() {
        // The writer's log appends go to the kernel once per commit (wal_gather_vfs.hpp).
        ASSIGN_OR_RETURN(writer_, Connection::Open(path_, false, sqlite::WalGatheringVfs()));
        for (int i = 0; i < std::max(1, options_.readers); ++i) {
            ASSIGN_OR_RETURN(auto reader, Connection::Open(path_, true));
            idle_readers_.push_back(std::move(reader));
        }
        ASSIGN_OR_RETURN(checkpointer_, Connection::Open(path_, false));
        sqlite3_wal_hook(writer_->handle(), &SqliteDatabase::AfterCommit, this);
        // The writer's COMMIT only appends to the WAL; the sync thread makes commits durable
        // (one fdatasync for every commit made while the previous one ran) and only then are
        // their writes answered. The writer goes on with the next batch meanwhile instead of
        // waiting for the disk (with no next batch, it syncs its commit itself). SQLite still
        // syncs at checkpoints and when the WAL starts over (synchronous=NORMAL), so a commit
        // a sync covered stays durable after them.
        RETURN_IF_ERROR(writer_->ExecScript("PRAGMA synchronous=NORMAL"));
        sync_thread_ = std::thread([this] { SyncLoop(); });
        checkpoint_thread_ = std::thread([this] { CheckpointLoop(); });
        writer_thread_ = std::thread([this] { WriterLoop(); });
        return Ok();
    }

    Status Read(const Work& work) override {
        std::unique_ptr<Connection> conn;
        {
            std::unique_lock lock(readers_mu_);
            readers_cv_.wait(lock, [&] { return closed_readers_ || !idle_readers_.empty(); });
            if (closed_readers_) return Unavailable("数据库已关闭");
            conn = std::move(idle_readers_.back());
            idle_readers_.pop_back();
        }
        Status status = conn->Control("BEGIN");
        if (status.ok()) {
            SqliteSession session(*conn);
            status = RunGuarded(work, session);
            Status end = conn->Control(status.ok() ? "COMMIT" : "ROLLBACK");
            if (status.ok() && !end.ok()) status = end;
        }
        {
            std::lock_guard lock(readers_mu_);
            idle_readers_.push_back(std::move(conn));
        }
        readers_cv_.notify_one();
        // What the read saw may include a commit the sync thread has not made durable yet
        // (at most every commit begun by now): wait for it, so that nothing read (a stored
        // answer to a retried key, above all) can be lost after it was shown.
        WaitDurable(committing_.load(std::memory_order_acquire));
        return status;
    }

    Status Write(const Work& work) override { return queue_.Write(work); }

    void WriteAsync(Work work, Done done, const WriteGroup* group,
                    std::shared_ptr<GroupedWrite> write) override {
        queue_.WriteAsync(std::move(work), std::move(done), group, std::move(write));
    }

    Dialect dialect() const override { return Dialect::kSqlite; }

    Status Backup(const std::string& path) override {
        namespace fs = std::filesystem;
        std::error_code ec;
        fs::path target(path);
        if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
        std::string temp = path + ".partial";
        fs::remove(temp, ec);
        ASSIGN_OR_RETURN(auto source, Connection::Open(path_, true));
        sqlite3* dest = nullptr;
        int rc = sqlite3_open_v2(temp.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                 nullptr);
        if (rc != SQLITE_OK) {
            Error e = SqliteError(dest, rc, "创建备份文件 " + temp);
            sqlite3_close_v2(dest);
            return e;
        }
        // One step of all pages runs inside one read transaction: a consistent snapshot, while
        // the writer (WAL) goes on.
        sqlite3_backup* backup = sqlite3_backup_init(dest, "main", source->handle(), "main");
        if (!backup) {
            Error e = SqliteError(dest, sqlite3_errcode(dest), "开始备份");
            sqlite3_close_v2(dest);
            return e;
        }
        rc = sqlite3_backup_step(backup, -1);
        sqlite3_backup_finish(backup);
        if (rc != SQLITE_DONE) {
            Error e = SqliteError(dest, rc, "备份");
            sqlite3_close_v2(dest);
            fs::remove(temp, ec);
            return e;
        }
        // The copy is a plain rollback-journal file, fully synced, then renamed into place.
        sqlite3_exec(dest, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
        sqlite3_close_v2(dest);
        fs::rename(temp, target, ec);
        if (ec) return Internal("备份文件改名失败: " + ec.message());
        return Ok();
    }

    void Close() override {
        if (!queue_.Close()) return;
        if (writer_thread_.joinable()) writer_thread_.join();
        {
            std::lock_guard lock(sync_mu_);
            sync_stop_ = true;
        }
        sync_cv_.notify_all();
        if (sync_thread_.joinable()) sync_thread_.join();
        for (int* fd : {&wal_fd_, &writer_wal_fd_}) {
            if (*fd >= 0) ::close(*fd);
            *fd = -1;
        }
        {
            std::lock_guard lock(checkpoint_mu_);
            checkpoint_stop_ = true;
        }
        checkpoint_cv_.notify_all();
        if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
        checkpointer_.reset();
        {
            std::lock_guard lock(readers_mu_);
            closed_readers_ = true;
        }
        readers_cv_.notify_all();
        // Readers in use are returned by their Read() calls; callers must not Close() while
        // reads are running (the server stops its workers first).
        std::lock_guard lock(readers_mu_);
        idle_readers_.clear();
        writer_.reset();
    }

private:
    using Job = internal::WriteJob;
    // A transaction's writes with their outcomes, and its number once committed: the open
    // transaction's, then one waiting for the sync thread.
    struct Committed {
        uint64_t seq = 0;
        std::vector<Job*> jobs;
        std::vector<Status> results;
    };

    // Takes writes as they come and runs them in one transaction, which it commits as soon as
    // the sync thread is free (or the transaction holds max_batch writes): while a sync runs,
    // the writes arriving meanwhile join the open transaction. So the writer waits for the
    // disk only when nothing else is queued, and under load each commit (and sync) carries
    // many writes.
    void WriterLoop() {
        pthread_setname_np(pthread_self(), "sqlite-writer");
        answers_writes_ = true;
        const size_t max = static_cast<size_t>(std::max(1, options_.max_batch));
        std::vector<Job*> batch;
        Committed open;  // the open transaction's writes
        bool in_transaction = false;
        for (;;) {
            batch.clear();
            const bool more =
                in_transaction
                    ? queue_.TakeOr(batch, max - open.jobs.size(),
                                    [this] { return sync_idle_.load(std::memory_order_acquire); })
                    : queue_.Take(batch, max);
            if (!more && !in_transaction) return;
            if (!batch.empty()) {
                if (!in_transaction) {
                    Status begin = writer_->Control("BEGIN IMMEDIATE");
                    if (!begin.ok()) {
                        for (Job* job : batch) job->Finish(begin);
                        continue;
                    }
                    in_transaction = true;
                }
                internal::GatherGroups(batch);
                RunBatch(batch, open);
            }
            if (in_transaction &&
                (!more || open.jobs.size() >= max || sync_idle_.load(std::memory_order_acquire))) {
                Commit(open);
                open = Committed();
                in_transaction = false;
            }
        }
    }

    // sqlite3_wal_hook, on the writer thread after each commit: `pages` are in the WAL now.
    // Installing it turns SQLite's automatic checkpoint off; Options says when each side runs.
    static int AfterCommit(void* self, sqlite3* handle, const char* schema, int pages) {
        auto* db = static_cast<SqliteDatabase*>(self);
        if (pages >= db->options_.wal_writer_checkpoint_pages) {
            sqlite3_wal_checkpoint_v2(handle, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        } else if (pages >= db->options_.wal_background_checkpoint_pages) {
            {
                std::lock_guard lock(db->checkpoint_mu_);
                db->checkpoint_wanted_ = true;
            }
            db->checkpoint_cv_.notify_one();
        }
        return SQLITE_OK;
    }

    // Passive checkpoints (they never wait for the writer or readers) whenever the writer asks.
    void CheckpointLoop() {
        pthread_setname_np(pthread_self(), "sqlite-ckpt");
        for (;;) {
            {
                std::unique_lock lock(checkpoint_mu_);
                checkpoint_cv_.wait(lock, [&] { return checkpoint_stop_ || checkpoint_wanted_; });
                if (checkpoint_stop_) return;
                checkpoint_wanted_ = false;
            }
            int rc = sqlite3_wal_checkpoint_v2(checkpointer_->handle(), nullptr,
                                               SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
            if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
                spdlog::warn("background checkpoint: {}", sqlite3_errstr(rc));
            }
        }
    }

    // Runs `batch` in the open transaction, each unit in a savepoint: a write alone, or a run
    // of writes its group applies together. A group that fails is rolled back and its writes
    // run one by one. Adds the writes and their outcomes to `open`.
    void RunBatch(const std::vector<Job*>& batch, Committed& open) {
        SqliteSession session(*writer_);
        const size_t base = open.results.size();
        open.jobs.insert(open.jobs.end(), batch.begin(), batch.end());
        open.results.resize(base + batch.size());
        size_t alone_until = 0;
        for (size_t i = 0; i < batch.size();) {
            const size_t end = i < alone_until ? i + 1 : internal::UnitEnd(batch, i);
            Status status = writer_->Control("SAVEPOINT w");
            if (status.ok()) {
                status =
                    end - i == 1
                        ? RunGuarded(batch[i]->work(), session)
                        : RunGuarded(
                              [&](Session& s) { return internal::ApplyUnit(batch, i, end, s); },
                              session);
                if (!status.ok()) (void)writer_->Control("ROLLBACK TO w");
                (void)writer_->Control("RELEASE w");
            }
            if (end - i > 1 && !status.ok()) {
                alone_until = end;
                continue;
            }
            for (size_t k = i; k < end; ++k) open.results[base + k] = status;
            i = end;
        }
    }

    // Commits the open transaction; its writes are answered once the commit is durable (a
    // failed commit's too, in their turn), by the sync thread or, with nothing queued, here.
    void Commit(Committed& open) {
        // Announced before COMMIT: a reader may see the commit as soon as it is in the WAL.
        open.seq = committing_.load(std::memory_order_relaxed) + 1;
        committing_.store(open.seq, std::memory_order_release);
        Status commit = writer_->Control("COMMIT");
        if (!commit.ok()) {
            spdlog::error("group commit of {} writes failed: {}", open.jobs.size(),
                          commit.error().message);
            (void)writer_->ExecScript("ROLLBACK");
            for (Status& result : open.results) result = commit;
        }
        // With nothing waiting in the queue the writer has nothing to go on with: it syncs the
        // commit itself, which spares a wake-up of the sync thread and one back (a sixth of a
        // lone waiting writer's rate). Otherwise the sync thread syncs while the writer goes on.
        bool here = false;
        {
            std::lock_guard lock(sync_mu_);
            here = to_sync_.empty() && sync_idle_.load(std::memory_order_acquire) && queue_.Empty();
            if (!here) to_sync_.push_back(std::move(open));
            sync_idle_.store(false, std::memory_order_release);
        }
        if (!here) {
            sync_cv_.notify_one();
            return;
        }
        Status synced = SyncWal(writer_wal_fd_, 1);
        MarkDurable(open.seq);
        {
            std::lock_guard lock(sync_mu_);
            sync_idle_.store(true, std::memory_order_release);
        }
        AnswerAll(open, synced);
    }

    // The sync thread: takes every commit handed over so far, makes them durable with one
    // sync, answers their writes, then takes the next lot. Stops once Close() has stopped the
    // writer and nothing is left.
    void SyncLoop() {
        pthread_setname_np(pthread_self(), "sqlite-sync");
        answers_writes_ = true;
        std::vector<Committed> lot;
        for (;;) {
            {
                std::unique_lock lock(sync_mu_);
                sync_cv_.wait(lock, [&] { return sync_stop_ || !to_sync_.empty(); });
                if (to_sync_.empty()) return;
                lot.swap(to_sync_);
            }
            Status synced = SyncWal(wal_fd_, lot.size());
            MarkDurable(lot.back().seq);
            // Free again: the writer commits what it gathered meanwhile.
            {
                std::lock_guard lock(sync_mu_);
                if (to_sync_.empty()) sync_idle_.store(true, std::memory_order_release);
            }
            queue_.Wake();
            for (Committed& c : lot) AnswerAll(c, synced);
            lot.clear();
        }
    }

    // Commits up to `seq` are durable: reads waiting for them go on. Never moves back.
    void MarkDurable(uint64_t seq) {
        {
            std::lock_guard lock(durable_mu_);
            if (durable_.load(std::memory_order_relaxed) < seq) {
                durable_.store(seq, std::memory_order_release);
            }
        }
        durable_cv_.notify_all();
    }

    // Answers a synced commit's writes: each its own outcome, or the sync's failure.
    static void AnswerAll(Committed& c, const Status& synced) {
        for (size_t i = 0; i < c.jobs.size(); ++i) {
            c.jobs[i]->Finish(synced.ok() || !c.results[i].ok() ? std::move(c.results[i]) : synced);
        }
    }

    // fdatasync() on the WAL file, through the calling thread's descriptor `wal_fd`, opened
    // again whenever the file at the WAL's path is no longer the one it names. Or
    // Options::sync_wal. A failure is logged with the number of commits it leaves unsure.
    Status SyncWal(int& wal_fd, size_t commits) {
        Status synced = SyncWalFile(wal_fd);
        if (!synced.ok()) {
            spdlog::error("syncing the WAL after {} commits failed: {}", commits,
                          synced.error().message);
        }
        return synced;
    }
    Status SyncWalFile(int& fd) {
        const std::string wal_path = path_ + "-wal";
        if (options_.sync_wal) return options_.sync_wal(wal_path);
        struct stat named {};
        if (::stat(wal_path.c_str(), &named) != 0) {
            return Unavailable("找不到预写日志 " + wal_path + ": " + std::strerror(errno));
        }
        struct stat held {};
        if (fd < 0 || ::fstat(fd, &held) != 0 || held.st_ino != named.st_ino ||
            held.st_dev != named.st_dev) {
            if (fd >= 0) ::close(fd);
            fd = ::open(wal_path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                return Unavailable("打开预写日志 " + wal_path + " 失败: " + std::strerror(errno));
            }
        }
        if (::fdatasync(fd) != 0) {
            return Unavailable("预写日志写入磁盘失败: " + std::string(std::strerror(errno)));
        }
        return Ok();
    }

    // Blocks until commit `seq` (and every one before it) is durable. Not on the threads that
    // answer writes (the writer and the sync thread), which could wait for themselves: a
    // write's `done` runs there, and reads nothing.
    void WaitDurable(uint64_t seq) {
        if (durable_.load(std::memory_order_acquire) >= seq || answers_writes_) return;
        std::unique_lock lock(durable_mu_);
        durable_cv_.wait(lock, [&] { return durable_.load(std::memory_order_acquire) >= seq; });
    }

    std::string path_;
    Options options_;
    std::unique_ptr<Connection> writer_;
    std::thread writer_thread_;

    std::unique_ptr<Connection> checkpointer_;
    std::thread checkpoint_thread_;
    std::mutex checkpoint_mu_;
    std::condition_variable checkpoint_cv_;
    bool checkpoint_wanted_ = false;
    bool checkpoint_stop_ = false;

    internal::WriteQueue queue_;

    // Commits are numbered by the writer; `committing_` is the last one begun, `durable_` the
    // last one synced.
    std::thread sync_thread_;
    std::mutex sync_mu_;
    std::condition_variable sync_cv_;
    std::vector<Committed> to_sync_;
    bool sync_stop_ = false;
    std::atomic<bool> sync_idle_{true};  // nothing handed over waits for a sync
    int wal_fd_ = -1;                    // the sync thread's
    int writer_wal_fd_ = -1;             // the writer's, for the syncs it makes itself
    std::atomic<uint64_t> committing_{0};
    std::atomic<uint64_t> durable_{0};
    std::mutex durable_mu_;
    std::condition_variable durable_cv_;
    static thread_local bool answers_writes_;

    std::mutex readers_mu_;
    std::condition_variable readers_cv_;
    std::vector<std::unique_ptr<Connection>> idle_readers_;
    bool closed_readers_ = false;
};

thread_local bool SqliteDatabase::answers_writes_ = false;

// SQLite counts every allocation under one process-wide mutex unless SQLITE_CONFIG_MEMSTATUS is
// off. With readers on many threads beside the writer, that mutex made a quarter of the server's
// futex calls under a scan load (perf, session 6). Nothing here reads those counters. It must be
// set before SQLite initializes, so it is set before the first connection; when something else
// initialized SQLite first, the call fails harmlessly and the counters stay on.
void TurnOffAllocationCounters() {
    static const int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)rc;
}

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const Options& options) {
    TurnOffAllocationCounters();
    std::error_code ec;
    std::filesystem::path p(path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    if (ec)
        return Unavailable("无法创建数据目录 " + p.parent_path().string() + ": " + ec.message());
    auto db = std::make_unique<SqliteDatabase>(path, options);
    RETURN_IF_ERROR(db->Init());
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace bulwark::db
