// The security tests' table of routes. A new route on the server needs one entry in RouteCases()
// below: its path parameters (which seeded object each takes), a valid body, and the status a
// role that may call it gets. Objects the route needs that the world does not seed yet are
// added in tests/support/security_world.cpp (Seed).
#include "tests/security_routes.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <set>

namespace bulwark::securitytest {
namespace {

namespace json = boost::json;

// An id that no object has, per kind ("" falls back to a number).
std::string MissingId(const std::string& kind) {
    if (kind == "code") return "CodeThatWasNeverIssued000000";
    if (kind.find("barcode") != std::string::npos) return "NO-SUCH-BARCODE-0000";
    return "99999999";
}

// The body of POST /api/v1/auth/password: the current password to a new one, which the world
// then uses for this role's logins.
std::string PasswordChange(CallContext& c) {
    const std::string old_password = c.world().Password(c.role());
    const std::string new_password = "Matrix-" + c.world().Unique() + "-Pass-2024!";
    c.world().SetPassword(c.role(), new_password);
    return json::serialize(
        json::object{{"old_password", old_password}, {"new_password", new_password}});
}

// A PATCH body of a versioned object of `kind` (read at `path` by the seeder of its street)
// with its current version and `fields` (CallContext::Fill placeholders allowed).
std::string VersionedPatch(CallContext& c, const std::string& kind, const std::string& path,
                           const std::string& fields) {
    const std::string id = c.Object(kind);
    std::string version = "1";
    if (c.variant() != Variant::kMissing) {
        testsupport::HttpResult r = c.world().Seeder(c.variant() == Variant::kIn).Get(path + id);
        boost::system::error_code ec;
        json::value v = json::parse(r.body, ec);
        if (!ec && v.is_object() && v.as_object().contains("version")) {
            version = std::to_string(v.at("version").as_int64());
        }
    }
    return "{\"version\":" + version + "," + c.Fill(fields) + "}";
}

int64_t NowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A round open now in the community, at the community's site.
std::string NewRound(CallContext& c) {
    const int64_t now = NowMillis();
    return c.Fill(R"({"community_id":{community},"name":"轮次{unique}","kind":"whole",)"
                  R"("pool_size":5,"site_ids":[{site}],"starts_at":)" +
                  std::to_string(now - 3600000) + R"(,"ends_at":)" + std::to_string(now + 7200000) +
                  "}");
}

std::string RoundCopy(CallContext& c) {
    const int64_t now = NowMillis();
    return c.Fill(R"({"name":"复制{unique}","starts_at":)" + std::to_string(now + 86400000) +
                  R"(,"ends_at":)" + std::to_string(now + 90000000) + "}");
}

}  // namespace

const char* VariantName(Variant v) {
    switch (v) {
        case Variant::kIn:
            return "in scope";
        case Variant::kOut:
            return "out of scope";
        case Variant::kMissing:
            return "missing id";
    }
    return "?";
}

std::string CallContext::Object(const std::string& kind) {
    named_object_ = true;
    switch (variant_) {
        case Variant::kIn:
            return world_.InFor(role_, kind);
        case Variant::kOut:
            return world_.OutFor(kind);
        case Variant::kMissing:
            return MissingId(kind);
    }
    return "";
}

std::string CallContext::Fill(const std::string& text) {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
        size_t open = text.find('{', i);
        size_t close = open == std::string::npos ? open : text.find('}', open);
        // JSON's own braces: a placeholder is {lowercase_word} only.
        auto is_word = [&](size_t from, size_t to) {
            if (to == std::string::npos || to == from + 1) return false;
            for (size_t k = from + 1; k < to; ++k) {
                if (!((text[k] >= 'a' && text[k] <= 'z') || text[k] == '_')) return false;
            }
            return true;
        };
        if (open == std::string::npos) {
            out += text.substr(i);
            break;
        }
        if (!is_word(open, close)) {
            out += text.substr(i, open + 1 - i);
            i = open + 1;
            continue;
        }
        out += text.substr(i, open - i);
        const std::string word = text.substr(open + 1, close - open - 1);
        if (word == "unique") {
            out += world_.Unique();
        } else if (word == "id_number") {
            out += world_.NewIdNumber();
        } else if (word == "phone") {
            out += world_.NewPhone();
        } else if (word == "key") {
            out += world_.RequestKey();
        } else if (word == "new_code") {
            out += world_.FreshCode();
        } else if (word.rfind("in_", 0) == 0) {
            out += world_.InFor(role_, word.substr(3));  // always in scope: names no object
        } else {
            out += Object(word);
        }
        i = close + 1;
    }
    return out;
}

