#include <boost/json.hpp>
#include <charconv>

#include "auth/guard.hpp"
#include "http/json_body.hpp"
#include "registry/export/sheet_writer.hpp"
#include "registry/transfer_api.hpp"

namespace bulwark::registry {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

constexpr size_t kUploadLimit = 64u << 20;

json::value Nullable(const std::string& s) { return s.empty() ? json::value() : json::value(s); }

json::object ImportJson(const ImportStatus& s) {
    json::array sheets;
    for (size_t i = 0; i < s.sheets.size(); ++i) {
        sheets.push_back(json::object{{"index", i}, {"name", s.sheets[i]}});
    }
    json::array columns;
    for (const ImportStatus::Column& c : s.columns) {
        columns.push_back(
            json::object{{"index", c.index},
                         {"letter", ColumnLetter(c.index)},
                         {"header", c.header},
                         {"field", c.field ? json::value(std::string(ImportFieldKey(*c.field)))
                                           : json::value()}});
    }
    json::array errors;
    for (const RowError& e : s.errors) {
        errors.push_back(
            json::object{{"row", e.row},
                         {"column", e.column >= 0 ? json::value(e.column) : json::value()},
                         {"field", Nullable(e.field)},
                         {"message", e.message}});
    }
    return json::object{
        {"id", s.id},
        {"filename", s.filename},
        {"community_id", s.community_id},
        {"status", s.status},
        {"message", s.message},
        {"progress", json::object{{"done", s.progress_done}, {"total", s.progress_total}}},
        {"format", s.format},
        {"encoding", s.encoding},
        {"sheets", std::move(sheets)},
        {"sheet", s.sheet},
        {"header_row", s.header_row},
        {"columns", std::move(columns)},
        {"rows_total", s.rows_total},
        {"error_count", s.error_count},
        {"errors", std::move(errors)},
        {"summary", json::object{{"created", s.summary.created},
                                 {"updated", s.summary.updated},
                                 {"unchanged", s.summary.unchanged},
                                 {"grids_created", s.summary.grids_created},
                                 {"buildings_created", s.summary.buildings_created},
                                 {"households_created", s.summary.households_created}}},
        {"created_at", s.created_at},
        {"created_by", s.created_by}};
}

template <class F>
Response Reply(F&& f, int status) {
    auto result = f();
    if (!result.ok()) return Response::FromError(result.error());
    return Response::Json(ImportJson(*result), status);
}

Result<ImportJobs::Remap> ParseRemap(const Request& req) {
    ASSIGN_OR_RETURN(json::value body, http::ParseJsonBody(req));
    if (!body.is_object()) return InvalidArgument("请求体应为 JSON 对象");
    const json::object& o = body.as_object();
    ImportJobs::Remap remap;
    for (const char* key : {"sheet", "header_row"}) {
        const json::value* v = o.if_contains(key);
        if (v == nullptr || v->is_null()) continue;
        if (!v->is_int64()) return InvalidArgument(std::string(key) + " 应为整数", key);
        (std::string_view(key) == "sheet" ? remap.sheet : remap.header_row) =
            static_cast<int>(v->as_int64());
    }
    if (const json::value* m = o.if_contains("mapping"); m != nullptr && !m->is_null()) {
        if (!m->is_object()) return InvalidArgument("mapping 应为对象", "mapping");
        for (const auto& [key, value] : m->as_object()) {
            ImportField field;
            if (!ParseImportFieldKey(key, &field)) {
                return InvalidArgument("未知字段 " + std::string(key), "mapping");
            }
            int column = -1;
            if (value.is_int64()) {
                column = static_cast<int>(value.as_int64());
            } else if (!value.is_null()) {
                return InvalidArgument("mapping." + std::string(key) + " 应为列号或 -1", "mapping");
            }
            remap.mapping.emplace_back(field, column);
        }
    }
    return remap;
}

}  // namespace

void AddImportRoutes(http::Router& router, std::shared_ptr<ImportJobs> jobs) {
    using auth::PrincipalOf;

    router.Add(
        {.method = "POST",
         .pattern = "/api/v1/imports/residents",
         .permission = "residents.import",
         .accepts = {"application/octet-stream", "text/csv", "text/plain",
                     "application/vnd.ms-excel", "application/csv",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "application/x-www-form-urlencoded"},
         .body_limit = kUploadLimit,
         .handler = [jobs](Request& req) {
             return Reply(
                 [&]() -> Result<ImportStatus> {
                     if (req.body.size() > kUploadLimit) {
                         return InvalidArgument("文件超过 64 MiB", "file");
                     }
                     int64_t community = 0;
                     std::string text = req.Query("community_id").value_or("");
                     if (!text.empty()) {
                         auto [end, ec] =
                             std::from_chars(text.data(), text.data() + text.size(), community);
                         if (ec != std::errc() || end != text.data() + text.size() ||
                             community <= 0) {
                             return InvalidArgument("community_id 应为正整数", "community_id");
                         }
                     }
                     std::string name = req.Query("filename").value_or("");
                     if (name.size() > 255) name.resize(255);
                     return jobs->Start(PrincipalOf(req), name, community, std::move(req.body));
                 },
                 202);
         }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/imports/:id",
                .permission = "residents.import",
                .handler = [jobs](Request& req) {
                    return Reply([&] { return jobs->Get(PrincipalOf(req), req.Param("id")); }, 200);
                }});

    router.Add({.method = "PUT",
                .pattern = "/api/v1/imports/:id/mapping",
                .permission = "residents.import",
                .handler = [jobs](Request& req) {
                    return Reply(
                        [&]() -> Result<ImportStatus> {
                            ASSIGN_OR_RETURN(ImportJobs::Remap remap, ParseRemap(req));
                            return jobs->ChangeMapping(PrincipalOf(req), req.Param("id"), remap);
                        },
                        202);
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/imports/:id/apply",
                .permission = "residents.import",
                .audit_event = "resident.import",
                .handler = [jobs](Request& req) {
                    return Reply([&] { return jobs->Apply(PrincipalOf(req), req.Param("id")); },
                                 202);
                }});

    router.Add(
        {.method = "GET",
         .pattern = "/api/v1/imports/:id/errors.xlsx",
         .permission = "residents.import",
         .handler = [jobs](Request& req) {
             auto errors = jobs->Errors(PrincipalOf(req), req.Param("id"));
             if (!errors.ok()) return Response::FromError(errors.error());
             auto writer = SheetWriter::Open("错误");
             if (!writer.ok()) return Response::FromError(writer.error());
             (*writer)->SetColumns({8, 8, 14, 70}, {});
             (*writer)->Header({"行号", "列", "字段", "原因"});
             for (const RowError& e : *errors) {
                 ImportField f;
                 std::string label =
                     ParseImportFieldKey(e.field, &f) ? std::string(ImportFieldLabel(f)) : "";
                 (*writer)->Row({e.row > 0 ? std::to_string(e.row) : "",
                                 e.column >= 0 ? ColumnLetter(e.column) : "", label, e.message});
             }
             auto bytes = (*writer)->Finish();
             if (!bytes.ok()) return Response::FromError(bytes.error());
             Response r;
             r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
             r.body = std::move(*bytes);
             r.AddHeader("Content-Disposition", "attachment; filename=\"import-errors.xlsx\"");
             return r;
         }});
}

}  // namespace bulwark::registry
