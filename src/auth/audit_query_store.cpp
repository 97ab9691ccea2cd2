#include "auth/audit_query_store.hpp"

#include <algorithm>

namespace bulwark::auth {
namespace {

// The filters a query sets, as SQL built from constant pieces (never from values): a filter
// left out is left out of the text, so that the planner can use its index (audit_log_user,
// _subject, _action; a single text with "? = 0 OR user_id = ?" for every filter gave SQLite a
// plan by the time index only). At most 16 texts, each prepared once per connection.
constexpr const char* kScopes =
    " AND (CAST(? AS BIGINT) = 1"
    "      OR (scope = '' AND CAST(? AS BIGINT) = 1)"
    "      OR CAST(? AS TEXT) LIKE '%,' || scope || ',%')";

constexpr const char* kColumns =
    "SELECT id, user_id, username, role, scope, action, subject_kind, subject_id, reason, "
    "detail, client_address, request_id, at";

}  // namespace

AuditQueryStore::Filter AuditQueryStore::FilterOf(const AuditQuery& q) {
    Filter f;
    f.where = " FROM audit_log WHERE at >= ? AND at < ?";
    f.params = {q.from, q.to};
    // One condition per filter that is set; `column` is a constant.
    auto add = [&f](bool set, const char* column, db::Value value) {
        if (!set) return;
        f.where += " AND ";
        f.where += column;
        f.where += " = ?";
        f.params.push_back(std::move(value));
    };
    add(q.user_id != 0, "user_id", q.user_id);
    add(!q.subject_kind.empty(), "subject_kind", q.subject_kind);
    add(q.subject_id != 0, "subject_id", q.subject_id);
    add(!q.action.empty(), "action", q.action);
    f.where += kScopes;
    f.params.push_back(q.all_scopes);
    f.params.push_back(q.include_unscoped);
    f.params.push_back(q.visible_scopes.empty() ? std::string(",") : q.visible_scopes);
    return f;
}

namespace {

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
    Filter filter = FilterOf(query);
    db::Params& params = filter.params;
    ASSIGN_OR_RETURN(auto count, s.QueryOne("SELECT COUNT(*)" + filter.where, params));
    page.total = count ? count->Int(0) : 0;
    const int64_t size = std::clamp<int64_t>(query.page_size, 1, 500);
    const int64_t offset = (std::max<int64_t>(query.page, 1) - 1) * size;
    params.push_back(size);
    params.push_back(offset);
    ASSIGN_OR_RETURN(
        db::Rows rows,
        s.Query(kColumns + filter.where + " ORDER BY id DESC LIMIT ? OFFSET ?", params));
    for (const db::Row& row : rows) page.rows.push_back(FromRow(row));
    return page;
}

Status AuditQueryStore::ForEach(db::Session& s, const AuditQuery& query, int64_t limit,
                                const std::function<bool(const AuditRecord&)>& fn) {
    Filter filter = FilterOf(query);
    filter.params.push_back(limit);
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query(kColumns + filter.where + " ORDER BY id DESC LIMIT ?", filter.params));
    for (const db::Row& row : rows) {
        if (!fn(FromRow(row))) break;
    }
    return Ok();
}

}  // namespace bulwark::auth
