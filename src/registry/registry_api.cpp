#include "registry/registry_api.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "auth/guard.hpp"
#include "http/json_body.hpp"
#include "registry/registry_json.hpp"
#include "registry/transfer_api.hpp"

namespace bulwark::registry {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

Result<json::object> BodyObject(const Request& req) {
    ASSIGN_OR_RETURN(json::value body, http::ParseJsonBody(req));
    if (!body.is_object()) return InvalidArgument("请求体应为 JSON 对象");
    return std::move(body.as_object());
}

// An integer from text; nullopt if it is not one.
std::optional<int64_t> ToInt(const std::string& text) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

// The ":id" of the path; a malformed id is simply not found.
Result<int64_t> PathId(const Request& req) {
    auto id = ToInt(req.Param("id"));
    if (!id || *id <= 0) return NotFound("未找到");
    return *id;
}

Result<int64_t> QueryInt(const Request& req, const char* name, int64_t fallback) {
    auto text = req.Query(name);
    if (!text || text->empty()) return fallback;
    auto v = ToInt(*text);
    if (!v) return InvalidArgument(std::string(name) + " 应为整数", name);
    return *v;
}

Result<int64_t> BodyInt(const json::object& o, const char* name) {
    const json::value* v = o.if_contains(name);
    if (!v) return InvalidArgument(std::string("缺少字段 ") + name, name);
    if (!v->is_int64()) return InvalidArgument(std::string(name) + " 应为整数", name);
    return v->as_int64();
}

Result<std::string> BodyString(const json::object& o, const char* name, bool required = true) {
    const json::value* v = o.if_contains(name);
    if (!v || v->is_null()) {
        if (required) return InvalidArgument(std::string("缺少字段 ") + name, name);
        return std::string();
    }
    if (!v->is_string()) return InvalidArgument(std::string(name) + " 应为字符串", name);
    return std::string(v->as_string());
}

template <class F>
Response Reply(F&& f, int status = 200) {
    auto result = f();
    if (!result.ok()) return Response::FromError(result.error());
    return Response::Json(*result, status);
}

Result<ResidentQuery> ParseQuery(const Request& req) {
    ResidentQuery q;
    ASSIGN_OR_RETURN(q.street_id, QueryInt(req, "street_id", 0));
    ASSIGN_OR_RETURN(q.community_id, QueryInt(req, "community_id", 0));
    ASSIGN_OR_RETURN(q.grid_id, QueryInt(req, "grid_id", 0));
    ASSIGN_OR_RETURN(q.building_id, QueryInt(req, "building_id", 0));
    ASSIGN_OR_RETURN(int64_t page, QueryInt(req, "page", 1));
    ASSIGN_OR_RETURN(int64_t page_size, QueryInt(req, "page_size", 50));
    if (page < 1 || page > 1000000) return InvalidArgument("page 应从 1 开始", "page");
    if (page_size < 1 || page_size > 200) {
        return InvalidArgument("page_size 应在 1 到 200 之间", "page_size");
    }
    q.page = static_cast<int>(page);
    q.page_size = static_cast<int>(page_size);
    q.tag = req.Query("tag").value_or("");
    q.presence = req.Query("presence").value_or("");
    q.q = req.Query("q").value_or("");
    if (q.q.size() > 100) return InvalidArgument("查询内容过长", "q");
    q.room = req.Query("room").value_or("");
    q.sort = req.Query("sort").value_or("");
    return q;
}

// Percent-encodes UTF-8 for a Content-Disposition filename* (RFC 5987).
std::string Rfc5987(const std::string& text) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            c == '-' || c == '.' || c == '_') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

Response XlsxResponse(const ResidentExporter::File& file) {
    Response r;
    r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    r.body = file.bytes;
    r.AddHeader(
        "Content-Disposition",
        "attachment; filename=\"residents.xlsx\"; filename*=UTF-8''" + Rfc5987(file.filename));
    r.AddHeader("X-Row-Count", std::to_string(file.rows));
    return r;
}

// The filters of an export body: the keys of GET /api/v1/residents.
Result<ResidentQuery> ParseFilters(const json::object& body) {
    ResidentQuery q;
    const json::value* f = body.if_contains("filters");
    if (f == nullptr || f->is_null()) return q;
    if (!f->is_object()) return InvalidArgument("filters 应为对象", "filters");
    const json::object& o = f->as_object();
    for (auto [key, field] :
         {std::pair{"street_id", &q.street_id}, std::pair{"community_id", &q.community_id},
          std::pair{"grid_id", &q.grid_id}, std::pair{"building_id", &q.building_id}}) {
        const json::value* v = o.if_contains(key);
        if (v == nullptr || v->is_null()) continue;
        if (!v->is_int64()) return InvalidArgument(std::string(key) + " 应为整数", key);
        *field = v->as_int64();
    }
    ASSIGN_OR_RETURN(q.room, BodyString(o, "room", false));
    ASSIGN_OR_RETURN(q.sort, BodyString(o, "sort", false));
    ASSIGN_OR_RETURN(q.tag, BodyString(o, "tag", false));
    ASSIGN_OR_RETURN(q.presence, BodyString(o, "presence", false));
    ASSIGN_OR_RETURN(q.q, BodyString(o, "q", false));
    if (q.q.size() > 100) return InvalidArgument("查询内容过长", "q");
    return q;
}

}  // namespace

