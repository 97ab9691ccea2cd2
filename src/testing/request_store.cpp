#include "testing/request_store.hpp"

#include <algorithm>

#include "db/sql_rows.hpp"

namespace bulwark::testing {

Result<std::optional<StoredRequest>> RequestStore::Find(db::Session& s, const std::string& key) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT id, request_key, user_id, kind, request_hash, "
                                          "status, body, created_at FROM sampling_requests "
                                          "WHERE request_key = ?",
                                          {key}));
    if (!row) return std::optional<StoredRequest>();
    const db::Value& hash = (*row)[4];
    return std::optional<StoredRequest>(
        StoredRequest{.id = row->Int(0),
                      .key = row->Text(1),
                      .user_id = row->Int(2),
                      .kind = row->Text(3),
                      .hash = hash.is_blob() ? hash.AsBlob().bytes : hash.AsText(),
                      .status = static_cast<int>(row->Int(5)),
                      .body = row->Text(6),
                      .created_at = row->Int(7)});
}

Result<bool> RequestStore::Insert(db::Session& s, const StoredRequest& r) {
    ASSIGN_OR_RETURN(auto id, s.InsertId("INSERT INTO sampling_requests (request_key, user_id, "
                                         "kind, request_hash, status, body, created_at) VALUES "
                                         "(?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_key) DO "
                                         "NOTHING",
                                         {r.key, r.user_id, r.kind, db::Blob{r.hash}, r.status,
                                          r.body, r.created_at}));
    return id.has_value();
}

Result<bool> RequestStore::InsertAll(db::Session& s, const std::vector<StoredRequest>& requests) {
    for (size_t at = 0; at < requests.size(); at += db::kMaxRowsPerStatement) {
        const size_t n = std::min(db::kMaxRowsPerStatement, requests.size() - at);
        db::Params params;
        params.reserve(n * 7);
        for (size_t i = at; i < at + n; ++i) {
            const StoredRequest& r = requests[i];
            params.insert(params.end(), {r.key, r.user_id, r.kind, db::Blob{r.hash}, r.status,
                                         r.body, r.created_at});
        }
        ASSIGN_OR_RETURN(
            int64_t inserted,
            s.Exec("INSERT INTO sampling_requests (request_key, user_id, kind, "
                   "request_hash, status, body, created_at) VALUES " +
                       db::RowPlaceholders(7, n) + " ON CONFLICT (request_key) DO NOTHING",
                   params));
        if (inserted != static_cast<int64_t>(n)) return false;
    }
    return true;
}

}  // namespace bulwark::testing