// clang-format off
const std::vector<RouteCase>& RouteCases() {
    static const std::vector<RouteCase> cases = {
        // auth: sessions and the own account.
        {.route = "POST /api/v1/auth/login",
         .body = R"({"username":"nobody-{unique}","password":"wrong-password-1"})",
         .ok = 401},  // public; a wrong password is what every role may try
        {.route = "POST /api/v1/auth/logout", .ok = 204, .ends_session = true},
        {.route = "GET /api/v1/auth/me"},
        {.route = "POST /api/v1/auth/password", .make_body = PasswordChange, .ok = 204},
        // auth: accounts and the audit log.
        {.route = "GET /api/v1/users"},
        {.route = "POST /api/v1/users",
         .body = R"({"username":"made-{unique}","grants":[{"role":"staff","scope_kind":"community","scope_id":{community}}]})",
         .ok = 201,
         .missing = 403},  // granting outside one's places is refused, whether they exist or not
        {.route = "GET /api/v1/users/:id", .params = {{"id", "user"}}},
        {.route = "PATCH /api/v1/users/:id", .params = {{"id", "user"}},
         .body = R"({"display_name":"改名{unique}"})"},
        {.route = "POST /api/v1/users/:id/reset-password", .params = {{"id", "user"}}},
        {.route = "DELETE /api/v1/users/:id/sessions", .params = {{"id", "user"}}},
        {.route = "GET /api/v1/audit"},
        {.route = "GET /api/v1/audit/export", .query = "?format=csv"},
        // system
        {.route = "GET /healthz"},
        {.route = "GET /api/v1/system/info"},
        {.route = "POST /api/v1/client-errors",
         .body = R"({"key":"matrix-{unique}","message":"矩阵测试"})", .ok = 201},
        {.route = "GET /api/v1/client-errors"},
        // registry: places.
        {.route = "GET /api/v1/places"},
        {.route = "POST /api/v1/places/streets", .body = R"({"name":"街道{unique}"})", .ok = 201,
         .ok_for = {{"staff", 403}}},  // only street-level accounts create streets
        {.route = "POST /api/v1/places/communities",
         .body = R"({"street_id":{street},"name":"社区{unique}"})", .ok = 201,
         .ok_for = {{"staff", 404}}},  // the street is above a community worker's scope
        {.route = "POST /api/v1/places/grids",
         .body = R"({"community_id":{community},"name":"网格{unique}"})", .ok = 201},
        {.route = "POST /api/v1/places/buildings",
         .body = R"({"grid_id":{grid},"name":"楼{unique}","floors":3})", .ok = 201},
        // registry: residents.
        {.route = "GET /api/v1/residents"},
        {.route = "GET /api/v1/residents/duplicates"},
        {.route = "GET /api/v1/residents/:id", .params = {{"id", "resident"}}},
        {.route = "POST /api/v1/residents",
         .body = R"({"building_id":{building},"room":"9{unique}","name":"王五","doc_number":"{id_number}","phone":"{phone}"})",
         .ok = 201},
        {.route = "PATCH /api/v1/residents/:id", .params = {{"id", "resident"}},
         .make_body = [](CallContext& c) { return VersionedPatch(c, "resident",
                                                                 "/api/v1/residents/",
                                                                 R"("presence":"present")"); }},
        {.route = "POST /api/v1/residents/:id/unmask", .params = {{"id", "resident"}},
         .body = R"({"reason":"矩阵测试核对"})"},
        {.route = "POST /api/v1/residents/:id/code/reissue", .params = {{"id", "resident"}}},
        {.route = "GET /api/v1/residents/:id/code.svg", .params = {{"id", "resident"}}},
        {.route = "GET /api/v1/cards.pdf", .query = "?building_id={building}"},
        {.route = "GET /api/v1/residents/export.xlsx"},
        {.route = "POST /api/v1/residents/export",
         .body = R"({"unmasked":true,"reason":"矩阵测试导出"})"},
        // registry: imports, jobs that only the user who uploaded them sees.
        {.route = "POST /api/v1/imports/residents",
         .query = "?community_id={in_community}&filename=matrix.csv",
         .body = "姓名,身份证号,联系电话,楼栋,单元,房号\n导入丙,{id_number},{phone},楼甲,2,301\n",
         .ok = 202, .content_type = "text/csv"},
        {.route = "GET /api/v1/imports/:id", .params = {{"id", "import"}}},
        {.route = "PUT /api/v1/imports/:id/mapping", .params = {{"id", "import"}}, .body = "{}",
         .ok = 202},
        {.route = "POST /api/v1/imports/:id/apply", .params = {{"id", "import_to_apply"}},
         .ok = 202},
        {.route = "GET /api/v1/imports/:id/errors.xlsx", .params = {{"id", "import"}}},
        // testing: labs, sites and rounds.
        {.route = "GET /api/v1/labs"},
        {.route = "POST /api/v1/labs", .body = R"({"name":"检测机构{unique}"})", .ok = 201},
        {.route = "GET /api/v1/sites"},
        {.route = "POST /api/v1/sites",
         .body = R"({"community_id":{community},"name":"采样点{unique}","tables":[{"name":"1号台"}]})",
         .ok = 201},
        {.route = "GET /api/v1/sites/:id", .params = {{"id", "site"}}},
        {.route = "PATCH /api/v1/sites/:id", .params = {{"id", "site"}},
         .make_body = [](CallContext& c) { return VersionedPatch(c, "site", "/api/v1/sites/",
                                                                 R"("address":"广场{unique}")"); }},
        {.route = "GET /api/v1/rounds"},
        {.route = "POST /api/v1/rounds", .make_body = NewRound, .ok = 201},
        {.route = "GET /api/v1/rounds/:id", .params = {{"id", "round"}}},
        {.route = "PATCH /api/v1/rounds/:id", .params = {{"id", "round"}},
         .make_body = [](CallContext& c) { return VersionedPatch(c, "round", "/api/v1/rounds/",
                                                                 R"("name":"轮次{unique}")"); }},
        {.route = "POST /api/v1/rounds/:id/copy", .params = {{"id", "round"}},
         .make_body = RoundCopy, .ok = 201},
        {.route = "POST /api/v1/rounds/:id/close", .params = {{"id", "round_to_close"}},
         .body = "{}"},
        // testing: the sampling page.
        {.route = "POST /api/v1/sampling/tubes",
         .body = R"({"key":"{key}","round_id":{round},"site_id":{site},"table_id":{free_table},"barcode":"T-{unique}"})",
         .ok = 201},
        {.route = "POST /api/v1/sampling/scans",
         .body = R"({"key":"{key}","tube_barcode":"{tube_barcode}","code":"{new_code}"})",
         .ok = 201},
        {.route = "POST /api/v1/sampling/tubes/:id/close", .params = {{"id", "tube_to_close"}},
         .body = R"({"key":"{key}"})"},
        {.route = "POST /api/v1/sampling/batch",
         .body = R"({"items":[{"kind":"scan","key":"{key}","tube_barcode":"{in_tube_barcode}","code":"{new_code}"}]})"},
        {.route = "GET /api/v1/sampling/tubes/:id", .params = {{"id", "tube"}}},
        {.route = "GET /api/v1/sampling/tables/:table_id/open-tube",
         .params = {{"table_id", "table"}}},
        {.route = "GET /api/v1/sampling/lookup",
         .query = "?round_id={round}&doc_number={in_doc_number}"},
        {.route = "GET /api/v1/sampling/buildings", .query = "?round_id={round}"},
        {.route = "POST /api/v1/sampling/floating",
         .body = R"({"key":"{key}","round_id":{round},"site_id":{site},"name":"流动人员","doc_number":"{id_number}","phone":"{phone}"})",
         .ok = 201},
        {.route = "GET /api/v1/sampling/live", .query = "?round_id={round}"},
        // testing: transport boxes and the lab's receipt.
        {.route = "POST /api/v1/sampling/boxes",
         .body = R"({"key":"{key}","round_id":{round},"site_id":{site},"barcode":"B-{unique}"})",
         .ok = 201},
        {.route = "POST /api/v1/sampling/boxes/:id/tubes", .params = {{"id", "box"}},
         .body = R"({"key":"{key}","tube_barcode":"{in_closed_tube_barcode}"})"},
        {.route = "POST /api/v1/sampling/boxes/:id/seal", .params = {{"id", "box_to_seal"}},
         .body = R"({"key":"{key}"})"},
        {.route = "POST /api/v1/sampling/boxes/:id/handover",
         .params = {{"id", "box_to_handover"}}, .body = R"({"key":"{key}","lab_id":{in_lab}})"},
        {.route = "POST /api/v1/lab/boxes/:id/receipt", .params = {{"id", "box_to_receive"}},
         .body = R"({"key":"{key}","tube_barcodes":["{in_receive_tube_barcode}"]})"},
        {.route = "GET /api/v1/sampling/boxes", .query = "?round_id={round}"},
        {.route = "GET /api/v1/lab/boxes"},
        {.route = "GET /api/v1/sampling/boxes/:id", .params = {{"id", "box"}}},
        // follow-up (issue 6): coverage, the missed list, follow-up, home sampling, health
        // codes, the daily report.
        {.route = "GET /api/v1/rounds/:id/coverage", .params = {{"id", "round"}},
         .query = "?level=grid"},
        {.route = "GET /api/v1/streets/:id/coverage", .params = {{"id", "street"}}},
        {.route = "GET /api/v1/rounds/:id/progress", .params = {{"id", "round"}}},
        {.route = "GET /api/v1/rounds/:id/missed", .params = {{"id", "round"}}},
        {.route = "GET /api/v1/rounds/:id/missed.xlsx", .params = {{"id", "round"}}},
        // Unmasked needs residents.unmask, which verifiers and grid workers do not hold.
        {.route = "POST /api/v1/rounds/:id/missed/export", .params = {{"id", "round"}},
         .body = R"({"unmasked":true,"reason":"矩阵测试导出"})",
         .ok_for = {{"data_verifier", 403}, {"grid_worker", 403}}},
        {.route = "POST /api/v1/rounds/:id/followups/assign", .params = {{"id", "round"}},
         .body = R"({"resident_ids":[{resident}],"user_id":{in_user}})"},
        {.route = "GET /api/v1/rounds/:id/followups/mine", .params = {{"id", "round"}}},
        {.route = "GET /api/v1/rounds/:id/followups/:resident_id",
         .params = {{"id", "round"}, {"resident_id", "resident"}}},
        {.route = "POST /api/v1/rounds/:id/followups/:resident_id/attempts",
         .params = {{"id", "round"}, {"resident_id", "resident"}},
         .body = R"({"key":"{key}","outcome":"unreachable","note":"矩阵测试"})", .ok = 201},
        {.route = "POST /api/v1/rounds/:id/followups/:resident_id/phone",
         .params = {{"id", "round"}, {"resident_id", "resident"}}, .body = "{}"},
        {.route = "GET /api/v1/home-sampling", .query = "?community_id={community}"},
        {.route = "POST /api/v1/home-sampling",
         .body = R"({"resident_id":{resident},"note":"矩阵测试"})", .ok = 201},
        {.route = "GET /api/v1/communities/:id/repeated-misses", .params = {{"id", "community"}}},
        {.route = "GET /api/v1/health-code-requests", .query = "?community_id={community}"},
        {.route = "POST /api/v1/health-code-requests",
         .body = R"({"resident_id":{resident},"to_status":"green","reason":"矩阵测试","evidence":"矩阵测试"})",
         .ok = 201},
        {.route = "POST /api/v1/health-code-requests/:id/approve",
         .params = {{"id", "health_code_request"}}, .body = "{}"},
        {.route = "POST /api/v1/health-code-requests/:id/reject",
         .params = {{"id", "health_code_request_to_reject"}}, .body = "{}"},
        {.route = "GET /api/v1/residents/:id/health-code", .params = {{"id", "resident"}}},
        {.route = "GET /api/v1/communities/:id/daily-report", .params = {{"id", "community"}}},
        {.route = "GET /api/v1/communities/:id/daily-report.xlsx",
         .params = {{"id", "community"}}},
        // results (issue 7): loads, conflicts, a tube's and a resident's results, pools, alerts.
        {.route = "POST /api/v1/results/imports",
         .query = "?filename=matrix.csv&lab_id={in_lab}",
         .body = "试管条码,检测结果\n{in_receive_tube_barcode},阴性\n", .ok = 201,
         .content_type = "text/csv"},
        {.route = "GET /api/v1/results/imports/:id", .params = {{"id", "result_import"}}},
        {.route = "POST /api/v1/results/imports/:id/apply", .params = {{"id", "result_import"}},
         .body = "{}"},
        {.route = "POST /api/v1/results",
         .body = R"({"lab_id":{in_lab},"results":[{"tube_barcode":"{receive_tube_barcode}","result":"negative","reported_at":"2024-06-01 10:00"}]})",
         .missing = 400},  // an unknown tube is a bad entry, listed with the others
        {.route = "GET /api/v1/results/conflicts"},
        {.route = "POST /api/v1/results/conflicts/:id/resolve", .params = {{"id", "conflict"}},
         .body = R"({"decision":"keep","note":"矩阵测试"})"},
        {.route = "GET /api/v1/tubes/:barcode/result", .params = {{"barcode", "result_tube_barcode"}}},
        {.route = "GET /api/v1/residents/:id/results", .params = {{"id", "resident"}}},
        {.route = "GET /api/v1/results/invalid", .query = "?round_id={round}"},
        {.route = "GET /api/v1/pools"},
        {.route = "GET /api/v1/pools/:id", .params = {{"id", "pool"}}},
        {.route = "GET /api/v1/alerts"},
        {.route = "GET /api/v1/lab/overview", .query = "?lab_id={in_lab}"},
        // results: the residents' own page, public; out of scope is a re-issued code.
        {.route = "GET /api/v1/public/codes/:token/results", .params = {{"token", "public_code"}}},
        {.route = "POST /api/v1/public/codes/:token/home-sampling",
         .params = {{"token", "public_code"}}, .body = R"({"note":"矩阵测试"})", .ok = 201},
    };
    return cases;
}
// clang-format on

