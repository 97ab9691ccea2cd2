#include <charconv>

#include "auth/guard.hpp"
#include "registry/transfer_api.hpp"

namespace bulwark::registry {
namespace {

using http::Request;
using http::Response;

std::optional<int64_t> PositiveInt(const std::string& text) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
    return v;
}

}  // namespace

std::string RequestOrigin(const Request& request) {
    std::string host(request.Header("host"));
    if (host.empty()) host = "127.0.0.1";
    return (request.secure ? "https://" : "http://") + host;
}

void AddCodeRoutes(http::Router& router, std::shared_ptr<CodeService> codes) {
    using auth::PrincipalOf;

    router.Add({.method = "GET",
                .pattern = "/api/v1/residents/:id/code.svg",
                .permission = "residents.read",
                .personal_data = true,
                .audit_event = "resident.code",
                .handler = [codes](Request& req) {
                    auto id = PositiveInt(req.Param("id"));
                    if (!id) return Response::FromError(NotFound("未找到"));
                    auto svg = codes->CodeSvg(PrincipalOf(req), *id, RequestOrigin(req));
                    if (!svg.ok()) return Response::FromError(svg.error());
                    Response r;
                    r.content_type = "image/svg+xml; charset=utf-8";
                    r.body = std::move(*svg);
                    r.AddHeader("Cache-Control", "no-store");
                    return r;
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/cards.pdf",
                .permission = "codes.print",
                .personal_data = true,
                .audit_event = "resident.codes_print",
                .handler = [codes](Request& req) {
                    int64_t ids[2] = {0, 0};
                    const char* names[2] = {"building_id", "household_id"};
                    for (int i = 0; i < 2; ++i) {
                        std::string text = req.Query(names[i]).value_or("");
                        if (text.empty()) continue;
                        auto v = PositiveInt(text);
                        if (!v) {
                            return Response::FromError(
                                InvalidArgument(std::string(names[i]) + " 应为正整数", names[i]));
                        }
                        ids[i] = *v;
                    }
                    auto pdf =
                        codes->CardsPdf(PrincipalOf(req), ids[0], ids[1], RequestOrigin(req));
                    if (!pdf.ok()) return Response::FromError(pdf.error());
                    Response r;
                    r.content_type = "application/pdf";
                    r.body = std::move(*pdf);
                    r.AddHeader("Content-Disposition", "inline; filename=\"cards.pdf\"");
                    r.AddHeader("Cache-Control", "no-store");
                    return r;
                }});
}

}  // namespace bulwark::registry
