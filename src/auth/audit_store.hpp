#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "auth/audit_log.hpp"
#include "base/result.hpp"
#include "db/batch.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"

namespace bulwark::auth {

// One chain's head row in audit_chains: the last sequence number used and the hash of that row.
struct AuditChainHead {
    int64_t chain = 0;
    int64_t seq = 0;
    std::string head;  // 32 bytes; all zero before the first row
};

// A row of audit_log as stored, with its place in its chain.
struct StoredAuditRow {
    int64_t id = 0;
    int64_t chain = 0;
    int64_t seq = 0;
    std::string prev_hash;
    std::string hash;
    AuditEntry entry;
};

// The SQL of the audit log (tables audit_log and audit_chains). Writes only append to audit_log;
// nothing here updates or deletes its rows. Stateless; thread-safe. The audit page's queries
// are in audit_query_store.hpp.
class AuditStore {
public:
    // Module "audit": the tables, the audit page's indexes, and triggers that refuse UPDATE and
    // DELETE of audit_log (and rolling a chain back) on both drivers.
    static std::vector<db::Migration> Migrations();

    // Takes the next sequence number of `chain`, creating the chain on first use. Returns the
    // new seq and the previous head. Locks the chain row until the transaction ends.
    static Result<AuditChainHead> AdvanceChain(db::Session& s, int64_t chain);
    // Moves `chain` from (seq, head) to (seq + rows, new_head) in one statement, only if it
    // still is at exactly (seq, head); false when it is not (another writer or a rollback moved
    // it). Locks the chain row until the transaction ends, like AdvanceChain.
    static Result<bool> AdvanceChainFrom(db::Session& s, int64_t chain, int64_t seq,
                                         const std::string& head, const std::string& new_head,
                                         int64_t rows = 1);
    // AdvanceChainFrom() added to `batch`: `then` gets whether the chain moved, once the
    // batch ran, and its error fails the batch's run.
    static void AdvanceChainFrom(db::Batch& batch, int64_t chain, int64_t seq,
                                 const std::string& head, const std::string& new_head, int64_t rows,
                                 std::function<Status(bool moved)> then);
    static Status Insert(db::Session& s, const StoredAuditRow& row);
    // Insert() for several rows, a statement per up to 64.
    static Status InsertAll(db::Session& s, const std::vector<StoredAuditRow>& rows);
    static void InsertAll(db::Batch& batch, const std::vector<StoredAuditRow>& rows);
    static Status SetHead(db::Session& s, int64_t chain, const std::string& head);

    // Every chain named in audit_chains or audit_log, ascending; `seq` and `head` are those of
    // audit_chains (0 and empty when only audit_log names the chain).
    static Result<std::vector<AuditChainHead>> Chains(db::Session& s);
    // Rows of `chain` with seq > `after_seq`, in seq order, at most `limit`.
    static Result<std::vector<StoredAuditRow>> ChainPage(db::Session& s, int64_t chain,
                                                         int64_t after_seq, int64_t limit);
    static Result<int64_t> CountRows(db::Session& s);
};

}  // namespace bulwark::auth