void AddExportRoutes(http::Router& router, std::shared_ptr<ResidentExporter> exporter) {
    using auth::PrincipalOf;

    router.Add({.method = "GET",
                .pattern = "/api/v1/residents/export.xlsx",
                .permission = "residents.export",
                .personal_data = true,
                .audit_event = "resident.export",
                .handler = [exporter](Request& req) {
                    auto query = ParseQuery(req);
                    if (!query.ok()) return Response::FromError(query.error());
                    auto file = exporter->Export(PrincipalOf(req), {.filters = *query});
                    if (!file.ok()) return Response::FromError(file.error());
                    return XlsxResponse(*file);
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/residents/export",
                .permission = "residents.export",
                .personal_data = true,
                .audit_event = "resident.export_unmasked",
                .handler = [exporter](Request& req) {
                    auto file = [&]() -> Result<ResidentExporter::File> {
                        ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                        ResidentExporter::Request request;
                        ASSIGN_OR_RETURN(request.filters, ParseFilters(body));
                        if (const json::value* u = body.if_contains("unmasked")) {
                            if (!u->is_bool() && !u->is_null()) {
                                return InvalidArgument("unmasked 应为 true 或 false", "unmasked");
                            }
                            request.unmasked = u->is_bool() && u->as_bool();
                        }
                        ASSIGN_OR_RETURN(request.reason, BodyString(body, "reason", false));
                        return exporter->Export(PrincipalOf(req), request);
                    }();
                    if (!file.ok()) return Response::FromError(file.error());
                    return XlsxResponse(*file);
                }});
}

void AddTransferRoutes(http::Router& router, std::shared_ptr<RegistryService> registry) {
    // Each service keeps the registry service (and so the keys it was made with) alive.
    auto jobs = std::shared_ptr<ImportJobs>(
        new ImportJobs(registry->database(), registry->cipher(), registry->clock()),
        [registry](ImportJobs* p) { delete p; });
    auto exporter = std::shared_ptr<ResidentExporter>(
        new ResidentExporter(*registry, registry->database(), registry->cipher(),
                             registry->clock()),
        [registry](ResidentExporter* p) { delete p; });
    auto codes =
        std::shared_ptr<CodeService>(new CodeService(registry->database(), registry->clock()),
                                     [registry](CodeService* p) { delete p; });
    AddImportRoutes(router, jobs);
    AddExportRoutes(router, exporter);
    AddCodeRoutes(router, codes);
}

void AddRoutes(http::Router& router, std::shared_ptr<RegistryService> service) {
    using auth::PrincipalOf;

    router.Add({.method = "GET",
                .pattern = "/api/v1/places",
                .permission = "residents.read",
                .handler = [service](Request& req) {
                    return Reply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(PlaceTree tree, service->Places(PrincipalOf(req)));
                        return PlaceTreeJson(tree);
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/places/streets",
                .permission = "residents.write",
                .audit_event = "place.create",
                .handler = [service](Request& req) {
                    return Reply(
                        [&]() -> Result<json::object> {
                            ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                            ASSIGN_OR_RETURN(std::string name, BodyString(body, "name"));
                            ASSIGN_OR_RETURN(std::string district,
                                             BodyString(body, "district", false));
                            ASSIGN_OR_RETURN(
                                Street s, service->CreateStreet(PrincipalOf(req), name, district));
                            return StreetJson(s);
                        },
                        201);
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/places/communities",
                .permission = "residents.write",
                .audit_event = "place.create",
                .handler = [service](Request& req) {
                    return Reply(
                        [&]() -> Result<json::object> {
                            ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                            ASSIGN_OR_RETURN(int64_t street_id, BodyInt(body, "street_id"));
                            ASSIGN_OR_RETURN(std::string name, BodyString(body, "name"));
                            ASSIGN_OR_RETURN(Community c, service->CreateCommunity(
                                                              PrincipalOf(req), street_id, name));
                            return CommunityJson(c);
                        },
                        201);
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/places/grids",
                .permission = "residents.write",
                .audit_event = "place.create",
                .handler = [service](Request& req) {
                    return Reply(
                        [&]() -> Result<json::object> {
                            ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                            ASSIGN_OR_RETURN(int64_t community_id, BodyInt(body, "community_id"));
                            ASSIGN_OR_RETURN(std::string name, BodyString(body, "name"));
                            ASSIGN_OR_RETURN(
                                Grid g, service->CreateGrid(PrincipalOf(req), community_id, name));
                            return GridJson(g);
                        },
                        201);
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/places/buildings",
                .permission = "residents.write",
                .audit_event = "place.create",
                .handler = [service](Request& req) {
                    return Reply(
                        [&]() -> Result<json::object> {
                            ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                            ASSIGN_OR_RETURN(int64_t grid_id, BodyInt(body, "grid_id"));
                            ASSIGN_OR_RETURN(std::string name, BodyString(body, "name"));
                            int64_t floors = 0;
                            if (body.contains("floors")) {
                                ASSIGN_OR_RETURN(floors, BodyInt(body, "floors"));
                            }
                            ASSIGN_OR_RETURN(
                                Building b, service->CreateBuilding(PrincipalOf(req), grid_id, name,
                                                                    static_cast<int>(floors)));
                            return BuildingJson(b);
                        },
                        201);
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/residents",
                .permission = "residents.read",
                .personal_data = true,
                .audit_event = "resident.search",
                .handler = [service](Request& req) {
                    return Reply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(ResidentQuery q, ParseQuery(req));
                        ASSIGN_OR_RETURN(ResidentPage page,
                                         service->ListResidents(PrincipalOf(req), q));
                        json::array items;
                        for (const MaskedResident& m : page.items) items.push_back(ResidentJson(m));
                        return json::object{{"items", std::move(items)},
                                            {"total", page.total},
                                            {"page", page.page},
                                            {"page_size", page.page_size}};
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/residents/duplicates",
                .permission = "residents.read",
                .personal_data = true,
                .audit_event = "resident.duplicates",
                .handler = [service](Request& req) {
                    return Reply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(auto groups, service->Duplicates(PrincipalOf(req)));
                        json::array out;
                        for (const MaskedDuplicateGroup& g : groups) {
                            json::array members;
                            for (const MaskedResident& m : g.members)
                                members.push_back(ResidentJson(m));
                            out.push_back(json::object{{"name", g.name},
                                                       {"birth_date", FormatDate(g.birth_date)},
                                                       {"members", std::move(members)}});
                        }
                        return json::object{{"groups", std::move(out)}};
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/residents/:id",
                .permission = "residents.read",
                .personal_data = true,
                .audit_event = "resident.read",
                .handler = [service](Request& req) {
                    return Reply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(MaskedResident m,
                                         service->GetResident(PrincipalOf(req), id));
                        return ResidentJson(m);
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/residents",
                .permission = "residents.write",
                .personal_data = true,
                .audit_event = "resident.create",
                .handler = [service](Request& req) {
                    return Reply(
                        [&]() -> Result<json::object> {
                            ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                            ASSIGN_OR_RETURN(ResidentInput input, ParseResidentInput(body));
                            ASSIGN_OR_RETURN(MaskedResident m,
                                             service->CreateResident(PrincipalOf(req), input));
                            return ResidentJson(m);
                        },
                        201);
                }});

    router.Add({.method = "PATCH",
                .pattern = "/api/v1/residents/:id",
                .permission = "residents.write",
                .personal_data = true,
                .audit_event = "resident.update",
                .handler = [service](Request& req) {
                    return Reply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                        ASSIGN_OR_RETURN(int64_t version, BodyInt(body, "version"));
                        ASSIGN_OR_RETURN(ResidentInput input, ParseResidentInput(body));
                        ASSIGN_OR_RETURN(
                            MaskedResident m,
                            service->UpdateResident(PrincipalOf(req), id, version, input));
                        return ResidentJson(m);
                    });
                }});

    router.Add(
        {.method = "POST",
         .pattern = "/api/v1/residents/:id/unmask",
         .permission = "residents.unmask",
         .personal_data = true,
         .audit_event = "resident.unmask",
         .handler = [service](Request& req) {
             return Reply([&]() -> Result<json::object> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req));
                 ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                 ASSIGN_OR_RETURN(std::string reason, BodyString(body, "reason", false));
                 ASSIGN_OR_RETURN(PersonalValues v, service->Unmask(PrincipalOf(req), id, reason));
                 return json::object{{"id", id}, {"doc_number", v.doc_number}, {"phone", v.phone}};
             });
         }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/residents/:id/code/reissue",
                .permission = "residents.write",
                .audit_event = "resident.code_reissue",
                .handler = [service](Request& req) {
                    return Reply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(Resident r, service->ReissueCode(PrincipalOf(req), id));
                        return json::object{{"id", r.id},
                                            {"code_token", r.code_token},
                                            {"code_issued_at", r.code_issued_at}};
                    });
                }});

    AddTransferRoutes(router, service);
}

}  // namespace bulwark::registry
