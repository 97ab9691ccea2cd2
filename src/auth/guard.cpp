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
            const Principal& who = session->principal;
            if (changes && !CsrfTokenMatches(req, session->csrf_token)) {
                return Deny(*auth, req, &who, CsrfFailure("缺少或错误的 CSRF 令牌, 请刷新页面"),
                            "csrf token");
            }
            if (session->must_change_password && spec.permission != kSelfPermission) {
                return Deny(
                    *auth, req, &who,
                    http::Response::TransportError(403, "password_change_required", "请先修改密码"),
                    "password change required");
            }
            if (spec.permission.empty() || !who.Can(spec.permission)) {
                http::Response response =
                    NamesAnObject(spec.pattern)
                        ? http::Response::FromError(NotFound("未找到"))
                        : http::Response::FromError(PermissionDenied("没有执行此操作的权限"));
                return Deny(*auth, req, &who, std::move(response),
                            spec.permission.empty() ? "no permission declared" : spec.permission);
            }
            req.context = std::move(session->principal);
            return std::nullopt;
        };
}

}  // namespace bulwark::auth
