// The residents' own page: public routes opened by the personal code token alone.
#include "testing/api_util.hpp"
#include "testing/results/results_api.hpp"
#include "testing/results/results_json.hpp"

namespace bulwark::testing::results::internal {
namespace {

using http::Request;
using http::Response;
namespace json = boost::json;

Response TooMany(int64_t retry_after_seconds) {
    Response r = Response::TransportError(429, "too_many_requests", "请求过于频繁, 请稍后再试");
    r.AddHeader("Retry-After", std::to_string(retry_after_seconds));
    return r;
}

}  // namespace

void AddPublicRoutes(http::Router& router, std::shared_ptr<ResultsServices> services) {
    router.Add({.method = "GET",
                .pattern = "/api/v1/public/codes/:token/results",
                .is_public = true,
                .personal_data = true,
                .audit_event = "public.results",
                .handler = [services](Request& req) {
                    auto answer = services->page.Results(req.Param("token"), req.client_address,
                                                         req.request_id);
                    if (!answer.ok()) return Response::FromError(answer.error());
                    if (answer->retry_after_seconds > 0) {
                        return TooMany(answer->retry_after_seconds);
                    }
                    if (answer->not_found) return Response::FromError(NotFound("未找到"));
                    Response r = Response::Json(OwnPageJson(answer->value));
                    r.AddHeader("Cache-Control", "no-store");
                    return r;
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/public/codes/:token/home-sampling",
                .is_public = true,
                .audit_event = "public.home_sampling",
                .handler = [services](Request& req) {
                    std::string note;
                    if (!req.body.empty()) {
                        auto body = api::BodyObject(req);
                        if (!body.ok()) return Response::FromError(body.error());
                        auto given = api::OptString(*body, "note");
                        if (!given.ok()) return Response::FromError(given.error());
                        note = given->value_or("");
                    }
                    auto answer = services->page.RequestHomeSampling(
                        req.Param("token"), note, req.client_address, req.request_id);
                    if (!answer.ok()) return Response::FromError(answer.error());
                    if (answer->retry_after_seconds > 0) {
                        return TooMany(answer->retry_after_seconds);
                    }
                    if (answer->not_found) return Response::FromError(NotFound("未找到"));
                    return Response::Json(json::object{{"requested", true}}, 201);
                }});
}

}  // namespace bulwark::testing::results::internal
