#include "testing/request_store.hpp"

#include <algorithm>

#include "db/batch.hpp"
#include "db/sql_rows.hpp"

namespace bulwark::testing {

namespace {

constexpr const char* kColumns =
    "SELECT request_key, user_id, kind, request_hash, status, body, created_at FROM "
    "sampling_requests ";

StoredRequest RequestFrom(const db::Row& row) {
    const db::Value& hash = row[3];
    return StoredRequest{.key = row.Text(0),
                         .user_id = row.Int(1),
                         .kind = row.Text(2),
                         .hash = hash.is_blob() ? hash.AsBlob().bytes : hash.AsText(),
                         .status = static_cast<int>(row.Int(4)),
                         .body = row.Text(5),
                         .created_at = row.Int(6)};
}

}  // namespace

Result<std::optional<StoredRequest>> RequestStore::Find(db::Session& s, const std::string& key) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string(kColumns) + "WHERE request_key = ?", {key}));
    if (!row) return std::optional<StoredRequest>();
    return std::optional<StoredRequest>(RequestFrom(*row));
}

void RequestStore::FindAll(db::Batch& batch, const std::vector<std::string>& keys,
                           std::vector<StoredRequest>* out) {
    for (size_t at = 0; at < keys.size(); at += db::kMaxRowsPerStatement) {
        const size_t n = std::min(db::kMaxRowsPerStatement, keys.size() - at);
        db::Params params(keys.begin() + static_cast<long>(at),
                          keys.begin() + static_cast<long>(at + n));
        batch.Add(
            std::string(kColumns) + "WHERE request_key IN (" + db::RowPlaceholders(1, n) + ")",
            std::move(params), [out](db::Outcome& o) -> Status {
                for (const db::Row& row : o.rows) out->push_back(RequestFrom(row));
                return Ok();
            });
    }
}

Result<bool> RequestStore::Insert(db::Session& s, const StoredRequest& r) {
    ASSIGN_OR_RETURN(auto changed, s.Exec("INSERT INTO sampling_requests (request_key, user_id, "
                                          "kind, request_hash, status, body, created_at) VALUES "
                                          "(?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_key) DO "
                                          "NOTHING",
                                          {r.key, r.user_id, r.kind, db::Blob{r.hash}, r.status,
                                           r.body, r.created_at}));
    return changed == 1;
}

void RequestStore::InsertAll(db::Batch& batch, const std::vector<StoredRequest>& requests,
                             bool* all) {
    for (size_t at = 0; at < requests.size(); at += db::kMaxRowsPerStatement) {
        const size_t n = std::min(db::kMaxRowsPerStatement, requests.size() - at);
        db::Params params;
        params.reserve(n * 7);
        for (size_t i = at; i < at + n; ++i) {
            const StoredRequest& r = requests[i];
            params.insert(params.end(), {r.key, r.user_id, r.kind, db::Blob{r.hash}, r.status,
                                         r.body, r.created_at});
        }
        batch.Add(
            "INSERT INTO sampling_requests (request_key, user_id, kind, request_hash, "
            "status, body, created_at) VALUES " +
                db::RowPlaceholders(7, n),
            std::move(params), [all, n](db::Outcome& o) -> Status {
                if (o.changed != static_cast<int64_t>(n)) *all = false;
                return Ok();
            });
    }
}

}  // namespace bulwark::testing
