#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <xlsxwriter.h>
#include <boost/json.hpp>

#include "auth/audit_query_store.hpp"
#include "auth/auth_api.hpp"
#include "auth/auth_json.hpp"
#include "auth/guard.hpp"

namespace bulwark::auth {
namespace {

namespace json = boost::json;

constexpr int64_t kExportLimit = 100000;

Result<int64_t> IntQuery(const http::Request& req, const char* name, int64_t fallback) {
    auto text = req.Query(name);
    if (!text || text->empty()) return fallback;
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value < 0) {
        return InvalidArgument(std::string(name) + " 应为非负整数", name);
    }
    return value;
}

// The filters of the query string, limited to the rows `who` may see with `permission`: rows of
// the scopes (and the scopes within them) where it is granted; rows without a scope (anonymous
// requests, the command line) only for holders at street level.
Result<AuditQuery> ParseQuery(AuthServices& auth, const http::Request& req,
                              std::string_view permission) {
    AuditQuery q;
    ASSIGN_OR_RETURN(q.user_id, IntQuery(req, "user_id", 0));
    ASSIGN_OR_RETURN(q.subject_id, IntQuery(req, "subject_id", 0));
    q.subject_kind = req.Query("subject_kind").value_or("");
    q.action = req.Query("action").value_or("");
    ASSIGN_OR_RETURN(q.from, IntQuery(req, "from", 0));
    ASSIGN_OR_RETURN(q.to, IntQuery(req, "to", q.to));
    ASSIGN_OR_RETURN(q.page, IntQuery(req, "page", 1));
    ASSIGN_OR_RETURN(q.page_size, IntQuery(req, "page_size", 50));
    if (q.page < 1) q.page = 1;
    if (q.page_size < 1 || q.page_size > 500) {
        return InvalidArgument("page_size 应在 1 到 500 之间", "page_size");
    }
    const Principal& who = PrincipalOf(req);
    std::vector<Scope> granted = who.ScopesFor(permission);
    RETURN_IF_ERROR(auth.db.Read([&](db::Session& s) -> Status {
        q.visible_scopes = ",";
        for (const Scope& scope : granted) {
            if (scope.kind == ScopeKind::kStreet) q.include_unscoped = true;
            ASSIGN_OR_RETURN(std::vector<Scope> within, auth.scopes->ScopesWithin(s, scope));
            for (const Scope& inner : within) q.visible_scopes += ScopeText(inner) + ",";
        }
        return Ok();
    }));
    return q;
}

json::object RowJson(const AuditRecord& r) {
    const AuditEntry& e = r.entry;
    return json::object{{"id", r.id},
                        {"at", e.at},
                        {"user_id", e.user_id},
                        {"username", e.username},
                        {"role", e.role},
                        {"scope", e.scope},
                        {"action", e.action},
                        {"subject_kind", e.subject_kind},
                        {"subject_id", e.subject_id},
                        {"reason", e.reason},
                        {"detail", e.detail},
                        {"client_address", e.client_address},
                        {"request_id", e.request_id}};
}

std::string LocalTime(int64_t ms) {
    std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    localtime_r(&seconds, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

const std::vector<std::string>& ExportHeader() {
    static const std::vector<std::string> header = {
        "编号",     "时间",     "用户编号", "用户名", "角色",       "范围",    "操作",
        "对象类型", "对象编号", "理由",     "详情",   "客户端地址", "请求编号"};
    return header;
}

std::vector<std::string> ExportCells(const AuditRecord& r) {
    const AuditEntry& e = r.entry;
    return {std::to_string(r.id),
            LocalTime(e.at),
            std::to_string(e.user_id),
            e.username,
            e.role,
            e.scope,
            e.action,
            e.subject_kind,
            std::to_string(e.subject_id),
            e.reason,
            e.detail,
            e.client_address,
            e.request_id};
}

// A CSV cell: quoted, and with a leading quote mark before = + - @ so that a spreadsheet never
// runs it as a formula.
std::string CsvCell(std::string value) {
    if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' ||
                           value[0] == '@' || value[0] == '\t' || value[0] == '\r')) {
        value.insert(0, "'");
    }
    std::string out = "\"";
    for (char c : value) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string ToCsv(const std::vector<AuditRecord>& rows) {
    std::string out = "\xEF\xBB\xBF";  // BOM: spreadsheets then read the UTF-8 as UTF-8
    auto line = [&out](const std::vector<std::string>& cells) {
        for (size_t i = 0; i < cells.size(); ++i) {
            if (i > 0) out += ',';
            out += CsvCell(cells[i]);
        }
        out += "\r\n";
    };
    line(ExportHeader());
    for (const AuditRecord& r : rows) line(ExportCells(r));
    return out;
}

// libxlsxwriter writes only to files: a private temporary file, read back and removed.
Result<std::string> ToXlsx(const std::vector<AuditRecord>& rows) {
    std::string path =
        (std::filesystem::temp_directory_path() / "bulwark-audit-XXXXXX.xlsx").string();
    int fd = ::mkstemps(path.data(), 5);
    if (fd < 0) return Internal("无法创建临时文件");
    ::close(fd);
    lxw_workbook* workbook = workbook_new(path.c_str());
    if (workbook == nullptr) {
        std::remove(path.c_str());
        return Internal("无法创建 xlsx 文件");
    }
    lxw_worksheet* sheet = workbook_add_worksheet(workbook, "审计日志");
    const auto& header = ExportHeader();
    for (size_t c = 0; c < header.size(); ++c) {
        worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), header[c].c_str(), nullptr);
    }
    for (size_t r = 0; r < rows.size(); ++r) {
        std::vector<std::string> cells = ExportCells(rows[r]);
        for (size_t c = 0; c < cells.size(); ++c) {
            worksheet_write_string(sheet, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c),
                                   cells[c].c_str(), nullptr);
        }
    }
    lxw_error closed = workbook_close(workbook);
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    std::remove(path.c_str());
    if (closed != LXW_NO_ERROR) return Internal("写 xlsx 失败");
    return bytes.str();
}

