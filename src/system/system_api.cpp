#include "system/system_api.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <boost/json.hpp>

#include "http/json_body.hpp"
#include "system/system_store.hpp"

namespace bulwark::system {
namespace {

namespace json = boost::json;

bool IsKeyChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

json::object ToJson(const ClientError& e) {
    return {{"id", e.id},
            {"key", e.key},
            {"message", e.message},
            {"page", e.page},
            {"user_agent", e.user_agent},
            {"received_at", e.received_at}};
}

// Reads and checks the body of POST /api/v1/client-errors.
Result<ClientError> ParseClientError(const http::Request& req) {
    ASSIGN_OR_RETURN(json::value body, http::ParseJsonBody(req));
    if (!body.is_object()) return InvalidArgument("请求体应为 JSON 对象");
    const json::object& o = body.as_object();
    ClientError e;
    auto text = [&](const char* name, size_t max, bool required, std::string* out) -> Status {
        const json::value* v = o.if_contains(name);
        if (!v || v->is_null()) {
            if (required) return InvalidArgument(std::string("缺少字段 ") + name, name);
            return Ok();
        }
        if (!v->is_string()) return InvalidArgument(std::string(name) + " 应为字符串", name);
        std::string s(v->as_string());
        if (s.size() > max) {
            return InvalidArgument(
                std::string(name) + " 过长 (最多 " + std::to_string(max) + " 字节)", name);
        }
        *out = std::move(s);
        return Ok();
    };
    RETURN_IF_ERROR(text("key", 64, true, &e.key));
    if (e.key.size() < 8 || !std::all_of(e.key.begin(), e.key.end(), IsKeyChar)) {
        return InvalidArgument("key 应为 8 到 64 个字母、数字或 -_.", "key");
    }
    RETURN_IF_ERROR(text("message", 2000, true, &e.message));
    if (e.message.empty()) return InvalidArgument("message 不能为空", "message");
    RETURN_IF_ERROR(text("page", 500, false, &e.page));
    e.user_agent = std::string(req.Header("user-agent").substr(0, 300));
    return e;
}

}  // namespace

void AddRoutes(http::Router& router, db::Database& db, Clock& clock, SystemInfo info) {
    // Answered on the I/O thread: it touches nothing that could block.
    router.Add({.method = "GET",
                .pattern = "/healthz",
                .is_public = true,
                .runs_inline = true,
                .handler = [](http::Request&) { return http::Response::Empty(200); }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/system/info",
                .permission = "system.info.read",
                .handler = [info, &clock](http::Request&) {
                    return http::Response::Json(json::object{
                        {"name", "Bulwark"},
                        {"version", info.version},
                        {"commit", info.commit},
                        {"database", info.database},
                        {"started_at", info.started_at},
                        {"server_time", clock.NowMillis()},
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/client-errors",
                .permission = "system.client_errors.write",
                .handler = [&db, &clock](http::Request& req) {
                    auto parsed = ParseClientError(req);
                    if (!parsed.ok()) return http::Response::FromError(parsed.error());
                    parsed->received_at = clock.NowMillis();
                    auto stored = db.WriteValue(
                        [&](db::Session& s) { return SystemStore::RecordClientError(s, *parsed); });
                    if (!stored.ok()) return http::Response::FromError(stored.error());
                    return http::Response::Json(ToJson(*stored), 201);
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/client-errors",
                .permission = "system.client_errors.read",
                .handler = [&db](http::Request& req) {
                    int limit = 100;
                    if (auto l = req.Query("limit")) {
                        limit = std::clamp(std::atoi(l->c_str()), 1, 1000);
                    }
                    auto list = db.ReadValue(
                        [&](db::Session& s) { return SystemStore::ListClientErrors(s, limit); });
                    if (!list.ok()) return http::Response::FromError(list.error());
                    json::array items;
                    for (const auto& e : *list) items.push_back(ToJson(e));
                    return http::Response::Json(json::object{{"items", std::move(items)}});
                }});
}

}  // namespace bulwark::system
