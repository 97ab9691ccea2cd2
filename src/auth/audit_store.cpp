#include "auth/audit_store.hpp"

#include <algorithm>
#include <map>

#include "db/sql_rows.hpp"

namespace bulwark::auth {
namespace {

constexpr const char* kCreateTables =
    "CREATE TABLE audit_log ("
    " id ID_PK,"
    " chain INTEGER NOT NULL,"
    " seq BIGINT NOT NULL,"
    " prev_hash BLOB NOT NULL,"
    " hash BLOB NOT NULL,"
    " at BIGINT NOT NULL,"
    " user_id BIGINT NOT NULL,"
    " username TEXT NOT NULL,"
    " role TEXT NOT NULL,"
    " scope TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " subject_kind TEXT NOT NULL,"
    " subject_id BIGINT NOT NULL,"
    " reason TEXT NOT NULL,"
    " detail TEXT NOT NULL,"
    " client_address TEXT NOT NULL,"
    " request_id TEXT NOT NULL,"
    " UNIQUE (chain, seq));"
    "CREATE INDEX audit_log_user ON audit_log (user_id, at);"
    "CREATE INDEX audit_log_subject ON audit_log (subject_id, at);"
    "CREATE INDEX audit_log_action ON audit_log (action, at);"
    "CREATE INDEX audit_log_at ON audit_log (at);"
    "CREATE TABLE audit_chains ("
    " chain INTEGER PRIMARY KEY,"
    " seq BIGINT NOT NULL,"
    " head BLOB NOT NULL)";

// The triggers guard against code paths that forget the log is append-only; they do not stop
// someone who can drop them (the hash chain is what shows that).
constexpr const char* kSqliteGuards =
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (审计日志只能追加)'); END;"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (审计日志只能追加)'); END;"
    "CREATE TRIGGER audit_chains_no_delete BEFORE DELETE ON audit_chains"
    " BEGIN SELECT RAISE(ABORT, 'audit_chains rows are never deleted (审计链不可删除)'); END;"
    "CREATE TRIGGER audit_chains_forward BEFORE UPDATE ON audit_chains"
    " WHEN NEW.seq < OLD.seq OR NEW.chain <> OLD.chain"
    " BEGIN SELECT RAISE(ABORT, 'audit chains only move forward (审计链不可回退)'); END";

constexpr const char* kPostgresGuards =
    "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION '% on % refused: the audit log is append-only (审计日志只能追加)',"
    " TG_OP, TG_TABLE_NAME; END $$;"
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION audit_append_only();"
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();"
    "CREATE TRIGGER audit_chains_no_delete BEFORE DELETE ON audit_chains"
    " FOR EACH ROW EXECUTE FUNCTION audit_append_only();"
    "CREATE TRIGGER audit_chains_no_truncate BEFORE TRUNCATE ON audit_chains"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();"
    "CREATE TRIGGER audit_chains_forward BEFORE UPDATE ON audit_chains"
    " FOR EACH ROW WHEN (NEW.seq < OLD.seq OR NEW.chain <> OLD.chain)"
    " EXECUTE FUNCTION audit_append_only()";

constexpr const char* kRowColumns =
    "id, chain, seq, prev_hash, hash, at, user_id, username, role, scope, action, subject_kind, "
    "subject_id, reason, detail, client_address, request_id";

std::string Bytes(const db::Value& v) { return v.is_blob() ? v.AsBlob().bytes : v.AsText(); }

StoredAuditRow FromRow(const db::Row& row) {
    StoredAuditRow r;
    r.id = row.Int(0);
    r.chain = row.Int(1);
    r.seq = row.Int(2);
    r.prev_hash = Bytes(row[3]);
    r.hash = Bytes(row[4]);
    AuditEntry& e = r.entry;
    e.at = row.Int(5);
    e.user_id = row.Int(6);
    e.username = row.Text(7);
    e.role = row.Text(8);
    e.scope = row.Text(9);
    e.action = row.Text(10);
    e.subject_kind = row.Text(11);
    e.subject_id = row.Int(12);
    e.reason = row.Text(13);
    e.detail = row.Text(14);
    e.client_address = row.Text(15);
    e.request_id = row.Text(16);
    return r;
}

}  // namespace

std::vector<db::Migration> AuditStore::Migrations() {
    std::vector<db::Migration> out = {
        {"audit", 1, "audit log and chains", kCreateTables},
        {"audit", 2, "append-only triggers", ""},
        {"audit", 3, "actions compared byte by byte (PostgreSQL)", ""}};
    out[1].sqlite_sql = kSqliteGuards;
    out[1].postgres_sql = kPostgresGuards;
    // An action is a code ("sampling.scan"), written with every audit row into the index by
    // action: compared byte by byte (the "C" collation), not through the database's language
    // collation. SQLite's TEXT compares bytes already.
    out[2].postgres_sql = "ALTER TABLE audit_log ALTER COLUMN action TYPE TEXT COLLATE \"C\"";
    return out;
}

Result<AuditChainHead> AuditStore::AdvanceChain(db::Session& s, int64_t chain) {
    constexpr const char* kAdvance =
        "UPDATE audit_chains SET seq = seq + 1 WHERE chain = ? RETURNING seq, head";
    ASSIGN_OR_RETURN(auto row, s.QueryOne(kAdvance, {chain}));
    if (!row) {
        RETURN_IF_ERROR(
            s.Exec("INSERT INTO audit_chains (chain, seq, head) VALUES (?, 0, ?) "
                   "ON CONFLICT (chain) DO NOTHING",
                   {chain, db::Blob{std::string(32, '\0')}}));
        ASSIGN_OR_RETURN(row, s.QueryOne(kAdvance, {chain}));
        if (!row) return Internal("审计链 " + std::to_string(chain) + " 无法创建");
    }
    return AuditChainHead{.chain = chain, .seq = row->Int(0), .head = Bytes((*row)[1])};
}

