#include "auth/audit_log.hpp"

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "auth/audit_store.hpp"
#include "base/clock.hpp"

namespace bulwark::auth {
namespace {

constexpr size_t kHashBytes = 32;
constexpr int64_t kVerifyPage = 1000;
// v2: keyed. v1 rows (unkeyed, from before the key existed) do not verify under v2.
constexpr std::string_view kDomain = "bulwark.audit.v2";

static_assert(crypto_generichash_BYTES_MAX >= kHashBytes);
static_assert(crypto_generichash_KEYBYTES_MAX >= AuditKey::kBytes);
static_assert(crypto_generichash_KEYBYTES_MIN <= AuditKey::kBytes);

// The key Append uses: installed by UseKey, or a random one made at the first Append without.
struct InstalledKey {
    std::mutex mu;
    std::optional<AuditKey> key;
};

InstalledKey& Installed() {
    static InstalledKey installed;
    return installed;
}

AuditKey CurrentKey() {
    InstalledKey& installed = Installed();
    std::lock_guard lock(installed.mu);
    if (!installed.key) {
        spdlog::warn(
            "审计密钥未加载 (AuditLog::UseKey): 本进程的审计行使用一把临时密钥, "
            "bulwark audit verify 将把它们报告为被修改");
        installed.key = AuditKey::Random();
    }
    return *installed.key;
}

// The last (seq, hash) this process appended to each chain, so that the next append knows its
// place without reading it: one compare-and-set statement instead of a read-modify-write of the
// chain row and a second update. Only a hint: the compare-and-set checks it against the chain
// row under its lock, so a stale entry (a rolled-back savepoint or transaction, another
// database or process on the same chain number) costs the slow path, never a broken chain.
struct ChainHint {
    int64_t seq = 0;
    std::string head;
};

class ChainHints {
public:
    std::optional<ChainHint> Get(int64_t chain) {
        std::lock_guard lock(mu_);
        auto it = hints_.find(chain);
        if (it == hints_.end()) return std::nullopt;
        return it->second;
    }
    void Set(int64_t chain, int64_t seq, const std::string& head) {
        std::lock_guard lock(mu_);
        hints_[chain] = ChainHint{seq, head};
    }

private:
    std::mutex mu_;
    std::unordered_map<int64_t, ChainHint> hints_;
};

ChainHints& Hints() {
    static ChainHints hints;
    return hints;
}

// Keyed BLAKE2b-256 (under the audit key) over the previous hash and an unambiguous encoding of
// every column but the surrogate id (a row's place is its chain and seq, which are hashed):
// integers as 8 bytes big-endian, text as its length (8 bytes) and bytes.
class RowHasher {
public:
    RowHasher(const AuditKey& key, const std::string& prev_hash) {
        crypto_generichash_init(&state_, key.bytes().data(), key.bytes().size(), kHashBytes);
        Text(kDomain);
        Text(prev_hash);
    }
    ~RowHasher() { sodium_memzero(&state_, sizeof state_); }
    RowHasher(const RowHasher&) = delete;
    RowHasher& operator=(const RowHasher&) = delete;
    void Int(int64_t v) {
        unsigned char b[8];
        const auto u = static_cast<uint64_t>(v);
        for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(u >> (56 - 8 * i));
        crypto_generichash_update(&state_, b, sizeof b);
    }
    void Text(std::string_view s) {
        Int(static_cast<int64_t>(s.size()));
        crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(s.data()),
                                  s.size());
    }
    std::string Finish() {
        std::string out(kHashBytes, '\0');
        crypto_generichash_final(&state_, reinterpret_cast<unsigned char*>(out.data()), out.size());
        return out;
    }

private:
    crypto_generichash_state state_;
};

}  // namespace

std::string AuditLog::RowHash(const AuditKey& key, const std::string& prev_hash, int64_t chain,
                              int64_t seq, const AuditEntry& e) {
    RowHasher h(key, prev_hash);
    h.Int(chain);
    h.Int(seq);
    h.Int(e.at);
    h.Int(e.user_id);
    h.Text(e.username);
    h.Text(e.role);
    h.Text(e.scope);
    h.Text(e.action);
    h.Text(e.subject_kind);
    h.Int(e.subject_id);
    h.Text(e.reason);
    h.Text(e.detail);
    h.Text(e.client_address);
    h.Text(e.request_id);
    return h.Finish();
}

