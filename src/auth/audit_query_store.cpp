#include "auth/audit_query_store.hpp"

#include <algorithm>

namespace bulwark::auth {
namespace {

// One constant SQL text for every combination of filters, so that the statement is prepared
// once; explicit casts let PostgreSQL type the "any" parameters.
constexpr const char* kWhere =
    " FROM audit_log WHERE (CAST(? AS BIGINT) = 0 OR user_id = ?)"
    " AND (CAST(? AS TEXT) = '' OR subject_kind = ?)"
    " AND (CAST(? AS BIGINT) = 0 OR subject_id = ?)"
    " AND (CAST(? AS TEXT) = '' OR action = ?)"
    " AND at >= ? AND at < ?"
    " AND (CAST(? AS BIGINT) = 1"
    "      OR (scope = '' AND CAST(? AS BIGINT) = 1)"
    "      OR CAST(? AS TEXT) LIKE '%,' || scope || ',%')";

constexpr const char* kColumns =
    "SELECT id, user_id, username, role, scope, action, subject_kind, subject_id, reason, "
    "detail, client_address, request_id, at";

db::Params FilterParams(const AuditQuery& q) {
    return {q.user_id,
            q.user_id,
            q.subject_kind,
            q.subject_kind,
            q.subject_id,
            q.subject_id,
            q.action,
            q.action,
            q.from,
            q.to,
            q.all_scopes,
            q.include_unscoped,
            q.visible_scopes.empty() ? std::string(",") : q.visible_scopes};
}

AuditRecord FromRow(const db::Row& row) {
    AuditRecord r;
    r.id = row.Int(0);
    r.entry.user_id = row.Int(1);
    r.entry.username = row.Text(2);
    r.entry.role = row.Text(3);
    r.entry.scope = row.Text(4);
    r.entry.action = row.Text(5);
    r.entry.subject_kind = row.Text(6);
    r.entry.subject_id = row.Int(7);
    r.entry.reason = row.Text(8);
    r.entry.detail = row.Text(9);
    r.entry.client_address = row.Text(10);
    r.entry.request_id = row.Text(11);
    r.entry.at = row.Int(12);
    return r;
}

}  // namespace

Result<AuditPage> AuditQueryStore::Search(db::Session& s, const AuditQuery& query) {
    AuditPage page;
    db::Params params = FilterParams(query);
    ASSIGN_OR_RETURN(auto count, s.QueryOne(std::string("SELECT COUNT(*)") + kWhere, params));
    page.total = count ? count->Int(0) : 0;
    const int64_t size = std::clamp<int64_t>(query.page_size, 1, 500);
    const int64_t offset = (std::max<int64_t>(query.page, 1) - 1) * size;
    params.push_back(size);
    params.push_back(offset);
    ASSIGN_OR_RETURN(
        db::Rows rows,
        s.Query(std::string(kColumns) + kWhere + " ORDER BY id DESC LIMIT ? OFFSET ?", params));
    for (const db::Row& row : rows) page.rows.push_back(FromRow(row));
    return page;
}

Status AuditQueryStore::ForEach(db::Session& s, const AuditQuery& query, int64_t limit,
                                const std::function<bool(const AuditRecord&)>& fn) {
    db::Params params = FilterParams(query);
    params.push_back(limit);
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query(std::string(kColumns) + kWhere + " ORDER BY id DESC LIMIT ?", params));
    for (const db::Row& row : rows) {
        if (!fn(FromRow(row))) break;
    }
    return Ok();
}

}  // namespace bulwark::auth