Result<bool> AuditStore::AdvanceChainFrom(db::Session& s, int64_t chain, int64_t seq,
                                          const std::string& head, const std::string& new_head,
                                          int64_t rows) {
    bool moved = false;
    db::Batch batch;
    AdvanceChainFrom(batch, chain, seq, head, new_head, rows, [&moved](bool m) -> Status {
        moved = m;
        return Ok();
    });
    RETURN_IF_ERROR(batch.Run(s));
    return moved;
}

void AuditStore::AdvanceChainFrom(db::Batch& batch, int64_t chain, int64_t seq,
                                  const std::string& head, const std::string& new_head,
                                  int64_t rows, std::function<Status(bool moved)> then) {
    batch.Add("UPDATE audit_chains SET seq = ?, head = ? WHERE chain = ? AND seq = ? AND head = ?",
              {seq + rows, db::Blob{new_head}, chain, seq, db::Blob{head}},
              [then = std::move(then)](db::Outcome& o) { return then(o.changed == 1); });
}

Status AuditStore::Insert(db::Session& s, const StoredAuditRow& r) {
    const AuditEntry& e = r.entry;
    RETURN_IF_ERROR(s.Exec(
        "INSERT INTO audit_log (chain, seq, prev_hash, hash, at, user_id, username, role, scope, "
        "action, subject_kind, subject_id, reason, detail, client_address, request_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {r.chain, r.seq, db::Blob{r.prev_hash}, db::Blob{r.hash}, e.at, e.user_id, e.username,
         e.role, e.scope, e.action, e.subject_kind, e.subject_id, e.reason, e.detail,
         e.client_address, e.request_id}));
    return Ok();
}

Status AuditStore::InsertAll(db::Session& s, const std::vector<StoredAuditRow>& rows) {
    db::Batch batch;
    InsertAll(batch, rows);
    return batch.Run(s);
}

void AuditStore::InsertAll(db::Batch& batch, const std::vector<StoredAuditRow>& rows) {
    constexpr size_t kColumns = 16;
    for (size_t at = 0; at < rows.size(); at += db::kMaxRowsPerStatement) {
        const size_t n = std::min(db::kMaxRowsPerStatement, rows.size() - at);
        db::Params params;
        params.reserve(n * kColumns);
        for (size_t i = at; i < at + n; ++i) {
            const StoredAuditRow& r = rows[i];
            const AuditEntry& e = r.entry;
            params.insert(params.end(),
                          {r.chain, r.seq, db::Blob{r.prev_hash}, db::Blob{r.hash}, e.at, e.user_id,
                           e.username, e.role, e.scope, e.action, e.subject_kind, e.subject_id,
                           e.reason, e.detail, e.client_address, e.request_id});
        }
        batch.Add(
            "INSERT INTO audit_log (chain, seq, prev_hash, hash, at, user_id, username, "
            "role, scope, action, subject_kind, subject_id, reason, detail, client_address, "
            "request_id) VALUES " +
                db::RowPlaceholders(kColumns, n),
            std::move(params), nullptr);
    }
}

Status AuditStore::SetHead(db::Session& s, int64_t chain, const std::string& head) {
    ASSIGN_OR_RETURN(int64_t changed, s.Exec("UPDATE audit_chains SET head = ? WHERE chain = ?",
                                             {db::Blob{head}, chain}));
    if (changed != 1) return Internal("审计链 " + std::to_string(chain) + " 不存在");
    return Ok();
}

Result<std::vector<AuditChainHead>> AuditStore::Chains(db::Session& s) {
    std::map<int64_t, AuditChainHead> chains;
    ASSIGN_OR_RETURN(db::Rows in_log, s.Query("SELECT DISTINCT chain FROM audit_log"));
    for (const db::Row& row : in_log) chains[row.Int(0)].chain = row.Int(0);
    ASSIGN_OR_RETURN(db::Rows heads, s.Query("SELECT chain, seq, head FROM audit_chains"));
    for (const db::Row& row : heads) {
        chains[row.Int(0)] = {.chain = row.Int(0), .seq = row.Int(1), .head = Bytes(row[2])};
    }
    std::vector<AuditChainHead> out;
    out.reserve(chains.size());
    for (auto& [chain, head] : chains) out.push_back(std::move(head));
    return out;
}

Result<std::vector<StoredAuditRow>> AuditStore::ChainPage(db::Session& s, int64_t chain,
                                                          int64_t after_seq, int64_t limit) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(std::string("SELECT ") + kRowColumns +
                                                " FROM audit_log WHERE chain = ? AND seq > ?"
                                                " ORDER BY seq LIMIT ?",
                                            {chain, after_seq, limit}));
    std::vector<StoredAuditRow> out;
    out.reserve(rows.size());
    for (const db::Row& row : rows) out.push_back(FromRow(row));
    return out;
}

Result<int64_t> AuditStore::CountRows(db::Session& s) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT COUNT(*) FROM audit_log"));
    return row ? row->Int(0) : 0;
}

}  // namespace bulwark::auth