namespace {

// The first problem of one chain, or nullopt.
Result<std::optional<AuditLog::Problem>> VerifyChain(db::Session& session, const AuditKey& key,
                                                     const AuditChainHead& chain) {
    using Problem = AuditLog::Problem;
    using Found = std::optional<Problem>;
    std::string prev(kHashBytes, '\0');
    int64_t expected_seq = 1;
    int64_t last_id = 0;
    int64_t last_seq = 0;
    for (;;) {
        ASSIGN_OR_RETURN(
            auto rows, AuditStore::ChainPage(session, chain.chain, expected_seq - 1, kVerifyPage));
        for (const StoredAuditRow& row : rows) {
            // A gap first: after a removal the next row's prev_hash cannot match either.
            if (row.seq != expected_seq) return Found(Problem{row.id, row.seq, "removed"});
            if (row.prev_hash != prev) return Found(Problem{row.id, row.seq, "reordered"});
            if (AuditLog::RowHash(key, row.prev_hash, row.chain, row.seq, row.entry) != row.hash) {
                return Found(Problem{row.id, row.seq, "changed"});
            }
            prev = row.hash;
            last_id = row.id;
            last_seq = row.seq;
            ++expected_seq;
        }
        if (static_cast<int64_t>(rows.size()) < kVerifyPage) break;
    }
    // The chain row was written with the last row: rows missing from the end show here.
    if (chain.seq != expected_seq - 1 || chain.head != prev)
        return Found(Problem{last_id, last_seq, "truncated"});
    return Found();
}

}  // namespace

std::vector<db::Migration> AuditLog::Migrations() { return AuditStore::Migrations(); }

void AuditLog::UseKey(const AuditKey& key) {
    InstalledKey& installed = Installed();
    std::lock_guard lock(installed.mu);
    installed.key = key;
}

Status AuditLog::Append(db::Session& session, const AuditEntry& entry) {
    if (sodium_init() < 0) return Internal("libsodium 初始化失败");
    StoredAuditRow row;
    row.chain = session.connection_slot();
    row.entry = entry;
    if (row.entry.at == 0) row.entry.at = SystemClock::Instance().NowMillis();
    const AuditKey key = CurrentKey();
    // Fast path: the chain is where this process left it. On PostgreSQL too, since each
    // server's writers claim chain numbers of their own (see Session::connection_slot); when
    // another process did append, the missed hint costs one statement.
    std::optional<ChainHint> hint = Hints().Get(row.chain);
    if (hint) {
        row.seq = hint->seq + 1;
        row.prev_hash = std::move(hint->head);
        row.hash = AuditLog::RowHash(key, row.prev_hash, row.chain, row.seq, row.entry);
        ASSIGN_OR_RETURN(bool moved, AuditStore::AdvanceChainFrom(session, row.chain, hint->seq,
                                                                  row.prev_hash, row.hash));
        if (moved) {
            RETURN_IF_ERROR(AuditStore::Insert(session, row));
            Hints().Set(row.chain, row.seq, row.hash);
            return Ok();
        }
    }
    ASSIGN_OR_RETURN(AuditChainHead head, AuditStore::AdvanceChain(session, row.chain));
    row.seq = head.seq;
    row.prev_hash = std::move(head.head);
    row.hash = AuditLog::RowHash(key, row.prev_hash, row.chain, row.seq, row.entry);
    RETURN_IF_ERROR(AuditStore::Insert(session, row));
    RETURN_IF_ERROR(AuditStore::SetHead(session, row.chain, row.hash));
    Hints().Set(row.chain, row.seq, row.hash);
    return Ok();
}

namespace {

// `entries[first..]` as rows of `chain`, chained on from `hint`.
std::vector<StoredAuditRow> ChainOn(int64_t chain, const ChainHint& hint,
                                    const std::vector<AuditEntry>& entries, size_t first) {
    const AuditKey key = CurrentKey();
    std::vector<StoredAuditRow> rows;
    rows.reserve(entries.size() - first);
    std::string prev = hint.head;
    for (size_t i = first; i < entries.size(); ++i) {
        StoredAuditRow row;
        row.chain = chain;
        row.seq = hint.seq + static_cast<int64_t>(rows.size()) + 1;
        row.entry = entries[i];
        if (row.entry.at == 0) row.entry.at = SystemClock::Instance().NowMillis();
        row.prev_hash = std::move(prev);
        row.hash = AuditLog::RowHash(key, row.prev_hash, row.chain, row.seq, row.entry);
        prev = row.hash;
        rows.push_back(std::move(row));
    }
    return rows;
}

// Where `chain` is: this process's hint, or, for the process's first append to the chain, where
// appending entries[0] alone found it (`*first` is then 1).
Result<ChainHint> LearnChain(db::Session& session, int64_t chain,
                             const std::vector<AuditEntry>& entries, size_t* first) {
    *first = 0;
    std::optional<ChainHint> hint = Hints().Get(chain);
    if (hint) return *hint;
    RETURN_IF_ERROR(AuditLog::Append(session, entries[0]));
    *first = 1;
    hint = Hints().Get(chain);
    if (!hint) return Internal("审计链 " + std::to_string(chain) + " 无位置");
    return *hint;
}

// What both forms of AppendAll start from: the chain, where it was, and entries[first..]
// chained on from there (no rows when the first entry, appended alone to learn where the chain
// is, was the only one).
struct Chained {
    int64_t chain = 0;
    ChainHint hint;
    size_t first = 0;
    std::vector<StoredAuditRow> rows;
};

Result<Chained> ChainAll(db::Session& session, const std::vector<AuditEntry>& entries) {
    if (sodium_init() < 0) return Internal("libsodium 初始化失败");
    Chained out;
    out.chain = session.connection_slot();
    ASSIGN_OR_RETURN(out.hint, LearnChain(session, out.chain, entries, &out.first));
    if (out.first < entries.size()) out.rows = ChainOn(out.chain, out.hint, entries, out.first);
    return out;
}

}  // namespace

