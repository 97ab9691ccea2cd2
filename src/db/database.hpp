#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "db/value.hpp"

namespace bulwark::db {

enum class Dialect { kSqlite, kPostgres };

// One statement of a batch (Session::RunAll) with its parameters.
struct Statement {
    std::string sql;
    Params params;
};

// What one statement of a batch gave: the rows it returned and, for an INSERT, UPDATE or
// DELETE, how many rows it changed.
struct Outcome {
    Rows rows;
    int64_t changed = 0;
};

// A transaction in progress on one connection. Handed to the functions given to Database::Read
// and Database::Write; valid only during that call; not thread-safe.
//
// SQL uses `?` placeholders on both drivers (the PostgreSQL driver rewrites them to $1..$n) and
// must be portable: INTEGER/BIGINT/TEXT/BLOB columns, times as BIGINT Unix milliseconds, flags
// as INTEGER 0/1, `INSERT ... ON CONFLICT`, `RETURNING`. Statements are prepared once per
// connection and cached by their text, so build SQL text from constants, never from values.
class Session {
public:
    virtual ~Session() = default;
    // Runs a statement that returns rows.
    virtual Result<Rows> Query(std::string_view sql, const Params& params = {}) = 0;
    // Runs a statement and returns the number of rows it changed.
    virtual Result<int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;
    // Runs `statements` in order, sent together: on PostgreSQL in one round trip (a pipeline)
    // instead of one each; on SQLite one after another. Returns each one's outcome, or the
    // first failure, after which none of the later statements has run and the transaction is
    // aborted as after any failed statement. Each must be a single statement. See db::Batch,
    // which gathers them from several stores.
    virtual Result<std::vector<Outcome>> RunAll(std::span<const Statement> statements) = 0;
    virtual Dialect dialect() const = 0;
    // Which writer connection runs this transaction: always 0 on SQLite and for reads; on
    // PostgreSQL a number from 0 to 255 that the writer claimed for as long as its connection
    // lives, so that no other server's writer uses it at the same time. Writes on one slot are
    // serial, so per-slot sequences (the audit chains) rarely contend; they must still be right
    // when two writers share a number.
    virtual int connection_slot() const { return 0; }

    // Runs an INSERT of one row, written without a RETURNING clause (it may end in ON CONFLICT
    // ... DO NOTHING), into a table whose key is `id ID_PK`; returns the new row's id, or nullopt
    // when nothing was inserted. PostgreSQL appends RETURNING id; SQLite reads the rowid, because
    // its RETURNING buffers the rows in a temporary b-tree opened per statement (a third of a
    // scan's storage instructions, measured with callgrind).
    virtual Result<std::optional<int64_t>> InsertId(std::string_view sql,
                                                    const Params& params = {});

    // First row of a query, or nullopt when there is none.
    Result<std::optional<Row>> QueryOne(std::string_view sql, const Params& params = {});
};

// What a WriteGroup sees of one write queued with it (WriteAsync): the caller's own state,
// derived from this.
class GroupedWrite {
public:
    virtual ~GroupedWrite() = default;
};

// Applies writes of one kind together, set-based: a multi-row statement per table for all of
// them instead of a savepoint and a few statements each (the statements, not the rows, are
// what a write costs: on PostgreSQL each is a round trip and a backend's parse and plan).
// Long-lived (one per kind, owned by its service); thread-safe.
class WriteGroup {
public:
    virtual ~WriteGroup() = default;
    // `writes`, at least two, were queued one after another with this group, and run here in
    // queue order, in the group commit's transaction and a savepoint of their own. Ok means
    // every write was applied as its own work would have applied it, one after another, and
    // each write's `done` gets Ok. An error rolls the savepoint back, and each write then runs
    // alone through its own work as if it had never been grouped: so returning an error is
    // always safe, and is how anything unusual (a key or row taken meanwhile) is handled.
    virtual Status ApplyTogether(Session& session, std::span<GroupedWrite* const> writes) const = 0;
};

// Options for opening a database.
struct Options {
    // "sqlite:PATH", a plain file path (SQLite), or "postgresql://..." / "postgres://...".
    std::string url;
    // SQLite: read-only connections kept for concurrent readers. PostgreSQL: pool size.
    int readers = 4;
    // PostgreSQL only: connections used for writes.
    int writers = 4;
    // PostgreSQL only: the first writer takes writes as they come; the others are standbys,
    // which take a batch only once this many writes wait (the first is held by a long write,
    // an import, or cannot keep up). 0: every writer takes writes as they come. One writer's
    // batches are bigger, and so are its groups: two servers with a standby each served 9,216
    // and 9,580 scans/s (256 scanners) where two writers each served 5,850 and 6,640
    // (bench/README.md).
    int standby_backlog = 128;
    // Largest number of writes committed together in one transaction (group commit).
    int max_batch = 512;
    // SQLite only. Checkpoints (copying the WAL back into the database file) run on a thread of
    // their own once the WAL holds this many pages, so that the writer does not stop to copy
    // thousands of pages between two group commits, as SQLite's automatic checkpoint would
    // (measured: commits of up to 66 ms instead of 6 to 16 ms with scans). Each copies a page
    // once however often the WAL holds it, so rarer checkpoints copy less: under a scan load,
    // 12,000 pages instead of 4,000 took about a tenth less CPU per scan (bench/README.md).
    int wal_background_checkpoint_pages = 12000;
    // SQLite only. Past this many pages the writer checkpoints itself after its commit, which
    // keeps the WAL bounded (40,000 pages of 4 KiB: 160 MiB): the file starts over only once
    // a checkpoint has caught up with it. The background thread has copied most pages by then,
    // so that checkpoint is short.
    int wal_writer_checkpoint_pages = 40000;
    // SQLite only. Makes every commit written to the WAL file at `wal_path` so far durable; a
    // write is answered only after it returned for a call that began after the write's commit.
    // Empty: fdatasync() on that file. Tests put one in to hold a sync or make it fail.
    std::function<Status(const std::string& wal_path)> sync_wal;
};

// The database: a connection pool behind two entry points. Thread-safe. Both calls block the
// calling thread, so they must never run on an I/O thread.
//
// Write() gives every caller its own SAVEPOINT inside a shared transaction that commits the
// writes waiting at that moment together (group commit); a function returning an error is
// rolled back alone. Write() returns only once the commit is durable (SQLite: the WAL synced
// after the commit, see db/README.md; PostgreSQL: synchronous_commit on), so an acknowledged
// write survives kill -9 and power loss. Read() never returns what a commit not yet durable
// wrote: it waits for that commit's sync.
class Database {
public:
    virtual ~Database() = default;
    using Work = std::function<Status(Session&)>;

