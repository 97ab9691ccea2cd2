// Routes for planning: labs, sampling sites and testing rounds.
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

Result<std::vector<OpeningHours>> ParseHours(const json::value& v) {
    if (!v.is_array()) return InvalidArgument("hours 应为数组", "hours");
    std::vector<OpeningHours> out;
    for (const json::value& item : v.as_array()) {
        if (!item.is_object()) return InvalidArgument("hours 的每一项应为对象", "hours");
        const json::object& o = item.as_object();
        auto weekday = OptInt(o, "weekday");
        auto open = OptString(o, "open");
        auto close = OptString(o, "close");
        if (!weekday.ok() || !*weekday || !open.ok() || !*open || !close.ok() || !*close) {
            return InvalidArgument("hours 每项应有 weekday、open、close", "hours");
        }
        auto open_minute = ParseClockMinutes(**open);
        auto close_minute = ParseClockMinutes(**close);
        if (!open_minute || !close_minute) {
            return InvalidArgument("时间应为 HH:MM, 如 07:00", "hours");
        }
        out.push_back({static_cast<int>(**weekday), *open_minute, *close_minute});
    }
    return out;
}

Result<std::vector<SiteTable>> ParseTables(const json::value& v) {
    if (!v.is_array()) return InvalidArgument("tables 应为数组", "tables");
    std::vector<SiteTable> out;
    for (const json::value& item : v.as_array()) {
        if (!item.is_object()) return InvalidArgument("tables 的每一项应为对象", "tables");
        const json::object& o = item.as_object();
        auto id = OptInt(o, "id");
        auto name = OptString(o, "name");
        auto lane = OptBool(o, "priority_lane");
        if (!id.ok() || !name.ok() || !lane.ok()) {
            return InvalidArgument("tables 每项应有 name 与 priority_lane", "tables");
        }
        out.push_back(SiteTable{.id = id->value_or(0),
                                .name = name->value_or(""),
                                .priority_lane = lane->value_or(false)});
    }
    return out;
}

Result<SiteInput> ParseSite(const json::object& o) {
    SiteInput in;
    ASSIGN_OR_RETURN(in.community_id, OptInt(o, "community_id"));
    ASSIGN_OR_RETURN(in.name, OptString(o, "name"));
    ASSIGN_OR_RETURN(in.address, OptString(o, "address"));
    if (const json::value* v = o.if_contains("hours"); v && !v->is_null()) {
        ASSIGN_OR_RETURN(in.hours, ParseHours(*v));
    }
    if (const json::value* v = o.if_contains("tables"); v && !v->is_null()) {
        ASSIGN_OR_RETURN(in.tables, ParseTables(*v));
    }
    return in;
}

Result<RoundInput> ParseRound(const json::object& o) {
    RoundInput in;
    ASSIGN_OR_RETURN(in.community_id, OptInt(o, "community_id"));
    ASSIGN_OR_RETURN(in.name, OptString(o, "name"));
    ASSIGN_OR_RETURN(in.kind, OptString(o, "kind"));
    if (const json::value* v = o.if_contains("scope"); v && !v->is_null()) {
        if (!v->is_object()) return InvalidArgument("scope 应为对象", "scope");
        const json::object& scope = v->as_object();
        auto kind = OptString(scope, "kind");
        if (!kind.ok() || !*kind) return InvalidArgument("scope.kind 必填", "scope");
        in.scope_kind = **kind;
        auto ids = OptIds(scope, "ids", 20000);
        if (!ids.ok()) return InvalidArgument("scope.ids 应为正整数数组", "scope");
        in.scope_ids = ids->value_or(std::vector<int64_t>{});
    }
    ASSIGN_OR_RETURN(in.starts_at, OptInt(o, "starts_at"));
    ASSIGN_OR_RETURN(in.ends_at, OptInt(o, "ends_at"));
    ASSIGN_OR_RETURN(in.pool_size, OptInt(o, "pool_size"));
    ASSIGN_OR_RETURN(in.single_tube_tags, OptStrings(o, "single_tube_tags", 20));
    ASSIGN_OR_RETURN(in.single_tube_control_areas, OptBool(o, "single_tube_control_areas"));
    ASSIGN_OR_RETURN(in.site_ids, OptIds(o, "site_ids", 100));
    return in;
}

}  // namespace

