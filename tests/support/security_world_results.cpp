// The SecurityWorld's objects of lab results (issue 7), seeded on each street through the API:
// a recorded result for the tube handed to the lab, a pooled positive with its procedure, and,
// made when a call asks, result imports, conflicts and personal codes for the public page.
#include <boost/json.hpp>
#include <chrono>

#include "tests/support/security_world.hpp"

namespace bulwark::testsupport {
namespace {

namespace json = boost::json;

json::value Parse(const std::string& body) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    return ec ? json::value() : v;
}

int64_t NowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

bool SecurityWorld::SeedResults(bool in_scope, std::string* error) {
    HttpClient& as = in_scope ? *seeder_ : *seeder_out_;
    auto& ids = in_scope ? in_ : out_;
    const std::string side = in_scope ? "IN" : "OUT";
    auto post = [&](const std::string& path, const json::object& body) -> json::value {
        HttpResult r = as.PostJson(path, json::serialize(body));
        json::value v = Parse(r.body);
        if (r.status < 200 || r.status >= 300 || !v.is_object()) {
            *error = "POST " + path + ": " + std::to_string(r.status) + " " + r.body;
            return nullptr;
        }
        return v;
    };
    const int64_t lab = std::stoll(ids["lab"]);
    auto load = [&](const std::string& tube, const char* result) {
        return !post("/api/v1/results",
                     {{"lab_id", lab},
                      {"results", json::array{json::object{{"tube_barcode", tube},
                                                           {"result", result},
                                                           {"reported_at", NowMillis()}}}}})
                    .is_null();
    };
    // The tube handed to the lab is negative (later loads of the matrix repeat that).
    if (!load(ids["receive_tube_barcode"], "negative")) return false;

    // A pooled positive: two people in a tube of five, shipped to the lab, positive.
    const std::string tube = "POOL-" + side;
    json::value opened =
        post("/api/v1/sampling/tubes", {{"key", RequestKey()},
                                        {"round_id", std::stoll(ids["round"])},
                                        {"site_id", std::stoll(ids["site"])},
                                        {"table_id", std::stoll(FreeTable(in_scope))},
                                        {"barcode", tube},
                                        {"pool_size", 5}});
    if (opened.is_null()) return false;
    for (int i = 0; i < 2; ++i) {
        json::value person =
            post("/api/v1/residents", {{"building_id", std::stoll(ids["building"])},
                                       {"room", "6" + std::to_string(i) + "1"},
                                       {"name", i == 0 ? "混管甲" : "混管乙"}});
        if (person.is_null()) return false;
        json::value code = post(
            "/api/v1/residents/" + std::to_string(person.at("id").as_int64()) + "/code/reissue",
            {});
        if (code.is_null()) return false;
        if (post("/api/v1/sampling/scans",
                 {{"key", RequestKey()}, {"tube_barcode", tube}, {"code", code.at("code_token")}})
                .is_null()) {
            return false;
        }
    }
    const std::string tube_id = std::to_string(opened.at("id").as_int64());
    if (post("/api/v1/sampling/tubes/" + tube_id + "/close", {{"key", RequestKey()}}).is_null()) {
        return false;
    }
    json::value box = post("/api/v1/sampling/boxes", {{"key", RequestKey()},
                                                      {"round_id", std::stoll(ids["round"])},
                                                      {"site_id", std::stoll(ids["site"])},
                                                      {"barcode", "BOX-POOL-" + side}});
    if (box.is_null()) return false;
    const std::string path = "/api/v1/sampling/boxes/" + std::to_string(box.at("id").as_int64());
    if (post(path + "/tubes", {{"key", RequestKey()}, {"tube_barcode", tube}}).is_null() ||
        post(path + "/seal", {{"key", RequestKey()}}).is_null() ||
        post(path + "/handover", {{"key", RequestKey()}, {"lab_id", lab}}).is_null() ||
        !load(tube, "positive")) {
        return false;
    }
    HttpResult pools = as.Get("/api/v1/pools?status=open");
    json::value p = Parse(pools.body);
    if (pools.status != 200 || !p.is_object() || p.at("items").as_array().empty()) {
        *error = "GET /api/v1/pools: " + pools.body;
        return false;
    }
    ids["pool"] = std::to_string(p.at("items").at(0).at("id").as_int64());
    ids["result_tube_barcode"] = ids["receive_tube_barcode"];
    return true;
}

std::string SecurityWorld::ResultsInFor(const std::string& role, const std::string& kind) {
    if (kind == "public_code") return FreshCode();
    if (kind == "conflict") return NewConflict(true);
    std::string& id = owned_[role + "/" + kind];
    if (id.empty()) id = MakeResultImport(As(role), true);
    // A role that may not load results names the first street administrator's (and is denied).
    if (id.empty()) {
        std::string& fallback = owned_["seed-1/" + kind];
        if (fallback.empty()) fallback = MakeResultImport(*seeder_, true);
        return fallback;
    }
    return id;
}

std::string SecurityWorld::ResultsOutFor(const std::string& kind) {
    std::string& id = owned_["seed-2/" + kind];
    if (!id.empty()) return id;
    if (kind == "conflict") {
        id = NewConflict(false);
    } else if (kind == "result_import") {
        id = MakeResultImport(*seeder_out_, false);
    } else if (kind == "public_code") {
        // A code that was re-issued: it must answer exactly like one never issued.
        json::value person =
            Parse(seeder_out_
                      ->PostJson(
                          "/api/v1/residents",
                          json::serialize(json::object{{"building_id", std::stoll(Out("building"))},
                                                       {"room", "701"},
                                                       {"name", "旧码居民"}}))
                      .body);
        if (!person.is_object() || !person.as_object().contains("id")) return "";
        const std::string path =
            "/api/v1/residents/" + std::to_string(person.at("id").as_int64()) + "/code/reissue";
        json::value first = Parse(seeder_out_->PostJson(path, "{}").body);
        if (!first.is_object() || !first.as_object().contains("code_token")) return "";
        if (seeder_out_->PostJson(path, "{}").status != 200) return "";
        id = std::string(first.at("code_token").as_string());
    }
    return id;
}

std::string SecurityWorld::MakeResultImport(HttpClient& as, bool in_scope) {
    const std::string csv = "试管条码,检测结果\n" +
                            (in_scope ? In("receive_tube_barcode") : Out("receive_tube_barcode")) +
                            ",阴性\n";
    HttpResult r = as.Send("POST",
                           "/api/v1/results/imports?filename=matrix-" + Unique() +
                               ".csv&lab_id=" + (in_scope ? In("lab") : Out("lab")),
                           csv, {{"Content-Type", "text/csv"}});
    json::value v = Parse(r.body);
    if (r.status != 201 || !v.is_object()) return "";
    return std::string(v.at("id").as_string());
}

std::string SecurityWorld::NewConflict(bool in_scope) {
    HttpClient& as = in_scope ? *seeder_ : *seeder_out_;
    const std::string tube = in_scope ? In("receive_tube_barcode") : Out("receive_tube_barcode");
    json::object body{{"lab_id", std::stoll(in_scope ? In("lab") : Out("lab"))},
                      {"results", json::array{json::object{{"tube_barcode", tube},
                                                           {"result", "invalid"},
                                                           {"reported_at", NowMillis()}}}}};
    if (as.PostJson("/api/v1/results", json::serialize(body)).status != 200) return "";
    json::value list = Parse(as.Get("/api/v1/results/conflicts?status=open&page_size=500").body);
    if (!list.is_object()) return "";
    for (const json::value& c : list.at("items").as_array()) {
        if (c.at("tube_barcode").as_string() == tube) return std::to_string(c.at("id").as_int64());
    }
    return "";
}

}  // namespace bulwark::testsupport