Status AuditLog::AppendAll(db::Session& session, const std::vector<AuditEntry>& entries) {
    if (entries.empty()) return Ok();
    if (entries.size() == 1) return Append(session, entries[0]);
    ASSIGN_OR_RETURN(Chained c, ChainAll(session, entries));
    if (c.rows.empty()) return Ok();
    const int64_t chain = c.chain;
    const size_t first = c.first;
    const std::vector<StoredAuditRow>& rows = c.rows;
    ASSIGN_OR_RETURN(bool moved, AuditStore::AdvanceChainFrom(session, chain, c.hint.seq,
                                                              c.hint.head, rows.back().hash,
                                                              static_cast<int64_t>(rows.size())));
    if (!moved) {
        // Someone else moved the chain: one by one, the first learning where it is.
        for (size_t i = first; i < entries.size(); ++i) {
            RETURN_IF_ERROR(Append(session, entries[i]));
        }
        return Ok();
    }
    RETURN_IF_ERROR(AuditStore::InsertAll(session, rows));
    Hints().Set(chain, rows.back().seq, rows.back().hash);
    return Ok();
}

Status AuditLog::AppendAll(db::Session& session, db::Batch& batch,
                           const std::vector<AuditEntry>& entries) {
    if (entries.empty()) return Ok();
    ASSIGN_OR_RETURN(Chained c, ChainAll(session, entries));
    if (c.rows.empty()) return Ok();
    const int64_t chain = c.chain;
    const std::vector<StoredAuditRow>& rows = c.rows;
    // A batch runs every statement before any `then`: when this one runs, the rows are in.
    AuditStore::AdvanceChainFrom(
        batch, chain, c.hint.seq, c.hint.head, rows.back().hash, static_cast<int64_t>(rows.size()),
        [chain, seq = rows.back().seq, head = rows.back().hash](bool moved) -> Status {
            if (!moved) {
                return Unavailable("审计链 " + std::to_string(chain) + " 已被另一写入者推进");
            }
            Hints().Set(chain, seq, head);
            return Ok();
        });
    AuditStore::InsertAll(batch, rows);
    return Ok();
}

AuditEntry AuditLog::For(const Principal& who, std::string action) {
    AuditEntry e;
    e.user_id = who.user_id;
    e.username = who.username;
    if (const Grant* grant = who.PrimaryGrant()) {
        e.role = std::string(RoleName(grant->role));
        e.scope =
            std::string(ScopeKindName(grant->scope.kind)) + ":" + std::to_string(grant->scope.id);
    }
    e.action = std::move(action);
    e.client_address = who.client_address;
    e.request_id = who.request_id;
    return e;
}

Result<std::optional<AuditLog::Problem>> AuditLog::Verify(db::Session& session,
                                                          const AuditKey& key) {
    if (sodium_init() < 0) return Internal("libsodium 初始化失败");
    ASSIGN_OR_RETURN(std::vector<AuditChainHead> chains, AuditStore::Chains(session));
    std::optional<Problem> first;
    for (const AuditChainHead& chain : chains) {
        ASSIGN_OR_RETURN(std::optional<Problem> problem, VerifyChain(session, key, chain));
        // Report the earliest row across chains; a chain without rows (id 0) comes last.
        auto key = [](const Problem& p) {
            return p.row_id == 0 ? std::numeric_limits<int64_t>::max() : p.row_id;
        };
        if (problem && (!first || key(*problem) < key(*first))) first = std::move(problem);
    }
    return first;
}

}  // namespace bulwark::auth