const RouteCase* FindRouteCase(const std::string& route) {
    for (const RouteCase& c : RouteCases()) {
        if (c.route == route) return &c;
    }
    return nullptr;
}

std::vector<DeclaredRoute> DeclaredRoutes(testsupport::SecurityWorld& world, std::string* error) {
    int status = -1;
    std::string out = world.Cli("routes --json", &status);
    boost::system::error_code ec;
    json::value v = json::parse(out, ec);
    std::vector<DeclaredRoute> routes;
    if (status != 0 || ec || !v.is_array()) {
        *error = "bulwark routes --json did not print a JSON array: " + out;
        return routes;
    }
    for (const json::value& r : v.as_array()) {
        std::vector<std::string> accepts;
        if (const json::value* a = r.as_object().if_contains("accepts"); a && a->is_array()) {
            for (const json::value& type : a->as_array()) accepts.emplace_back(type.as_string());
        }
        routes.push_back({.method = std::string(r.at("method").as_string()),
                          .pattern = std::string(r.at("pattern").as_string()),
                          .is_public = r.at("public").as_bool(),
                          .permission = std::string(r.at("permission").as_string()),
                          .personal_data = r.at("personal_data").as_bool(),
                          .audit_event = std::string(r.at("audit_event").as_string()),
                          .accepts = std::move(accepts)});
    }
    return routes;
}

