#include "auth/auth_json.hpp"

#include <algorithm>
#include <set>

#include <boost/json.hpp>

#include "auth/csrf.hpp"

namespace bulwark::auth {

namespace json = boost::json;

json::array GrantsJson(const std::vector<Grant>& grants) {
    json::array out;
    for (const Grant& g : grants) {
        out.push_back(json::object{{"role", RoleName(g.role)},
                                   {"scope_kind", ScopeKindName(g.scope.kind)},
                                   {"scope_id", g.scope.id}});
    }
    return out;
}

json::object UserJson(const UserRecord& user) {
    return json::object{{"id", user.id},
                        {"username", user.username},
                        {"display_name", user.display_name},
                        {"locked", user.locked},
                        {"must_change_password", user.must_change_password},
                        {"created_at", user.created_at},
                        {"updated_at", user.updated_at},
                        {"grants", GrantsJson(user.grants)}};
}

json::array PermissionsJson(const Principal& who) {
    std::set<std::string> all;
    for (const auto& g : who.grants) all.insert(g.permissions.begin(), g.permissions.end());
    json::array out;
    for (const std::string& p : all) out.push_back(json::string(p));
    return out;
}

Result<std::vector<Grant>> ParseGrants(const json::value& value) {
    if (!value.is_array()) return InvalidArgument("grants 应为数组", "grants");
    std::vector<Grant> grants;
    for (const json::value& item : value.as_array()) {
        const json::object* o = item.if_object();
        if (o == nullptr) return InvalidArgument("grants 的每一项应为对象", "grants");
        Grant g;
        const json::value* role = o->if_contains("role");
        const json::value* kind = o->if_contains("scope_kind");
        const json::value* id = o->if_contains("scope_id");
        if (role == nullptr || !role->is_string() ||
            !ParseRole(std::string_view(role->as_string()), &g.role)) {
            return InvalidArgument("未知角色", "grants");
        }
        if (kind == nullptr || !kind->is_string() ||
            !ParseScopeKind(std::string_view(kind->as_string()), &g.scope.kind)) {
            return InvalidArgument("未知范围类型 (street, community, grid, site, lab)", "grants");
        }
        if (id == nullptr || !id->is_int64()) {
            return InvalidArgument("scope_id 应为整数", "grants");
        }
        g.scope.id = id->as_int64();
        grants.push_back(g);
    }
    return grants;
}

Result<std::string> StringField(const json::object& object, const char* name, bool required) {
    const json::value* v = object.if_contains(name);
    if (v == nullptr || v->is_null()) {
        if (required) return InvalidArgument(std::string("缺少字段 ") + name, name);
        return std::string();
    }
    if (!v->is_string()) return InvalidArgument(std::string(name) + " 应为字符串", name);
    return std::string(v->as_string());
}

namespace {

std::string Attributes(const http::Request& request) {
    return std::string("; Path=/; SameSite=Strict") + (request.secure ? "; Secure" : "");
}

}  // namespace

void SetSessionCookies(http::Response& response, const http::Request& request,
                       const std::string& token, const std::string& csrf_token) {
    response.AddHeader("Set-Cookie", std::string(kSessionCookie) + "=" + token +
                                         Attributes(request) + "; HttpOnly");
    SetCsrfCookie(response, request, csrf_token);
}

void SetCsrfCookie(http::Response& response, const http::Request& request,
                   const std::string& csrf_token) {
    response.AddHeader("Set-Cookie",
                       std::string(kCsrfCookie) + "=" + csrf_token + Attributes(request));
}

void ClearSessionCookies(http::Response& response, const http::Request& request) {
    response.AddHeader("Set-Cookie", std::string(kSessionCookie) + "=" + Attributes(request) +
                                         "; HttpOnly; Max-Age=0");
    response.AddHeader("Set-Cookie",
                       std::string(kCsrfCookie) + "=" + Attributes(request) + "; Max-Age=0");
}

std::string ScopeText(const Scope& scope) {
    return std::string(ScopeKindName(scope.kind)) + ":" + std::to_string(scope.id);
}

}  // namespace bulwark::auth
