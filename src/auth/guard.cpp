#include "auth/guard.hpp"

#include <string>

#include <spdlog/spdlog.h>

#include "auth/audit_log.hpp"
#include "auth/csrf.hpp"

namespace bulwark::auth {
namespace {

constexpr std::string_view kSelfPermission = "account.self";

bool NamesAnObject(const std::string& pattern) { return pattern.find("/:") != std::string::npos; }

ClientInfo ClientOf(const http::Request& req) {
    return ClientInfo{.address = req.client_address,
                      .user_agent = std::string(req.Header("user-agent")),
                      .request_id = req.request_id};
}

// Audits the denial, then answers `response`.
std::optional<http::Response> Deny(AuthServices& auth, const http::Request& req,
                                   const Principal* who, http::Response response,
                                   std::string_view reason) {
    AuditEntry e;
    if (who != nullptr) {
        e = AuditLog::For(*who, "request.denied");
    } else {
        e.action = "request.denied";
        e.client_address = req.client_address;
        e.request_id = req.request_id;
    }
    e.detail = req.method + " " + req.path + " " + std::to_string(response.status) + " " +
               std::string(reason);
    e.at = auth.clock.NowMillis();
    Status written = auth.db.Write([&](db::Session& s) { return AuditLog::Append(s, e); });
    if (!written.ok()) {
        spdlog::error("request {}: audit row for a denial not written: {}", req.request_id,
                      written.error().message);
    }
    return response;
}

http::Response CsrfFailure(std::string message) {
    return http::Response::TransportError(403, "csrf", message);
}

}  // namespace

const Principal& PrincipalOf(const http::Request& request) {
    static const Principal kNobody;
    const Principal* who = std::any_cast<Principal>(&request.context);
    return who != nullptr ? *who : kNobody;
}

namespace {

// Steps 4 to 6 of the guard for a request whose session is known: the response and the
// reason when it is refused, else nothing.
struct Refusal {
    http::Response response;
    std::string reason;
};
std::optional<Refusal> RefusalOf(const http::RouteSpec& spec, const http::Request& req,
                                 const Authenticated& session) {
    const Principal& who = session.principal;
    if (ChangesState(req.method) && !CsrfTokenMatches(req, session.csrf_token)) {
        return Refusal{CsrfFailure("缺少或错误的 CSRF 令牌, 请刷新页面"), "csrf token"};
    }
    if (session.must_change_password && spec.permission != kSelfPermission) {
        return Refusal{
            http::Response::TransportError(403, "password_change_required", "请先修改密码"),
            "password change required"};
    }
    if (spec.permission.empty() || !who.Can(spec.permission)) {
        http::Response response =
            NamesAnObject(spec.pattern)
                ? http::Response::FromError(NotFound("未找到"))
                : http::Response::FromError(PermissionDenied("没有执行此操作的权限"));
        return Refusal{std::move(response),
                       spec.permission.empty() ? "no permission declared" : spec.permission};
    }
    return std::nullopt;
}

}  // namespace

http::QuickGuard MakeQuickGuard(std::shared_ptr<AuthServices> auth) {
    return [auth](const http::RouteSpec& spec, http::Request& req) {
        if (spec.is_public || (ChangesState(req.method) && !SameOrigin(req))) return false;
        auto session = auth->sessions.AuthenticateCached(req.Cookie(kSessionCookie), ClientOf(req));
        if (!session || RefusalOf(spec, req, *session)) return false;
        req.context = std::move(session->principal);
        return true;
    };
}

http::Guard MakeGuard(std::shared_ptr<AuthServices> auth) {
    return
        [auth](const http::RouteSpec& spec, http::Request& req) -> std::optional<http::Response> {
            const bool changes = ChangesState(req.method);
            if (changes && !SameOrigin(req)) {
                return Deny(*auth, req, nullptr, CsrfFailure("请求来源与本站不一致"), "origin");
            }
            if (spec.is_public) return std::nullopt;

            auto session = auth->sessions.Authenticate(req.Cookie(kSessionCookie), ClientOf(req));
            if (!session.ok()) {
                if (session.error().code != ErrorCode::kUnauthenticated) {
                    return http::Response::FromError(session.error());
                }
                http::Response response = http::Response::FromError(session.error());
                if (!req.Cookie(kSessionCookie).empty()) {
                    response.AddHeader("Set-Cookie", std::string(kSessionCookie) +
                                                         "=; Path=/; Max-Age=0; HttpOnly; "
                                                         "SameSite=Strict");
                }
                return Deny(*auth, req, nullptr, std::move(response), "unauthenticated");
            }
            if (auto refused = RefusalOf(spec, req, *session)) {
                return Deny(*auth, req, &session->principal, std::move(refused->response),
                            refused->reason);
            }
            req.context = std::move(session->principal);
            return std::nullopt;
        };
}

}  // namespace bulwark::auth
