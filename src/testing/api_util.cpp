#include "testing/api_util.hpp"

#include <charconv>

#include "http/json_body.hpp"
#include "testing/model.hpp"

namespace bulwark::testing::api {
namespace {

std::optional<int64_t> ToInt(const std::string& text) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

Error Missing(const char* name) { return InvalidArgument(std::string("缺少字段 ") + name, name); }
Error Wrong(const char* name, const char* what) {
    return InvalidArgument(std::string(name) + " 应为" + what, name);
}

}  // namespace

Result<json::object> BodyObject(const http::Request& req) {
    ASSIGN_OR_RETURN(json::value body, http::ParseJsonBody(req));
    if (!body.is_object()) return InvalidArgument("请求体应为 JSON 对象");
    return std::move(body.as_object());
}

Result<int64_t> PathId(const http::Request& req, const std::string& name) {
    auto id = ToInt(req.Param(name));
    if (!id || *id <= 0) return NotFound("未找到");
    return *id;
}

Result<int64_t> QueryInt(const http::Request& req, const char* name, int64_t fallback) {
    auto text = req.Query(name);
    if (!text || text->empty()) return fallback;
    auto v = ToInt(*text);
    if (!v) return InvalidArgument(std::string(name) + " 应为整数", name);
    return *v;
}

Result<int64_t> Int(const json::object& o, const char* name) {
    ASSIGN_OR_RETURN(auto v, OptInt(o, name));
    if (!v) return Missing(name);
    return *v;
}

Result<std::optional<int64_t>> OptInt(const json::object& o, const char* name) {
    const json::value* v = o.if_contains(name);
    if (!v || v->is_null()) return std::optional<int64_t>();
    if (v->is_int64()) return std::optional<int64_t>(v->as_int64());
    if (v->is_uint64() && v->as_uint64() <= INT64_MAX) {
        return std::optional<int64_t>(static_cast<int64_t>(v->as_uint64()));
    }
    return Wrong(name, "整数");
}

Result<std::string> String(const json::object& o, const char* name) {
    ASSIGN_OR_RETURN(auto v, OptString(o, name));
    if (!v) return Missing(name);
    return std::move(*v);
}

Result<std::optional<std::string>> OptString(const json::object& o, const char* name) {
    const json::value* v = o.if_contains(name);
    if (!v || v->is_null()) return std::optional<std::string>();
    if (v->is_string()) return std::optional<std::string>(std::string(v->as_string()));
    // Forms send numbers for rooms and phones; keep them as typed.
    if (v->is_int64()) return std::optional<std::string>(std::to_string(v->as_int64()));
    return Wrong(name, "字符串");
}

Result<std::optional<bool>> OptBool(const json::object& o, const char* name) {
    const json::value* v = o.if_contains(name);
    if (!v || v->is_null()) return std::optional<bool>();
    if (!v->is_bool()) return Wrong(name, "true 或 false");
    return std::optional<bool>(v->as_bool());
}

Result<std::optional<std::vector<int64_t>>> OptIds(const json::object& o, const char* name,
                                                   size_t max) {
    const json::value* v = o.if_contains(name);
    if (!v || v->is_null()) return std::optional<std::vector<int64_t>>();
    if (!v->is_array()) return Wrong(name, "整数数组");
    const json::array& a = v->as_array();
    if (a.size() > max) return InvalidArgument(std::string(name) + " 过长", name);
    std::vector<int64_t> out;
    out.reserve(a.size());
    for (const json::value& x : a) {
        if (!x.is_int64() || x.as_int64() <= 0) return Wrong(name, "正整数数组");
        out.push_back(x.as_int64());
    }
    return std::optional<std::vector<int64_t>>(std::move(out));
}

Result<std::optional<std::vector<std::string>>> OptStrings(const json::object& o, const char* name,
                                                           size_t max) {
    const json::value* v = o.if_contains(name);
    if (!v || v->is_null()) return std::optional<std::vector<std::string>>();
    if (!v->is_array()) return Wrong(name, "字符串数组");
    const json::array& a = v->as_array();
    if (a.size() > max) return InvalidArgument(std::string(name) + " 过长", name);
    std::vector<std::string> out;
    out.reserve(a.size());
    for (const json::value& x : a) {
        if (!x.is_string()) return Wrong(name, "字符串数组");
        out.emplace_back(x.as_string());
    }
    return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::string> Key(const json::object& o) {
    ASSIGN_OR_RETURN(std::string key, String(o, "key"));
    if (!IsValidRequestKey(key)) {
        return InvalidArgument("key 应为 16 到 64 个字母、数字、- 或 _", "key");
    }
    return key;
}

http::Response Reply(const Answer& answer) {
    http::Response r;
    r.status = answer.status;
    r.content_type = "application/json; charset=utf-8";
    r.body = answer.body;
    return r;
}

http::Response Reply(const Result<Answer>& answer) {
    if (!answer.ok()) return http::Response::FromError(answer.error());
    return Reply(*answer);
}

}  // namespace bulwark::testing::api