void AddPlanningRoutes(http::Router& router, std::shared_ptr<TestingServices> services) {
    router.Add({.method = "GET",
                .pattern = "/api/v1/labs",
                .permission = "labs.read",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(auto labs, services->sites.ListLabs(PrincipalOf(req)));
                        json::array items;
                        for (const Lab& lab : labs) items.push_back(LabJson(lab));
                        return json::object{{"items", std::move(items)}};
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/labs",
                .permission = "labs.write",
                .audit_event = "lab.create",
                .handler = [services](Request& req) {
                    return JsonReply(
                        [&]() -> Result<json::object> {
                            ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                            ASSIGN_OR_RETURN(std::string name, String(body, "name"));
                            ASSIGN_OR_RETURN(Lab lab,
                                             services->sites.CreateLab(PrincipalOf(req), name));
                            return LabJson(lab);
                        },
                        201);
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/sites",
                .permission = "sites.read",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t community_id, QueryInt(req, "community_id", 0));
                        ASSIGN_OR_RETURN(auto sites,
                                         services->sites.ListSites(PrincipalOf(req), community_id));
                        json::array items;
                        for (const Site& site : sites) items.push_back(SiteJson(site));
                        return json::object{{"items", std::move(items)}};
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/sites",
                .permission = "sites.write",
                .audit_event = "site.create",
                .handler = [services](Request& req) {
                    return JsonReply(
                        [&]() -> Result<json::object> {
                            ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                            ASSIGN_OR_RETURN(SiteInput input, ParseSite(body));
                            ASSIGN_OR_RETURN(Site site,
                                             services->sites.CreateSite(PrincipalOf(req), input));
                            return SiteJson(site);
                        },
                        201);
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/sites/:id",
                .permission = "sites.read",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(Site site, services->sites.GetSite(PrincipalOf(req), id));
                        return SiteJson(site);
                    });
                }});

    router.Add({.method = "PATCH",
                .pattern = "/api/v1/sites/:id",
                .permission = "sites.write",
                .audit_event = "site.update",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                        ASSIGN_OR_RETURN(int64_t version, Int(body, "version"));
                        ASSIGN_OR_RETURN(SiteInput input, ParseSite(body));
                        ASSIGN_OR_RETURN(Site site, services->sites.UpdateSite(PrincipalOf(req), id,
                                                                               version, input));
                        return SiteJson(site);
                    });
                }});

    router.Add(
        {.method = "GET",
         .pattern = "/api/v1/rounds",
         .permission = "rounds.read",
         .handler = [services](Request& req) {
             return JsonReply([&]() -> Result<json::object> {
                 ASSIGN_OR_RETURN(int64_t community_id, QueryInt(req, "community_id", 0));
                 std::optional<RoundStatus> status;
                 if (auto text = req.Query("status"); text && !text->empty()) {
                     RoundStatus st;
                     if (!ParseRoundStatus(*text, &st)) {
                         return InvalidArgument("status 应为 planned、open 或 closed", "status");
                     }
                     status = st;
                 }
                 ASSIGN_OR_RETURN(auto rounds,
                                  services->rounds.List(PrincipalOf(req), community_id, status));
                 json::array items;
                 for (const RoundView& r : rounds) items.push_back(RoundJson(r));
                 return json::object{{"items", std::move(items)}};
             });
         }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/rounds",
                .permission = "rounds.write",
                .audit_event = "round.create",
                .handler = [services](Request& req) {
                    return JsonReply(
                        [&]() -> Result<json::object> {
                            ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                            ASSIGN_OR_RETURN(RoundInput input, ParseRound(body));
                            ASSIGN_OR_RETURN(RoundView round,
                                             services->rounds.Create(PrincipalOf(req), input));
                            return RoundJson(round);
                        },
                        201);
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/rounds/:id",
                .permission = "rounds.read",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(RoundView round,
                                         services->rounds.Get(PrincipalOf(req), id));
                        return RoundJson(round);
                    });
                }});

    router.Add({.method = "PATCH",
                .pattern = "/api/v1/rounds/:id",
                .permission = "rounds.write",
                .audit_event = "round.update",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                        ASSIGN_OR_RETURN(int64_t version, Int(body, "version"));
                        ASSIGN_OR_RETURN(RoundInput input, ParseRound(body));
                        ASSIGN_OR_RETURN(
                            RoundView round,
                            services->rounds.Update(PrincipalOf(req), id, version, input));
                        return RoundJson(round);
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/rounds/:id/copy",
                .permission = "rounds.write",
                .audit_event = "round.copy",
                .handler = [services](Request& req) {
                    return JsonReply(
                        [&]() -> Result<json::object> {
                            ASSIGN_OR_RETURN(int64_t id, PathId(req));
                            ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                            ASSIGN_OR_RETURN(std::string name, String(body, "name"));
                            ASSIGN_OR_RETURN(int64_t starts_at, Int(body, "starts_at"));
                            ASSIGN_OR_RETURN(int64_t ends_at, Int(body, "ends_at"));
                            ASSIGN_OR_RETURN(RoundView round,
                                             services->rounds.Copy(PrincipalOf(req), id, name,
                                                                   starts_at, ends_at));
                            return RoundJson(round);
                        },
                        201);
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/rounds/:id/close",
                .permission = "rounds.write",
                .audit_event = "round.close",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(RoundView round,
                                         services->rounds.Close(PrincipalOf(req), id));
                        return RoundJson(round);
                    });
                }});
}

}  // namespace internal

void AddRoutes(http::Router& router, std::shared_ptr<TestingServices> services) {
    internal::AddPlanningRoutes(router, services);
    internal::AddSamplingRoutes(router, services);
    internal::AddBoxRoutes(router, services);
}

}  // namespace bulwark::testing
