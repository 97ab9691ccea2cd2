// Routes of coverage and follow-up: JSON (and .xlsx) in and out.
#include "testing/followup/followup_api.hpp"

#include <cctype>

#include "auth/guard.hpp"
#include "testing/api_util.hpp"
#include "testing/model.hpp"

namespace bulwark::testing::followup {
namespace {

using auth::PrincipalOf;
using http::Request;
using http::Response;
using namespace testing::api;

Result<Paging> PagingOf(const Request& req) {
    Paging p;
    ASSIGN_OR_RETURN(p.page, QueryInt(req, "page", 1));
    ASSIGN_OR_RETURN(p.page_size, QueryInt(req, "page_size", 50));
    if (p.page < 1) return InvalidArgument("page 应从 1 开始", "page");
    if (p.page_size < 1 || p.page_size > 500) {
        return InvalidArgument("page_size 应在 1 到 500 之间", "page_size");
    }
    return p;
}

std::string QueryText(const Request& req, const char* name) {
    auto v = req.Query(name);
    return v ? *v : std::string();
}

Result<MissedFilter> FilterOf(const Request& req) {
    MissedFilter f;
    ASSIGN_OR_RETURN(f.grid_id, QueryInt(req, "grid_id", 0));
    ASSIGN_OR_RETURN(f.building_id, QueryInt(req, "building_id", 0));
    ASSIGN_OR_RETURN(f.assigned_to, QueryInt(req, "assigned_to", 0));
    f.tag = QueryText(req, "tag");
    return f;
}

Result<MissedFilter> FilterOf(const json::object& body) {
    MissedFilter f;
    const json::value* v = body.if_contains("filters");
    if (v == nullptr || v->is_null()) return f;
    if (!v->is_object()) return InvalidArgument("filters 应为对象", "filters");
    const json::object& o = v->as_object();
    ASSIGN_OR_RETURN(auto grid, OptInt(o, "grid_id"));
    ASSIGN_OR_RETURN(auto building, OptInt(o, "building_id"));
    ASSIGN_OR_RETURN(auto assigned, OptInt(o, "assigned_to"));
    ASSIGN_OR_RETURN(auto tag, OptString(o, "tag"));
    f.grid_id = grid.value_or(0);
    f.building_id = building.value_or(0);
    f.assigned_to = assigned.value_or(0);
    f.tag = tag.value_or("");
    return f;
}

std::string Rfc5987(const std::string& text) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

Response Xlsx(const Result<SheetFile>& file, const char* ascii_name) {
    if (!file.ok()) return Response::FromError(file.error());
    Response r;
    r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    r.body = file->bytes;
    r.AddHeader("Content-Disposition", std::string("attachment; filename=\"") + ascii_name +
                                           "\"; filename*=UTF-8''" + Rfc5987(file->filename));
    r.AddHeader("X-Row-Count", std::to_string(file->rows));
    return r;
}

Response Json(const Result<json::object>& result, int status = 200) {
    if (!result.ok()) {
        const Error& e = result.error();
        if (e.code == ErrorCode::kAlreadyExists && e.field == "same_person") {
            return Response::TransportError(409, "same_person", e.message);
        }
        return Response::FromError(e);
    }
    return Response::Json(*result, status);
}

// Runs `f` (Result<json::object>()) after parsing; errors of either become the answer.
template <class F>
Response Handle(F&& f, int status = 200) {
    return Json(f(), status);
}

}  // namespace

void AddRoutes(http::Router& router, std::shared_ptr<FollowupService> service) {
    router.Add({.method = "GET",
                .pattern = "/api/v1/rounds/:id/coverage",
                .permission = "coverage.read",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(int64_t parent, QueryInt(req, "parent_id", 0));
                        std::string level = QueryText(req, "level");
                        return service->Coverage(PrincipalOf(req), id,
                                                 level.empty() ? "community" : level, parent);
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/streets/:id/coverage",
                .permission = "coverage.read",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        return service->StreetCoverage(PrincipalOf(req), id);
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/rounds/:id/progress",
                .permission = "coverage.read",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        return service->Progress(PrincipalOf(req), id);
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/rounds/:id/missed",
                .permission = "followup.read",
                .personal_data = true,
                .audit_event = "followup.missed.read",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(MissedFilter filter, FilterOf(req));
                        ASSIGN_OR_RETURN(Paging paging, PagingOf(req));
                        return service->Missed(PrincipalOf(req), id, filter, paging);
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/rounds/:id/missed.xlsx",
                .permission = "followup.read",
                .personal_data = true,
                .audit_event = "followup.missed.export",
                .handler = [service](Request& req) {
                    auto file = [&]() -> Result<SheetFile> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(MissedFilter filter, FilterOf(req));
                        return service->MissedSheet(PrincipalOf(req), id, filter, false, "");
                    }();
                    return Xlsx(file, "missed.xlsx");
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/rounds/:id/missed/export",
                .permission = "followup.read",
                .personal_data = true,
                .audit_event = "followup.missed.export_unmasked",
                .handler = [service](Request& req) {
                    auto file = [&]() -> Result<SheetFile> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                        ASSIGN_OR_RETURN(MissedFilter filter, FilterOf(body));
                        ASSIGN_OR_RETURN(auto unmasked, OptBool(body, "unmasked"));
                        ASSIGN_OR_RETURN(auto reason, OptString(body, "reason"));
                        return service->MissedSheet(PrincipalOf(req), id, filter,
                                                    unmasked.value_or(false), reason.value_or(""));
                    }();
                    return Xlsx(file, "missed.xlsx");
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/rounds/:id/followups/assign",
                .permission = "followup.assign",
                .audit_event = "followup.assign",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                        ASSIGN_OR_RETURN(auto ids, OptIds(body, "resident_ids", 5000));
                        if (!ids) return InvalidArgument("缺少字段 resident_ids", "resident_ids");
                        ASSIGN_OR_RETURN(int64_t user, Int(body, "user_id"));
                        return service->Assign(PrincipalOf(req), id, *ids, user);
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/rounds/:id/followups/mine",
                .permission = "followup.read",
                .personal_data = true,
                .audit_event = "followup.mine.read",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(Paging paging, PagingOf(req));
                        return service->Mine(PrincipalOf(req), id, paging);
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/rounds/:id/followups/:resident_id",
                .permission = "followup.read",
                .personal_data = true,
                .audit_event = "followup.read",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(int64_t resident, PathId(req, "resident_id"));
                        return service->Detail(PrincipalOf(req), id, resident);
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/rounds/:id/followups/:resident_id/attempts",
                .permission = "followup.write",
                .audit_event = "followup.attempt",
                .handler = [service](Request& req) {
                    auto answer = [&]() -> Result<Answer> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(int64_t resident, PathId(req, "resident_id"));
                        ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                        AttemptInput in;
                        in.key = std::string(req.Header("idempotency-key"));
                        if (in.key.empty()) {
                            ASSIGN_OR_RETURN(auto key, OptString(body, "key"));
                            in.key = key.value_or("");
                        }
                        if (!IsValidRequestKey(in.key)) {
                            return InvalidArgument(
                                "请求头 Idempotency-Key 应为 16 到 64 个字母、数字、- 或 _",
                                "Idempotency-Key");
                        }
                        ASSIGN_OR_RETURN(in.outcome, String(body, "outcome"));
                        ASSIGN_OR_RETURN(auto note, OptString(body, "note"));
                        ASSIGN_OR_RETURN(auto place, OptString(body, "place"));
                        ASSIGN_OR_RETURN(auto tested_at, OptInt(body, "tested_at"));
                        in.note = note.value_or("");
                        in.place = place.value_or("");
                        in.tested_at = tested_at.value_or(0);
                        return service->RecordAttempt(PrincipalOf(req), id, resident, in);
                    }();
                    return Reply(answer);
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/rounds/:id/followups/:resident_id/phone",
                .permission = "followup.write",
                .personal_data = true,
                .audit_event = "resident.phone_reveal",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(int64_t resident, PathId(req, "resident_id"));
                        return service->RevealPhone(PrincipalOf(req), id, resident);
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/home-sampling",
                .permission = "followup.read",
                .personal_data = true,
                .audit_event = "followup.home_sampling.read",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t community, QueryInt(req, "community_id", 0));
                        ASSIGN_OR_RETURN(Paging paging, PagingOf(req));
                        return service->HomeSamplingList(PrincipalOf(req), community,
                                                         QueryText(req, "status"), paging);
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/home-sampling",
                .permission = "followup.write",
                .personal_data = true,
                .audit_event = "followup.home_sampling.request",
                .handler = [service](Request& req) {
                    return Handle(
                        [&]() -> Result<json::object> {
                            ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                            ASSIGN_OR_RETURN(int64_t resident, Int(body, "resident_id"));
                            ASSIGN_OR_RETURN(auto note, OptString(body, "note"));
                            return service->RequestHomeSampling(PrincipalOf(req), resident,
                                                                note.value_or(""));
                        },
                        201);
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/communities/:id/repeated-misses",
                .permission = "followup.read",
                .personal_data = true,
                .audit_event = "followup.repeated_misses.read",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(int64_t min_rounds, QueryInt(req, "min_rounds", 2));
                        ASSIGN_OR_RETURN(Paging paging, PagingOf(req));
                        return service->RepeatedMisses(PrincipalOf(req), id, min_rounds, paging);
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/health-code-requests",
                .permission = "healthcode.request",
                .personal_data = true,
                .audit_event = "healthcode.requests.read",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t community, QueryInt(req, "community_id", 0));
                        ASSIGN_OR_RETURN(Paging paging, PagingOf(req));
                        return service->HealthCodeRequests(PrincipalOf(req), community,
                                                           QueryText(req, "status"), paging);
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/health-code-requests",
                .permission = "healthcode.request",
                .personal_data = true,
                .audit_event = "healthcode.request",
                .handler = [service](Request& req) {
                    return Handle(
                        [&]() -> Result<json::object> {
                            ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                            ASSIGN_OR_RETURN(int64_t resident, Int(body, "resident_id"));
                            ASSIGN_OR_RETURN(std::string to, String(body, "to_status"));
                            ASSIGN_OR_RETURN(std::string reason, String(body, "reason"));
                            ASSIGN_OR_RETURN(std::string evidence, String(body, "evidence"));
                            return service->RequestHealthCode(PrincipalOf(req), resident, to,
                                                              reason, evidence);
                        },
                        201);
                }});

