#include "db/database.hpp"

#include "db/postgres/postgres_database.hpp"
#include "db/sqlite/sqlite_database.hpp"

namespace bulwark::db {

Result<std::optional<Row>> Session::QueryOne(std::string_view sql, const Params& params) {
    ASSIGN_OR_RETURN(Rows rows, Query(sql, params));
    if (rows.rows.empty()) return std::optional<Row>();
    return std::optional<Row>(std::move(rows.rows.front()));
}

Result<std::optional<int64_t>> Session::InsertId(std::string_view sql, const Params& params) {
    std::string returning;
    returning.reserve(sql.size() + 13);
    returning.append(sql).append(" RETURNING id");
    ASSIGN_OR_RETURN(auto row, QueryOne(returning, params));
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(row->Int(0));
}

Result<std::unique_ptr<Database>> Open(const Options& options) {
    const std::string& url = options.url;
    if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
        return OpenPostgres(options);
    }
    std::string path = url.rfind("sqlite:", 0) == 0 ? url.substr(7) : url;
    if (path.empty()) return InvalidArgument("数据库地址为空", "db");
    return OpenSqlite(path, options);
}

}  // namespace bulwark::db