std::string MissingEntries(const std::vector<DeclaredRoute>& routes) {
    std::string missing;
    std::set<std::string> declared;
    for (const DeclaredRoute& r : routes) {
        declared.insert(r.key());
        if (FindRouteCase(r.key()) == nullptr) missing += "\n  " + r.key();
    }
    std::string stale;
    for (const RouteCase& c : RouteCases()) {
        if (!declared.count(c.route)) stale += "\n  " + c.route;
    }
    std::string out;
    if (!missing.empty()) {
        out +=
            "These routes have no entry in tests/security_routes.cpp (RouteCases), so the "
            "security tests cannot check who may call them. Add one entry per route: its path "
            "parameters (which seeded object each takes), a valid body and the status a role "
            "with the permission gets; seed any new kind of object in "
            "tests/support/security_world.cpp:" +
            missing + "\n";
    }
    if (!stale.empty()) {
        out +=
            "These entries of tests/security_routes.cpp name routes the server no longer has "
            "(remove or rename them):" +
            stale + "\n";
    }
    return out;
}

bool NamesObjectInPath(const DeclaredRoute& route) {
    return route.pattern.find("/:") != std::string::npos;
}

Call BuildCall(const DeclaredRoute& route, const RouteCase& c, CallContext& ctx) {
    Call call;
    call.method = route.method;
    std::string path;
    const std::string& p = route.pattern;
    size_t i = 0;
    while (i < p.size()) {
        if (p[i] == ':') {
            size_t end = p.find('/', i);
            if (end == std::string::npos) end = p.size();
            const std::string name = p.substr(i + 1, end - i - 1);
            auto kind = c.params.find(name);
            path += ctx.Object(kind == c.params.end() ? name : kind->second);
            i = end;
        } else {
            path += p[i++];
        }
    }
    call.target = path + ctx.Fill(c.query);
    call.body = c.make_body ? c.make_body(ctx) : ctx.Fill(c.body);
    if (route.method != "GET" && route.method != "HEAD" && route.method != "DELETE") {
        std::string type = c.content_type;
        if (type.empty()) type = route.accepts.empty() ? "application/json" : route.accepts[0];
        call.headers.emplace_back("Content-Type", type);
    }
    call.named_object = ctx.named_object();
    return call;
}

}  // namespace bulwark::securitytest