    for (bool approve : {true, false}) {
        router.Add({.method = "POST",
                    .pattern = approve ? "/api/v1/health-code-requests/:id/approve"
                                       : "/api/v1/health-code-requests/:id/reject",
                    .permission = "healthcode.approve",
                    .personal_data = true,
                    .audit_event = approve ? "healthcode.approve" : "healthcode.reject",
                    .handler = [service, approve](Request& req) {
                        return Handle([&]() -> Result<json::object> {
                            ASSIGN_OR_RETURN(int64_t id, PathId(req));
                            ASSIGN_OR_RETURN(json::object body, BodyObject(req));
                            ASSIGN_OR_RETURN(auto note, OptString(body, "note"));
                            return service->DecideHealthCode(PrincipalOf(req), id, approve,
                                                             note.value_or(""));
                        });
                    }});
    }

    router.Add({.method = "GET",
                .pattern = "/api/v1/residents/:id/health-code",
                .permission = "healthcode.request",
                .personal_data = true,
                .audit_event = "healthcode.read",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        return service->HealthCodeOf(PrincipalOf(req), id);
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/communities/:id/daily-report",
                .permission = "reports.read",
                .handler = [service](Request& req) {
                    return Handle([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        return service->DailyReport(PrincipalOf(req), id, QueryText(req, "date"));
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/communities/:id/daily-report.xlsx",
                .permission = "reports.read",
                .handler = [service](Request& req) {
                    auto file = [&]() -> Result<SheetFile> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        return service->DailyReportSheet(PrincipalOf(req), id,
                                                         QueryText(req, "date"));
                    }();
                    return Xlsx(file, "daily-report.xlsx");
                }});
}

}  // namespace bulwark::testing::followup
