// Routes of the sampling page: tubes, scans, the offline batch, people without a code, live.
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

constexpr size_t kMaxBatch = 200;

Result<OpenTubeRequest> ParseOpenTube(const json::object& o) {
    OpenTubeRequest r;
    ASSIGN_OR_RETURN(r.key, Key(o));
    ASSIGN_OR_RETURN(r.round_id, Int(o, "round_id"));
    ASSIGN_OR_RETURN(r.site_id, Int(o, "site_id"));
    ASSIGN_OR_RETURN(r.table_id, Int(o, "table_id"));
    ASSIGN_OR_RETURN(r.barcode, String(o, "barcode"));
    RETURN_IF_ERROR(ValidateBarcode(r.barcode, "barcode"));
    ASSIGN_OR_RETURN(auto pool, OptInt(o, "pool_size"));
    if (pool) {
        if (!IsValidPoolSize(*pool)) {
            return InvalidArgument("混采人数应为 1、5、10 或 20", "pool_size");
        }
        r.pool_size = static_cast<int>(*pool);
    }
    return r;
}

Result<ScanRequest> ParseScan(const json::object& o) {
    ScanRequest r;
    ASSIGN_OR_RETURN(r.key, Key(o));
    ASSIGN_OR_RETURN(r.tube_barcode, String(o, "tube_barcode"));
    RETURN_IF_ERROR(ValidateBarcode(r.tube_barcode, "tube_barcode"));
    ASSIGN_OR_RETURN(auto code, OptString(o, "code"));
    ASSIGN_OR_RETURN(auto resident_id, OptInt(o, "resident_id"));
    if ((code && !code->empty()) == (resident_id.has_value())) {
        return InvalidArgument("code 与 resident_id 应恰好填一个", "code");
    }
    if (code) {
        if (code->size() > 64) return InvalidArgument("采样码过长", "code");
        r.code = *code;
    }
    if (resident_id) {
        if (*resident_id <= 0) return InvalidArgument("resident_id 应为正整数", "resident_id");
        r.resident_id = *resident_id;
    }
    ASSIGN_OR_RETURN(auto scanned_at, OptInt(o, "scanned_at"));
    if (scanned_at) {
        if (*scanned_at <= 0) return InvalidArgument("scanned_at 应为毫秒时间戳", "scanned_at");
        r.scanned_at = *scanned_at;
    }
    return r;
}

// A close sent alone names the tube in its path; a queued one may name it by barcode.
Result<CloseTubeRequest> ParseClose(const json::object& o, int64_t path_id) {
    CloseTubeRequest r;
    ASSIGN_OR_RETURN(r.key, Key(o));
    r.tube_id = path_id;
    if (path_id == 0) {
        ASSIGN_OR_RETURN(auto id, OptInt(o, "tube_id"));
        ASSIGN_OR_RETURN(auto barcode, OptString(o, "tube_barcode"));
        if (id) {
            r.tube_id = *id;
        } else if (barcode) {
            r.tube_barcode = *barcode;
            RETURN_IF_ERROR(ValidateBarcode(r.tube_barcode, "tube_barcode"));
        } else {
            return InvalidArgument("请给出 tube_id 或 tube_barcode", "tube_barcode");
        }
    }
    return r;
}

// One item of a batch, answered as if sent alone.
Result<Answer> RunItem(TestingServices& services, const auth::Principal& who,
                       const json::object& item) {
    ASSIGN_OR_RETURN(std::string kind, String(item, "kind"));
    if (kind == "scan") {
        ASSIGN_OR_RETURN(ScanRequest r, ParseScan(item));
        return services.sampling.Scan(who, r);
    }
    if (kind == "open_tube") {
        ASSIGN_OR_RETURN(OpenTubeRequest r, ParseOpenTube(item));
        return services.sampling.OpenTube(who, r);
    }
    if (kind == "close_tube") {
        ASSIGN_OR_RETURN(CloseTubeRequest r, ParseClose(item, 0));
        return services.sampling.CloseTube(who, r);
    }
    return InvalidArgument("kind 应为 open_tube、scan 或 close_tube", "kind");
}

json::value ParsedBody(const std::string& body) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    return ec ? json::value(nullptr) : v;
}

}  // namespace

