#include <charconv>

#include <boost/json.hpp>

#include "auth/auth_api.hpp"
#include "auth/auth_json.hpp"
#include "auth/guard.hpp"
#include "http/json_body.hpp"

namespace bulwark::auth {
namespace {

namespace json = boost::json;

// The ":id" of the path; a malformed id is simply one that does not exist.
Result<int64_t> IdParam(const http::Request& req) {
    const std::string& text = req.Param("id");
    int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
        return NotFound("未找到");
    }
    return id;
}

Result<json::object> ObjectBody(const http::Request& req) {
    ASSIGN_OR_RETURN(json::value body, http::ParseJsonBody(req));
    if (!body.is_object()) return InvalidArgument("请求体应为 JSON 对象");
    return std::move(body.as_object());
}

http::Response ListUsers(AuthServices& auth, http::Request& req) {
    auto users = auth.accounts.List(&PrincipalOf(req));
    if (!users.ok()) return http::Response::FromError(users.error());
    json::array items;
    for (const UserRecord& u : *users) items.push_back(UserJson(u));
    return http::Response::Json(json::object{{"items", std::move(items)}});
}

http::Response CreateUser(AuthServices& auth, http::Request& req) {
    auto body = ObjectBody(req);
    if (!body.ok()) return http::Response::FromError(body.error());
    NewUser input;
    auto username = StringField(*body, "username", true);
    if (!username.ok()) return http::Response::FromError(username.error());
    input.username = *username;
    auto display_name = StringField(*body, "display_name", false);
    if (!display_name.ok()) return http::Response::FromError(display_name.error());
    input.display_name = *display_name;
    auto password = StringField(*body, "password", false);
    if (!password.ok()) return http::Response::FromError(password.error());
    input.password = *password;
    // A password chosen by the administrator is known to two people: the user replaces it.
    input.must_change_password = true;
    const json::value* grants = body->if_contains("grants");
    if (grants == nullptr) {
        return http::Response::FromError(InvalidArgument("缺少字段 grants", "grants"));
    }
    auto parsed = ParseGrants(*grants);
    if (!parsed.ok()) return http::Response::FromError(parsed.error());
    input.grants = std::move(*parsed);
    auto created = auth.accounts.Create(&PrincipalOf(req), std::move(input));
    if (!created.ok()) return http::Response::FromError(created.error());
    json::object out{{"user", UserJson(created->user)}};
    if (!created->password.empty()) out["password"] = created->password;
    return http::Response::Json(out, 201);
}

http::Response GetUser(AuthServices& auth, http::Request& req) {
    auto id = IdParam(req);
    if (!id.ok()) return http::Response::FromError(id.error());
    auto user = auth.accounts.Get(&PrincipalOf(req), *id);
    if (!user.ok()) return http::Response::FromError(user.error());
    return http::Response::Json(UserJson(*user));
}

http::Response UpdateUser(AuthServices& auth, http::Request& req) {
    auto id = IdParam(req);
    if (!id.ok()) return http::Response::FromError(id.error());
    auto body = ObjectBody(req);
    if (!body.ok()) return http::Response::FromError(body.error());
    UserPatch patch;
    if (const json::value* v = body->if_contains("display_name")) {
        if (!v->is_string()) {
            return http::Response::FromError(
                InvalidArgument("display_name 应为字符串", "display_name"));
        }
        patch.display_name = std::string(v->as_string());
    }
    if (const json::value* v = body->if_contains("locked")) {
        if (!v->is_bool()) {
            return http::Response::FromError(
                InvalidArgument("locked 应为 true 或 false", "locked"));
        }
        patch.locked = v->as_bool();
    }
    if (const json::value* v = body->if_contains("grants")) {
        auto grants = ParseGrants(*v);
        if (!grants.ok()) return http::Response::FromError(grants.error());
        patch.grants = std::move(*grants);
    }
    auto user = auth.accounts.Update(&PrincipalOf(req), *id, patch);
    if (!user.ok()) return http::Response::FromError(user.error());
    return http::Response::Json(UserJson(*user));
}

http::Response ResetPassword(AuthServices& auth, http::Request& req) {
    auto id = IdParam(req);
    if (!id.ok()) return http::Response::FromError(id.error());
    auto password = auth.accounts.ResetPassword(&PrincipalOf(req), *id);
    if (!password.ok()) return http::Response::FromError(password.error());
    return http::Response::Json(json::object{{"password", *password}});
}

http::Response EndSessions(AuthServices& auth, http::Request& req) {
    auto id = IdParam(req);
    if (!id.ok()) return http::Response::FromError(id.error());
    auto ended = auth.accounts.EndSessions(&PrincipalOf(req), *id);
    if (!ended.ok()) return http::Response::FromError(ended.error());
    return http::Response::Json(json::object{{"ended", *ended}});
}

}  // namespace

void AddUserRoutes(http::Router& router, std::shared_ptr<AuthServices> auth) {
    router.Add({.method = "GET",
                .pattern = "/api/v1/users",
                .permission = "users.manage",
                .handler = [auth](http::Request& req) { return ListUsers(*auth, req); }});
    router.Add({.method = "POST",
                .pattern = "/api/v1/users",
                .permission = "users.manage",
                .audit_event = "user.create",
                .handler = [auth](http::Request& req) { return CreateUser(*auth, req); }});
    router.Add({.method = "GET",
                .pattern = "/api/v1/users/:id",
                .permission = "users.manage",
                .handler = [auth](http::Request& req) { return GetUser(*auth, req); }});
    router.Add({.method = "PATCH",
                .pattern = "/api/v1/users/:id",
                .permission = "users.manage",
                .audit_event = "user.update",
                .handler = [auth](http::Request& req) { return UpdateUser(*auth, req); }});
    router.Add({.method = "POST",
                .pattern = "/api/v1/users/:id/reset-password",
                .permission = "users.manage",
                .audit_event = "user.reset_password",
                .handler = [auth](http::Request& req) { return ResetPassword(*auth, req); }});
    router.Add({.method = "DELETE",
                .pattern = "/api/v1/users/:id/sessions",
                .permission = "users.manage",
                .audit_event = "user.end_sessions",
                .handler = [auth](http::Request& req) { return EndSessions(*auth, req); }});
}

}  // namespace bulwark::auth
