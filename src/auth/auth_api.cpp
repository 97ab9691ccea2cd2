#include "auth/auth_api.hpp"

#include <boost/json.hpp>

#include "auth/auth_json.hpp"
#include "auth/csrf.hpp"
#include "auth/guard.hpp"
#include "http/json_body.hpp"

namespace bulwark::auth {
namespace {

namespace json = boost::json;

ClientInfo ClientOf(const http::Request& req) {
    return ClientInfo{.address = req.client_address,
                      .user_agent = std::string(req.Header("user-agent")),
                      .request_id = req.request_id};
}

Result<json::object> ObjectBody(const http::Request& req) {
    ASSIGN_OR_RETURN(json::value body, http::ParseJsonBody(req));
    if (!body.is_object()) return InvalidArgument("请求体应为 JSON 对象");
    return std::move(body.as_object());
}

json::object MeJson(const UserRecord& user, const Principal& who, const std::string& csrf) {
    return json::object{
        {"user", UserJson(user)}, {"csrf_token", csrf}, {"permissions", PermissionsJson(who)}};
}

http::Response Login(AuthServices& auth, http::Request& req) {
    auto body = ObjectBody(req);
    if (!body.ok()) return http::Response::FromError(body.error());
    auto username = StringField(*body, "username", true);
    if (!username.ok()) return http::Response::FromError(username.error());
    auto password = StringField(*body, "password", true);
    if (!password.ok()) return http::Response::FromError(password.error());

    auto outcome =
        auth.sessions.Login(*username, *password, ClientOf(req), req.Cookie(kSessionCookie));
    if (!outcome.ok()) return http::Response::FromError(outcome.error());
    switch (outcome->kind) {
        case LoginOutcome::Kind::kLimited: {
            http::Response r =
                http::Response::TransportError(429, "too_many_requests", outcome->message);
            r.AddHeader("Retry-After", std::to_string(outcome->retry_after_seconds));
            return r;
        }
        case LoginOutcome::Kind::kRejected:
            return http::Response::FromError(Unauthenticated(outcome->message));
        case LoginOutcome::Kind::kSignedIn:
            break;
    }
    http::Response r =
        http::Response::Json(MeJson(outcome->user, outcome->principal, outcome->csrf_token));
    SetSessionCookies(r, req, outcome->token, outcome->csrf_token);
    return r;
}

http::Response Me(AuthServices& auth, http::Request& req) {
    // The guard resolved the session already; this second look-up fetches its CSRF token.
    auto session = auth.sessions.Authenticate(req.Cookie(kSessionCookie), ClientOf(req));
    if (!session.ok()) return http::Response::FromError(session.error());
    const Principal& who = PrincipalOf(req);
    auto user = auth.accounts.Get(nullptr, who.user_id);
    if (!user.ok()) return http::Response::FromError(user.error());
    http::Response r = http::Response::Json(MeJson(*user, who, session->csrf_token));
    SetCsrfCookie(r, req, session->csrf_token);
    return r;
}

http::Response Logout(AuthServices& auth, http::Request& req) {
    Status s = auth.sessions.Logout(PrincipalOf(req));
    if (!s.ok()) return http::Response::FromError(s.error());
    http::Response r = http::Response::Empty(204);
    ClearSessionCookies(r, req);
    return r;
}

http::Response ChangePassword(AuthServices& auth, http::Request& req) {
    auto body = ObjectBody(req);
    if (!body.ok()) return http::Response::FromError(body.error());
    auto old_password = StringField(*body, "old_password", true);
    if (!old_password.ok()) return http::Response::FromError(old_password.error());
    auto new_password = StringField(*body, "new_password", true);
    if (!new_password.ok()) return http::Response::FromError(new_password.error());
    Status s = auth.accounts.ChangeOwnPassword(PrincipalOf(req), *old_password, *new_password,
                                               auth.sessions.limiter());
    if (!s.ok()) return http::Response::FromError(s.error());
    return http::Response::Empty(204);
}

}  // namespace

void AddSessionRoutes(http::Router& router, std::shared_ptr<AuthServices> auth) {
    router.Add({.method = "POST",
                .pattern = "/api/v1/auth/login",
                .is_public = true,
                .audit_event = "login",
                .handler = [auth](http::Request& req) { return Login(*auth, req); }});
    router.Add({.method = "POST",
                .pattern = "/api/v1/auth/logout",
                .permission = "account.self",
                .audit_event = "logout",
                .handler = [auth](http::Request& req) { return Logout(*auth, req); }});
    router.Add({.method = "GET",
                .pattern = "/api/v1/auth/me",
                .permission = "account.self",
                .handler = [auth](http::Request& req) { return Me(*auth, req); }});
    router.Add({.method = "POST",
                .pattern = "/api/v1/auth/password",
                .permission = "account.self",
                .audit_event = "password.change",
                .handler = [auth](http::Request& req) { return ChangePassword(*auth, req); }});
}

void AddRoutes(http::Router& router, std::shared_ptr<AuthServices> auth) {
    AddSessionRoutes(router, auth);
    AddUserRoutes(router, auth);
    AddAuditRoutes(router, auth);
}

}  // namespace bulwark::auth