void AddSamplingRoutes(http::Router& router, std::shared_ptr<TestingServices> services) {
    router.Add({.method = "POST",
                .pattern = "/api/v1/sampling/tubes",
                .permission = "sampling.scan",
                // Parses, then hands the opening to the writer thread, which answers.
                .handler_never_blocks = true,
                .handler = [services](Request& req) {
                    auto body = BodyObject(req);
                    if (!body.ok()) return Response::FromError(body.error());
                    auto r = ParseOpenTube(*body);
                    if (!r.ok()) return Response::FromError(r.error());
                    services->sampling.OpenTubeAsync(
                        PrincipalOf(req), *r,
                        [reply = req.Defer()](Result<Answer> answer) { reply(Reply(answer)); });
                    return Response::Deferred();
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/sampling/scans",
                .permission = "sampling.scan",
                .personal_data = true,
                .audit_event = "sampling.scan",
                // Parses, then hands the scan to the writer thread, which answers.
                .handler_never_blocks = true,
                .handler = [services](Request& req) {
                    auto body = BodyObject(req);
                    if (!body.ok()) return Response::FromError(body.error());
                    auto r = ParseScan(*body);
                    if (!r.ok()) return Response::FromError(r.error());
                    // No worker waits for the commit: the writer thread answers.
                    services->sampling.ScanAsync(
                        PrincipalOf(req), *r,
                        [reply = req.Defer()](Result<Answer> answer) { reply(Reply(answer)); });
                    return Response::Deferred();
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/sampling/tubes/:id/close",
                .permission = "sampling.scan",
                .handler = [services](Request& req) {
                    auto id = PathId(req);
                    if (!id.ok()) return Response::FromError(id.error());
                    auto body = BodyObject(req);
                    if (!body.ok()) return Response::FromError(body.error());
                    auto r = ParseClose(*body, *id);
                    if (!r.ok()) return Response::FromError(r.error());
                    return Reply(services->sampling.CloseTube(PrincipalOf(req), *r));
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/sampling/batch",
                .permission = "sampling.scan",
                .personal_data = true,
                .audit_event = "sampling.scan",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                        const json::value* items = body.if_contains("items");
                        if (!items || !items->is_array()) {
                            return InvalidArgument("items 应为数组", "items");
                        }
                        if (items->as_array().size() > kMaxBatch) {
                            return InvalidArgument("每批最多 200 项", "items");
                        }
                        const auth::Principal& who = PrincipalOf(req);
                        json::array results;
                        for (const json::value& item : items->as_array()) {
                            json::value key = nullptr;
                            Result<Answer> answer = InvalidArgument("每一项应为对象", "items");
                            if (item.is_object()) {
                                if (const json::value* k = item.as_object().if_contains("key");
                                    k && k->is_string()) {
                                    key = *k;
                                }
                                answer = RunItem(*services, who, item.as_object());
                            }
                            Answer a = answer.ok() ? *answer : AnswerFor(answer.error());
                            results.push_back(json::object{
                                {"key", key}, {"status", a.status}, {"body", ParsedBody(a.body)}});
                        }
                        return json::object{{"results", std::move(results)}};
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/sampling/tubes/:id",
                .permission = "sampling.scan",
                .personal_data = true,
                .audit_event = "sampling.tube_read",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(TubeDetail detail,
                                         services->sampling.GetTube(PrincipalOf(req), id));
                        json::object out = TubeJson(detail.tube);
                        json::array members;
                        for (const TubeMember& m : detail.members) {
                            members.push_back(json::object{{"sample_id", m.sample_id},
                                                           {"name_masked", m.name_masked},
                                                           {"scanned_at", m.scanned_at}});
                        }
                        out["members"] = std::move(members);
                        return out;
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/sampling/tables/:table_id/open-tube",
                .permission = "sampling.scan",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req, "table_id"));
                        ASSIGN_OR_RETURN(Tube tube,
                                         services->sampling.OpenTubeAt(PrincipalOf(req), id));
                        return TubeJson(tube);
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/sampling/lookup",
                .permission = "sampling.lookup",
                .personal_data = true,
                .audit_event = "sampling.lookup",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        LookupRequest r;
                        ASSIGN_OR_RETURN(r.round_id, QueryInt(req, "round_id", 0));
                        ASSIGN_OR_RETURN(r.building_id, QueryInt(req, "building_id", 0));
                        r.doc_number = req.Query("doc_number").value_or("");
                        r.name = req.Query("name").value_or("");
                        r.room = req.Query("room").value_or("");
                        if (r.doc_number.size() > 40 || r.name.size() > 100 || r.room.size() > 40) {
                            return InvalidArgument("查询内容过长");
                        }
                        ASSIGN_OR_RETURN(auto found,
                                         services->sampling.Lookup(PrincipalOf(req), r));
                        json::array items;
                        for (const registry::ScannerResidentView& v : found) {
                            items.push_back(json::object{{"resident_id", v.resident_id},
                                                         {"name_masked", v.masked_name},
                                                         {"building", v.building},
                                                         {"room", v.room}});
                        }
                        return json::object{{"items", std::move(items)}};
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/sampling/buildings",
                .permission = "sampling.lookup",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t round_id, QueryInt(req, "round_id", 0));
                        ASSIGN_OR_RETURN(auto buildings,
                                         services->sampling.Buildings(PrincipalOf(req), round_id));
                        json::array items;
                        for (const LookupBuilding& b : buildings) {
                            items.push_back(
                                json::object{{"id", b.id}, {"name", b.name}, {"grid", b.grid}});
                        }
                        return json::object{{"items", std::move(items)}};
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/sampling/floating",
                .permission = "sampling.register_floating",
                .personal_data = true,
                .audit_event = "sampling.register_floating",
                .handler = [services](Request& req) {
                    auto parsed = [&]() -> Result<FloatingRequest> {
                        ASSIGN_OR_RETURN(json::object o, BodyObject(req));
                        FloatingRequest r;
                        ASSIGN_OR_RETURN(r.key, Key(o));
                        ASSIGN_OR_RETURN(r.round_id, Int(o, "round_id"));
                        ASSIGN_OR_RETURN(r.site_id, Int(o, "site_id"));
                        ASSIGN_OR_RETURN(r.person.name, String(o, "name"));
                        ASSIGN_OR_RETURN(auto doc_type, OptString(o, "doc_type"));
                        ASSIGN_OR_RETURN(auto doc_number, OptString(o, "doc_number"));
                        ASSIGN_OR_RETURN(r.person.phone, String(o, "phone"));
                        ASSIGN_OR_RETURN(auto building_id, OptInt(o, "building_id"));
                        ASSIGN_OR_RETURN(auto room, OptString(o, "room"));
                        r.person.doc_type = doc_type.value_or("");
                        r.person.doc_number = doc_number.value_or("");
                        r.person.building_id = building_id.value_or(0);
                        r.person.room = room.value_or("");
                        return r;
                    }();
                    if (!parsed.ok()) return Response::FromError(parsed.error());
                    return Reply(services->sampling.RegisterFloating(PrincipalOf(req), *parsed));
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/sampling/live",
                .permission = "sampling.live",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t round_id, QueryInt(req, "round_id", 0));
                        ASSIGN_OR_RETURN(LiveFigures live,
                                         services->sampling.Live(PrincipalOf(req), round_id));
                        json::array sites;
                        for (const LiveSite& s : live.sites) {
                            json::array tables;
                            for (const LiveTable& t : s.tables) {
                                tables.push_back(json::object{{"table_id", t.table_id},
                                                              {"name", t.name},
                                                              {"priority_lane", t.priority_lane},
                                                              {"today", t.today},
                                                              {"this_hour", t.this_hour},
                                                              {"tubes_open", t.tubes_open},
                                                              {"tubes_closed", t.tubes_closed}});
                            }
                            sites.push_back(json::object{{"site_id", s.site_id},
                                                         {"name", s.name},
                                                         {"today", s.today},
                                                         {"this_hour", s.this_hour},
                                                         {"tubes_open", s.tubes_open},
                                                         {"tubes_closed", s.tubes_closed},
                                                         {"tables", std::move(tables)}});
                        }
                        return json::object{
                            {"round", json::object{{"id", live.round_id},
                                                   {"name", live.round_name},
                                                   {"sample_count", live.sample_count}}},
                            {"sites", std::move(sites)},
                            {"as_of", live.as_of}};
                    });
                }});
}

}  // namespace internal
}  // namespace bulwark::testing
