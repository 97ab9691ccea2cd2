#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/audit_key.hpp"
#include "auth/principal.hpp"
#include "base/result.hpp"
#include "db/batch.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"

namespace bulwark::auth {

// One audit row: who did what to whom, why, when and from where. Never carries an ID number or
// a phone: the person is named by internal id.
struct AuditEntry {
    int64_t user_id = 0;  // 0 for anonymous (failed login of an unknown name)
    std::string username;
    std::string role;          // role name of the acting grant
    std::string scope;         // "community:12"
    std::string action;        // e.g. "resident.read", "resident.unmask", "login.failed"
    std::string subject_kind;  // "resident", "user", "tube", ... or ""
    int64_t subject_id = 0;    // internal id of the person or thing, 0 if none
    std::string reason;        // stated reason (unmask, export), or ""
    std::string detail;        // short JSON or text: filters of a search, counts of an export
    std::string client_address;
    std::string request_id;
    int64_t at = 0;  // Unix ms
};

// The append-only, hash-chained audit log. Thread-safe; its only state is the key installed by
// UseKey.
//
// Each row's hash is a keyed BLAKE2b (AuditKey, <data dir>/keys/audit.key) over the previous
// row's hash and every column, so that whoever can write to the database but not read the key
// cannot rewrite, remove or reorder rows and recompute the chain. Rows written before the hash
// was keyed (no deployment has them) verify as "changed": there is no migration.
//
// Rows are chained per writer connection (db::Session::connection_slot()): each row stores the
// hash of the previous row of its chain, and a chain head row is updated in the same
// transaction, so concurrent writers never interleave one chain and a rolled-back write leaves
// no gap. On SQLite an append knows where its chain is from this process's last append to it, a
// hint that one compare-and-set statement checks under the chain row's lock: two statements per
// row, four after a rollback or when another process wrote the chain, and the chain is the same
// either way; AppendAll appends several rows with one compare-and-set and a multi-row insert.
// A write and its audit row commit together; a read of personal data
// appends its row through Database::Write before the data is returned, and fails if that append
// fails.
class AuditLog {
public:
    static std::vector<db::Migration> Migrations();
    // Installs the key that Append hashes with, for the whole process; app/ does so at start
    // for every command (OpenApp), before any row is written. Until then Append uses a random
    // key of its own, made once per process, which no file holds: rows written so are never
    // forgeable, and `bulwark audit verify` reports them as changed (that is how a command that
    // forgot to load the key shows). Unit tests of other modules rely on that default.
    static void UseKey(const AuditKey& key);
    // Appends `entry` inside the caller's write transaction.
    static Status Append(db::Session& session, const AuditEntry& entry);
    // Appends `entries` in their order, as Append would one after another: with the hint, one
    // compare-and-set for all of them and a multi-row insert.
    static Status AppendAll(db::Session& session, const std::vector<AuditEntry>& entries);
    // AppendAll's compare-and-set and inserts added to `batch`, to be sent with the caller's
    // other writes. When another writer moved the chain meanwhile, the rows are inserted all
    // the same and the batch fails (kUnavailable, or the chain's unique key), so the caller
    // must roll back, as a db::WriteGroup does. A process's first append to its chain runs
    // at once, on `session`, to learn where the chain is.
    static Status AppendAll(db::Session& session, db::Batch& batch,
                            const std::vector<AuditEntry>& entries);
    // Fills who/role/scope/address/request id from the principal.
    static AuditEntry For(const Principal& who, std::string action);

    struct Problem {
        int64_t row_id = 0;  // audit_log.id; 0 when a chain lost all its rows
        int64_t seq = 0;     // its place in its chain (1 = the chain's first row)
        // "changed": the row's hash does not match its columns; "removed": rows before it are
        // missing (a gap in seq); "reordered": its link to the previous row does not match
        // (moved or replaced); "truncated": rows after it, the chain's last, are missing.
        std::string what;
    };
    // Recomputes every chain under `key`; returns the first row that was changed, removed or
    // reordered, or nullopt when all chains are intact. Under another key than the one that
    // wrote them, the first row of each chain is "changed".
    static Result<std::optional<Problem>> Verify(db::Session& session, const AuditKey& key);

    // The hash of a row at `seq` of `chain` after `prev_hash` (32 bytes), under `key`: what
    // Append stores and Verify recomputes. Public for tests that forge a chain.
    static std::string RowHash(const AuditKey& key, const std::string& prev_hash, int64_t chain,
                               int64_t seq, const AuditEntry& entry);
};

}  // namespace bulwark::auth