http::Response Search(AuthServices& auth, http::Request& req) {
    auto query = ParseQuery(auth, req, "audit.read");
    if (!query.ok()) return http::Response::FromError(query.error());
    auto page =
        auth.db.ReadValue([&](db::Session& s) { return AuditQueryStore::Search(s, *query); });
    if (!page.ok()) return http::Response::FromError(page.error());
    json::array items;
    for (const AuditRecord& r : page->rows) items.push_back(RowJson(r));
    return http::Response::Json(json::object{{"items", std::move(items)},
                                             {"total", page->total},
                                             {"page", query->page},
                                             {"page_size", query->page_size}});
}

http::Response Export(AuthServices& auth, http::Request& req) {
    std::string format = req.Query("format").value_or("csv");
    if (format != "csv" && format != "xlsx") {
        return http::Response::FromError(InvalidArgument("format 应为 csv 或 xlsx", "format"));
    }
    auto query = ParseQuery(auth, req, "audit.export");
    if (!query.ok()) return http::Response::FromError(query.error());
    std::vector<AuditRecord> rows;
    Status read = auth.db.Read([&](db::Session& s) {
        return AuditQueryStore::ForEach(s, *query, kExportLimit, [&](const AuditRecord& r) {
            rows.push_back(r);
            return true;
        });
    });
    if (!read.ok()) return http::Response::FromError(read.error());

    // The export is itself audited, before any byte of it leaves.
    AuditEntry e = AuditLog::For(PrincipalOf(req), "audit.export");
    e.detail = "format=" + format + " rows=" + std::to_string(rows.size()) + " filter=" +
               req.target.substr(req.target.find('?') == std::string::npos ? req.target.size()
                                                                           : req.target.find('?'));
    e.at = auth.clock.NowMillis();
    Status audited = auth.db.Write([&](db::Session& s) { return AuditLog::Append(s, e); });
    if (!audited.ok()) return http::Response::FromError(audited.error());

    http::Response r;
    std::string date = LocalTime(e.at).substr(0, 10);
    if (format == "csv") {
        r.content_type = "text/csv; charset=utf-8";
        r.body = ToCsv(rows);
    } else {
        auto bytes = ToXlsx(rows);
        if (!bytes.ok()) return http::Response::FromError(bytes.error());
        r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        r.body = std::move(*bytes);
    }
    r.AddHeader("Content-Disposition",
                "attachment; filename=\"audit-" + date + "." + format + "\"");
    return r;
}

}  // namespace

void AddAuditRoutes(http::Router& router, std::shared_ptr<AuthServices> auth) {
    router.Add({.method = "GET",
                .pattern = "/api/v1/audit",
                .permission = "audit.read",
                .handler = [auth](http::Request& req) { return Search(*auth, req); }});
    router.Add({.method = "GET",
                .pattern = "/api/v1/audit/export",
                .permission = "audit.export",
                .audit_event = "audit.export",
                .handler = [auth](http::Request& req) { return Export(*auth, req); }});
}

}  // namespace bulwark::auth
