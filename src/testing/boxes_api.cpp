// Routes of transport boxes and the lab's receipt.
#include "auth/guard.hpp"
#include "testing/api_util.hpp"
#include "testing/testing_api.hpp"
#include "testing/testing_json.hpp"

namespace bulwark::testing {
namespace internal {
namespace {

using auth::PrincipalOf;
using http::Request;
using http::Response;
using namespace api;

// Parses the body, then runs `f(body, box_id)` for the box routes keyed by the phone.
template <class F>
Response OnBoxBody(Request& req, F&& f) {
    auto id = PathId(req);
    if (!id.ok()) return Response::FromError(id.error());
    auto body = BodyObject(req);
    if (!body.ok()) return Response::FromError(body.error());
    auto key = Key(*body);
    if (!key.ok()) return Response::FromError(key.error());
    return Reply(f(*body, *id, *key));
}

}  // namespace

void AddBoxRoutes(http::Router& router, std::shared_ptr<TestingServices> services) {
    router.Add({.method = "POST",
                .pattern = "/api/v1/sampling/boxes",
                .permission = "boxes.write",
                .handler = [services](Request& req) {
                    auto parsed = [&]() -> Result<OpenBoxRequest> {
                        ASSIGN_OR_RETURN(json::object o, BodyObject(req));
                        OpenBoxRequest r;
                        ASSIGN_OR_RETURN(r.key, Key(o));
                        ASSIGN_OR_RETURN(r.round_id, Int(o, "round_id"));
                        ASSIGN_OR_RETURN(r.site_id, Int(o, "site_id"));
                        ASSIGN_OR_RETURN(r.barcode, String(o, "barcode"));
                        RETURN_IF_ERROR(ValidateBarcode(r.barcode, "barcode"));
                        return r;
                    }();
                    if (!parsed.ok()) return Response::FromError(parsed.error());
                    return Reply(services->boxes.OpenBox(PrincipalOf(req), *parsed));
                }});

    router.Add(
        {.method = "POST",
         .pattern = "/api/v1/sampling/boxes/:id/tubes",
         .permission = "boxes.write",
         .handler = [services](Request& req) {
             return OnBoxBody(
                 req,
                 [&](const json::object& o, int64_t id, const std::string& key) -> Result<Answer> {
                     ASSIGN_OR_RETURN(std::string barcode, String(o, "tube_barcode"));
                     RETURN_IF_ERROR(ValidateBarcode(barcode, "tube_barcode"));
                     return services->boxes.PackTube(PrincipalOf(req), id, key, barcode);
                 });
         }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/sampling/boxes/:id/seal",
                .permission = "boxes.write",
                .handler = [services](Request& req) {
                    return OnBoxBody(req,
                                     [&](const json::object&, int64_t id,
                                         const std::string& key) -> Result<Answer> {
                                         return services->boxes.Seal(PrincipalOf(req), id, key);
                                     });
                }});

    router.Add(
        {.method = "POST",
         .pattern = "/api/v1/sampling/boxes/:id/handover",
         .permission = "boxes.write",
         .handler = [services](Request& req) {
             return OnBoxBody(
                 req,
                 [&](const json::object& o, int64_t id, const std::string& key) -> Result<Answer> {
                     ASSIGN_OR_RETURN(int64_t lab_id, Int(o, "lab_id"));
                     return services->boxes.HandOver(PrincipalOf(req), id, key, lab_id);
                 });
         }});

    router.Add(
        {.method = "POST",
         .pattern = "/api/v1/lab/boxes/:id/receipt",
         .permission = "boxes.receive",
         .handler = [services](Request& req) {
             return OnBoxBody(
                 req,
                 [&](const json::object& o, int64_t id, const std::string& key) -> Result<Answer> {
                     ASSIGN_OR_RETURN(auto barcodes, OptStrings(o, "tube_barcodes", 2000));
                     if (!barcodes) {
                         return InvalidArgument("缺少字段 tube_barcodes", "tube_barcodes");
                     }
                     for (const std::string& b : *barcodes) {
                         RETURN_IF_ERROR(ValidateBarcode(b, "tube_barcodes"));
                     }
                     return services->boxes.Receive(PrincipalOf(req), id, key, *barcodes);
                 });
         }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/sampling/boxes",
                .permission = "boxes.read",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t round_id, QueryInt(req, "round_id", 0));
                        ASSIGN_OR_RETURN(int64_t site_id, QueryInt(req, "site_id", 0));
                        ASSIGN_OR_RETURN(auto boxes,
                                         services->boxes.List(PrincipalOf(req), round_id, site_id));
                        json::array items;
                        for (const Box& b : boxes) items.push_back(BoxJson(b));
                        return json::object{{"items", std::move(items)}};
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/lab/boxes",
                .permission = "boxes.receive",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        std::string barcode = req.Query("barcode").value_or("");
                        if (barcode.size() > 40) return InvalidArgument("条码过长", "barcode");
                        ASSIGN_OR_RETURN(auto boxes,
                                         services->boxes.ListForLab(PrincipalOf(req), barcode));
                        json::array items;
                        for (const Box& b : boxes) items.push_back(BoxJson(b));
                        return json::object{{"items", std::move(items)}};
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/sampling/boxes/:id",
                .permission = "boxes.read",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(BoxDetail detail,
                                         services->boxes.Get(PrincipalOf(req), id));
                        json::object out = BoxJson(detail.box);
                        json::array tubes;
                        for (const Tube& t : detail.tubes) tubes.push_back(TubeJson(t));
                        out["tubes"] = std::move(tubes);
                        if (!detail.receipt.empty()) {
                            json::array missing;
                            json::array unexpected;
                            for (const ReceiptItem& item : detail.receipt) {
                                if (item.outcome == "missing") missing.emplace_back(item.barcode);
                                if (item.outcome == "unexpected") {
                                    unexpected.emplace_back(item.barcode);
                                }
                            }
                            out["receipt"] = json::object{{"missing", std::move(missing)},
                                                          {"unexpected", std::move(unexpected)}};
                        }
                        return out;
                    });
                }});
}

}  // namespace internal
}  // namespace bulwark::testing