    // Runs `work` in a read-only snapshot.
    virtual Status Read(const Work& work) = 0;
    // Runs `work` in a write transaction; see the class comment.
    virtual Status Write(const Work& work) = 0;
    using Done = std::function<void(Status)>;
    // Write() without waiting: queues `work` and returns at once. `done` gets what Write() would
    // have returned, once the commit is durable, on a writer thread (or on the calling thread
    // when the database is closed): it must be quick and must not call the database, only hand
    // the outcome on (the scan route posts its answer to the connection's I/O thread). No
    // thread waits meanwhile, which spares a thread hop and a blocked worker per write.
    //
    // With a `group`, neighbours in the queue queued with the same group may be applied
    // together by it (WriteGroup::ApplyTogether, which sees `write`); `work` then runs only
    // when the group hands the write back. Either way `done` gets the write's outcome once.
    virtual void WriteAsync(Work work, Done done, const WriteGroup* group = nullptr,
                            std::shared_ptr<GroupedWrite> write = nullptr) = 0;
    virtual Dialect dialect() const = 0;
    // Writes a consistent copy of the database to `path` while it stays in use (SQLite online
    // backup). PostgreSQL answers kFailedPrecondition with pg_dump guidance.
    virtual Status Backup(const std::string& path) = 0;
    // Stops accepting work, finishes what is queued, closes connections. Idempotent.
    virtual void Close() = 0;

    // Typed helpers: run `fn` (Result<T>(Session&)) and return its result.
    template <class F>
    auto ReadValue(F&& fn) -> decltype(fn(std::declval<Session&>()));
    template <class F>
    auto WriteValue(F&& fn) -> decltype(fn(std::declval<Session&>()));
};

// Opens the database named by options.url (creating the SQLite file and its folder if needed).
// Does not migrate; see migrations.hpp.
Result<std::unique_ptr<Database>> Open(const Options& options);

template <class F>
auto Database::ReadValue(F&& fn) -> decltype(fn(std::declval<Session&>())) {
    using R = decltype(fn(std::declval<Session&>()));
    std::optional<R> out;
    Status s = Read([&](Session& session) -> Status {
        out.emplace(fn(session));
        if (!out->ok()) return out->error();
        return Ok();
    });
    if (!s.ok()) return std::move(s).error();
    return std::move(*out);
}

template <class F>
auto Database::WriteValue(F&& fn) -> decltype(fn(std::declval<Session&>())) {
    using R = decltype(fn(std::declval<Session&>()));
    std::optional<R> out;
    Status s = Write([&](Session& session) -> Status {
        out.emplace(fn(session));
        if (!out->ok()) return out->error();
        return Ok();
    });
    if (!s.ok()) return std::move(s).error();
    return std::move(*out);
}

}  // namespace bulwark::db
