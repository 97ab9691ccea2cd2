#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "auth/audit_log.hpp"
#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::auth {

// Filters of the audit page. Zero / empty means "any".
struct AuditQuery {
    int64_t user_id = 0;
    std::string subject_kind;
    int64_t subject_id = 0;
    std::string action;
    int64_t from = 0;                                  // Unix ms, inclusive
    int64_t to = std::numeric_limits<int64_t>::max();  // Unix ms, exclusive
    int64_t page = 1;                                  // 1-based
    int64_t page_size = 50;
    // Which rows the reader may see: every row, or those whose scope is in `visible_scopes`
    // (",community:3,grid:7,") plus, when `include_unscoped`, rows without a scope
    // (anonymous requests, the command line).
    bool all_scopes = false;
    std::string visible_scopes;
    bool include_unscoped = false;
};

struct AuditRecord {
    int64_t id = 0;
    AuditEntry entry;
};

struct AuditPage {
    std::vector<AuditRecord> rows;  // newest first
    int64_t total = 0;              // rows matching, over all pages
};

// Reads the audit_log table (written only through AuditLog::Append). Stateless; thread-safe.
class AuditQueryStore {
public:
    static Result<AuditPage> Search(db::Session& s, const AuditQuery& query);
    // Every matching row, newest first, at most `limit`; stops early when `fn` returns false.
    static Status ForEach(db::Session& s, const AuditQuery& query, int64_t limit,
                          const std::function<bool(const AuditRecord&)>& fn);

    // The FROM and WHERE of a query and their parameters: only the filters it sets, so that
    // each can use its index.
    struct Filter {
        std::string where;
        db::Params params;
    };
    static Filter FilterOf(const AuditQuery& query);
};

}  // namespace bulwark::auth
