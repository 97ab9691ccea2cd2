// Routes of lab results, conflicts, pools, alerts and the lab's overview.
#include "testing/results/results_api.hpp"

#include "auth/guard.hpp"
#include "testing/api_util.hpp"
#include "testing/idempotency.hpp"
#include "testing/results/results_json.hpp"

namespace bulwark::testing::results {
namespace {

using auth::PrincipalOf;
using http::Request;
using http::Response;
using namespace testing::api;

constexpr size_t kUploadLimit = 16u << 20;
constexpr size_t kMaxEntries = 20000;

struct Paging {
    int page = 1;
    int page_size = 50;
};

Result<Paging> PagingOf(const Request& req) {
    ASSIGN_OR_RETURN(int64_t page, QueryInt(req, "page", 1));
    ASSIGN_OR_RETURN(int64_t size, QueryInt(req, "page_size", 50));
    if (page < 1 || page > 100000) return InvalidArgument("page 应为正整数", "page");
    if (size < 1 || size > 500) return InvalidArgument("page_size 应为 1 到 500", "page_size");
    return Paging{static_cast<int>(page), static_cast<int>(size)};
}

// The 400 of a load with bad entries: every one of them, nothing applied.
json::object EntryErrorsBody(const std::vector<EntryError>& errors,
                             const std::vector<size_t>& origin) {
    json::array details;
    for (const EntryError& e : errors) {
        const size_t index = static_cast<size_t>(e.index) < origin.size()
                                 ? origin[static_cast<size_t>(e.index)]
                                 : static_cast<size_t>(e.index);
        details.push_back(
            json::object{{"index", index}, {"field", e.field}, {"message", e.message}});
    }
    return {{"error", json::object{{"code", "invalid_argument"},
                                   {"message", "有 " + std::to_string(errors.size()) +
                                                   " 条结果有误, 未写入任何内容"},
                                   {"field", "results"},
                                   {"details", std::move(details)}}}};
}

json::object LoadBody(const LoadSummary& s) {
    json::array held;
    for (const Held& h : s.held) {
        held.push_back(json::object{{"tube_barcode", h.tube_barcode},
                                    {"recorded", OutcomeName(h.recorded)},
                                    {"incoming", OutcomeName(h.incoming)}});
    }
    return {{"new", s.created},
            {"unchanged", s.unchanged},
            {"conflicts", s.conflicts},
            {"held", std::move(held)}};
}

// Reads {"lab_id","results":[...]}: the entries that are well formed, and the bad ones.
struct ParsedLoad {
    int64_t lab_id = 0;
    std::vector<ResultEntry> entries;
    std::vector<size_t> origin;  // index in the request of each entry
    std::vector<EntryError> errors;
};

Result<ParsedLoad> ParseLoad(const json::object& o) {
    ParsedLoad out;
    ASSIGN_OR_RETURN(auto lab, OptInt(o, "lab_id"));
    out.lab_id = lab.value_or(0);
    const json::value* list = o.if_contains("results");
    if (!list || !list->is_array()) return InvalidArgument("缺少字段 results", "results");
    if (list->as_array().size() > kMaxEntries) {
        return InvalidArgument("一次最多 20000 条结果", "results");
    }
    size_t i = 0;
    for (const json::value& v : list->as_array()) {
        const size_t index = i++;
        auto fail = [&](const char* field, std::string message) {
            out.errors.push_back(
                {.index = static_cast<int>(index), .field = field, .message = std::move(message)});
        };
        if (!v.is_object()) {
            fail("results", "应为对象");
            continue;
        }
        const json::object& item = v.as_object();
        ResultEntry e;
        auto barcode = OptString(item, "tube_barcode");
        if (!barcode.ok() || !*barcode || (*barcode)->empty()) {
            fail("tube_barcode", "缺少试管条码");
            continue;
        }
        e.tube_barcode = **barcode;
        auto word = OptString(item, "result");
        if (!word.ok() || !*word || !ParseOutcome(**word, &e.result)) {
            fail("result", "结果应为 negative、positive 或 invalid");
            continue;
        }
        const json::value* at = item.if_contains("reported_at");
        if (at && at->is_int64()) {
            e.reported_at = at->as_int64();
        } else if (at && at->is_string()) {
            e.reported_at = ParseReportedAt(std::string(at->as_string())).value_or(-1);
        } else {
            e.reported_at = -1;
        }
        if (e.reported_at <= 0) {
            fail("reported_at", "检测时间应为毫秒时间戳或 \"2022-04-01 14:30\"");
            continue;
        }
        bool ct_ok = true;
        if (const json::value* ct = item.if_contains("ct"); ct && !ct->is_null()) {
            if (!ct->is_object()) {
                ct_ok = false;
            } else {
                for (const char* name : {"orf1ab", "n"}) {
                    const json::value* x = ct->as_object().if_contains(name);
                    if (!x || x->is_null()) continue;
                    if (!x->is_number() || !ValidCt(x->to_number<double>())) {
                        ct_ok = false;
                        break;
                    }
                    (std::string_view(name) == "orf1ab" ? e.ct.orf1ab : e.ct.n) =
                        x->to_number<double>();
                }
            }
        }
        if (!ct_ok) {
            fail("ct", "Ct 值应为 {\"orf1ab\": 0..50, \"n\": 0..50}");
            continue;
        }
        out.entries.push_back(std::move(e));
        out.origin.push_back(index);
    }
    return out;
}

// The answer of a JSON load, computed inside the write (so that a keyed retry gets it back).
Result<Answer> LoadAnswer(db::Session& s, ResultsServices& services, const auth::Principal& who,
                          const ParsedLoad& parsed) {
    // A list with malformed entries is only checked, so that the answer names every bad one.
    ASSIGN_OR_RETURN(LoadOutcome outcome,
                     parsed.errors.empty()
                         ? services.results.LoadIn(s, who, parsed.lab_id, parsed.entries, "api")
                         : services.results.CheckIn(s, who, parsed.lab_id, parsed.entries));
    if (!parsed.errors.empty() || !outcome.errors.empty()) {
        std::vector<EntryError> all = parsed.errors;
        for (EntryError e : outcome.errors) {
            e.index = static_cast<int>(parsed.origin[static_cast<size_t>(e.index)]);
            all.push_back(std::move(e));
        }
        std::sort(all.begin(), all.end(),
                  [](const EntryError& a, const EntryError& b) { return a.index < b.index; });
        return Answer{400, json::serialize(EntryErrorsBody(all, {}))};
    }
    return Answer{200, json::serialize(LoadBody(outcome.summary))};
}

}  // namespace

std::vector<db::Migration> Migrations() { return ResultsStore::Migrations(); }

void AddRoutes(http::Router& router, std::shared_ptr<ResultsServices> services) {
    router.Add({.method = "POST",
                .pattern = "/api/v1/results/imports",
                .permission = "results.write",
                .accepts = {"application/octet-stream", "text/csv", "text/plain", "application/csv",
                            "application/vnd.ms-excel",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
                .body_limit = kUploadLimit,
                .handler = [services](Request& req) {
                    return JsonReply(
                        [&]() -> Result<json::object> {
                            if (req.body.size() > kUploadLimit) {
                                return InvalidArgument("文件超过 16 MiB", "file");
                            }
                            ASSIGN_OR_RETURN(int64_t lab_id, QueryInt(req, "lab_id", 0));
                            std::string filename = req.Query("filename").value_or("results.csv");
                            if (filename.size() > 200) filename.resize(200);
                            ASSIGN_OR_RETURN(ResultImport i,
                                             services->imports.Start(PrincipalOf(req), filename,
                                                                     lab_id, req.body));
                            return ImportJson(i);
                        },
                        201);
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/results/imports/:id",
                .permission = "results.write",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(ResultImport i,
                                         services->imports.Get(PrincipalOf(req), req.Param("id")));
                        return ImportJson(i);
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/results/imports/:id/apply",
                .permission = "results.write",
                .audit_event = "result.record",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(ResultImport i, services->imports.Apply(PrincipalOf(req),
                                                                                 req.Param("id")));
                        return ImportJson(i);
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/results",
                .permission = "results.write",
                .audit_event = "result.record",
                .handler = [services](Request& req) {
                    auto body = BodyObject(req);
                    if (!body.ok()) return Response::FromError(body.error());
                    auto parsed = ParseLoad(*body);
                    if (!parsed.ok()) return Response::FromError(parsed.error());
                    const auth::Principal& who = PrincipalOf(req);
                    std::string key(req.Header("idempotency-key"));
                    if (key.empty()) {
                        if (const json::value* k = body->if_contains("key"); k && k->is_string()) {
                            key = std::string(k->as_string());
                        }
                    }
                    auto apply = [&](db::Session& s) {
                        return LoadAnswer(s, *services, who, *parsed);
                    };
                    if (key.empty()) {
                        return Reply(services->db.WriteValue(apply));
                    }
                    if (!IsValidRequestKey(key)) {
                        return Response::FromError(InvalidArgument(
                            "Idempotency-Key 应为 16 到 64 个字母、数字、- 或 _", "key"));
                    }
                    return Reply(Idempotency::Run(services->db, services->clock,
                                                  {.key = key,
                                                   .user_id = who.user_id,
                                                   .kind = "results",
                                                   .hash = RequestHash(req.body)},
                                                  apply));
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/results/conflicts",
                .permission = "results.review",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(Paging p, PagingOf(req));
                        const std::string status = req.Query("status").value_or("open");
                        if (status != "open" && status != "resolved") {
                            return InvalidArgument("status 应为 open 或 resolved", "status");
                        }
                        ASSIGN_OR_RETURN(auto page, services->results.Conflicts(
                                                        PrincipalOf(req), status == "open", p.page,
                                                        p.page_size));
                        json::array items;
                        for (const Conflict& c : page.items) {
                            items.push_back(ConflictJson(c, services->results.LabName(c.lab_id)));
                        }
                        return json::object{{"total", page.total}, {"items", std::move(items)}};
                    });
                }});

    router.Add({.method = "POST",
                .pattern = "/api/v1/results/conflicts/:id/resolve",
                .permission = "results.review",
                .audit_event = "result.conflict_resolve",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(json::object o, BodyObject(req));
                        ASSIGN_OR_RETURN(std::string decision, String(o, "decision"));
                        ASSIGN_OR_RETURN(auto note, OptString(o, "note"));
                        ASSIGN_OR_RETURN(Conflict c,
                                         services->results.Resolve(PrincipalOf(req), id, decision,
                                                                   note.value_or("")));
                        return ConflictJson(c, services->results.LabName(c.lab_id));
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/tubes/:barcode/result",
                .permission = "results.read",
                .personal_data = true,
                .audit_event = "result.read",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        const std::string& barcode = req.Param("barcode");
                        if (barcode.empty() || barcode.size() > 40) return NotFound("未找到");
                        ASSIGN_OR_RETURN(TubeResultView v,
                                         services->results.TubeResult(PrincipalOf(req), barcode));
                        json::array members;
                        for (const MemberView& m : v.members) members.push_back(MemberJson(m));
                        const StoredResult& r = v.result;
                        return json::object{
                            {"tube_barcode", r.tube_barcode},
                            {"round_id", r.round_id},
                            {"pool_size", r.pool_size},
                            {"result", OutcomeName(r.result)},
                            {"reported_at", r.reported_at},
                            {"sampled_at", r.sampled_at},
                            {"ct", CtJson(r.ct)},
                            {"lab", json::object{{"id", r.lab_id}, {"name", v.lab_name}}},
                            {"members", std::move(members)}};
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/residents/:id/results",
                .permission = "results.read",
                .personal_data = true,
                .audit_event = "resident.results",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(auto results,
                                         services->results.ResidentResults(PrincipalOf(req), id));
                        json::array items;
                        for (const ResidentResult& r : results) {
                            items.push_back(ResidentResultJson(r, true));
                        }
                        return json::object{{"items", std::move(items)}};
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/results/invalid",
                .permission = "results.read",
                .personal_data = true,
                .audit_event = "result.invalid_list",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t round_id, QueryInt(req, "round_id", 0));
                        ASSIGN_OR_RETURN(auto page, services->results.InvalidMembers(
                                                        PrincipalOf(req), round_id));
                        json::array items;
                        for (const InvalidMember& m : page.items) {
                            json::object o = MemberJson(m.member);
                            o["tube_barcode"] = m.tube_barcode;
                            o["resampled"] = m.resampled;
                            items.push_back(std::move(o));
                        }
                        return json::object{{"total", page.total}, {"items", std::move(items)}};
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/pools",
                .permission = "pools.read",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(Paging p, PagingOf(req));
                        ASSIGN_OR_RETURN(int64_t community, QueryInt(req, "community_id", 0));
                        std::optional<bool> open;
                        const std::string status = req.Query("status").value_or("");
                        if (status == "open" || status == "closed") open = status == "open";
                        if (!status.empty() && !open) {
                            return InvalidArgument("status 应为 open 或 closed", "status");
                        }
                        ASSIGN_OR_RETURN(auto page,
                                         services->results.Pools(PrincipalOf(req), open, community,
                                                                 p.page, p.page_size));
                        json::array items;
                        for (const Pool& pool : page.items) items.push_back(PoolJson(pool));
                        return json::object{{"total", page.total}, {"items", std::move(items)}};
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/pools/:id",
                .permission = "pools.read",
                .personal_data = true,
                .audit_event = "pool.read",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t id, PathId(req));
                        ASSIGN_OR_RETURN(PoolDetail d,
                                         services->results.PoolById(PrincipalOf(req), id));
                        return PoolDetailJson(d);
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/alerts",
                .permission = "alerts.read",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t community, QueryInt(req, "community_id", 0));
                        ASSIGN_OR_RETURN(auto alerts,
                                         services->results.Alerts(PrincipalOf(req), community));
                        json::array items;
                        for (const Alert& a : alerts) {
                            items.push_back(json::object{{"kind", a.kind},
                                                         {"id", a.id},
                                                         {"community_id", a.community_id},
                                                         {"title", a.title},
                                                         {"at", a.at},
                                                         {"link", a.link}});
                        }
                        return json::object{{"items", std::move(items)}};
                    });
                }});

    router.Add({.method = "GET",
                .pattern = "/api/v1/lab/overview",
                .permission = "lab.overview",
                .handler = [services](Request& req) {
                    return JsonReply([&]() -> Result<json::object> {
                        ASSIGN_OR_RETURN(int64_t lab_id, QueryInt(req, "lab_id", 0));
                        ASSIGN_OR_RETURN(int64_t days, QueryInt(req, "days", 7));
                        ASSIGN_OR_RETURN(LabOverview o,
                                         services->results.Overview(PrincipalOf(req), lab_id,
                                                                    static_cast<int>(days)));
                        return OverviewJson(o);
                    });
                }});

    internal::AddPublicRoutes(router, services);
}

}  // namespace bulwark::testing::results
