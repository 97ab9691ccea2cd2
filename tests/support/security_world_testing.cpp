// The SecurityWorld's objects of the testing capability (labs, sites, rounds, tubes, boxes),
// seeded on each street through the API in the states the routes need.
#include <boost/json.hpp>
#include <chrono>

#include "tests/support/security_world.hpp"

namespace bulwark::testsupport {
namespace {

namespace json = boost::json;

constexpr int64_t kHour = 3600 * 1000;
// Tables of each site: 0 holds "tube", 1 "tube_to_close", 2..5 closed tubes, the rest are free
// for the calls that open a tube.
constexpr int kTables = 14;
constexpr int kFirstFreeTable = 6;

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

bool SecurityWorld::SeedTesting(bool in_scope, std::string* error) {
    HttpClient& as = in_scope ? *seeder_ : *seeder_out_;
    auto& ids = in_scope ? in_ : out_;
    const std::string side = in_scope ? "甲" : "乙";
    // Posts `body` to `path`; returns the answer's object, or null (and `*error`) unless 2xx.
    auto post = [&](const std::string& path, const json::object& body) -> json::value {
        HttpResult r = as.PostJson(path, json::serialize(body));
        json::value v = Parse(r.body);
        if (r.status < 200 || r.status >= 300 || !v.is_object()) {
            *error = "POST " + path + ": " + std::to_string(r.status) + " " + r.body;
            return nullptr;
        }
        return v;
    };
    auto id_of = [](const json::value& v) { return std::to_string(v.at("id").as_int64()); };

    // Labs stand alone: the first street's administrator makes both.
    HttpResult lab = seeder_->PostJson("/api/v1/labs",
                                       json::serialize(json::object{{"name", "检测机构" + side}}));
    if (lab.status != 201) {
        *error = "POST /api/v1/labs: " + lab.body;
        return false;
    }
    ids["lab"] = id_of(Parse(lab.body));

    json::array tables;
    for (int i = 0; i < kTables; ++i) {
        tables.push_back(json::object{{"name", std::to_string(i + 1) + "号台"}});
    }
    json::value site = post("/api/v1/sites", {{"community_id", std::stoll(ids["community"])},
                                              {"name", "采样点" + side},
                                              {"tables", tables}});
    if (site.is_null()) return false;
    ids["site"] = id_of(site);
    std::vector<std::string> table_ids;
    for (const json::value& t : site.at("tables").as_array()) table_ids.push_back(id_of(t));
    ids["table"] = table_ids[0];
    auto& free = in_scope ? free_tables_ : out_free_tables_;
    free.assign(table_ids.begin() + kFirstFreeTable, table_ids.end());

    const int64_t now = NowMillis();
    for (const char* kind : {"round", "round_to_close"}) {
        json::value round =
            post("/api/v1/rounds", {{"community_id", std::stoll(ids["community"])},
                                    {"name", std::string(kind) + side},
                                    {"kind", "whole"},
                                    {"starts_at", now - kHour},
                                    {"ends_at", now + 11 * kHour},
                                    {"pool_size", 5},
                                    {"site_ids", json::array{std::stoll(ids["site"])}}});
        if (round.is_null()) return false;
        ids[kind] = id_of(round);
    }

    // Tubes: one taking scans (room for 20), one to close, and four closed ones for the boxes.
    int serial = 0;
    auto open_tube = [&](size_t table, int pool) -> json::value {
        return post("/api/v1/sampling/tubes",
                    {{"key", RequestKey()},
                     {"round_id", std::stoll(ids["round"])},
                     {"site_id", std::stoll(ids["site"])},
                     {"table_id", std::stoll(table_ids[table])},
                     {"barcode",
                      "TUBE-" + std::string(in_scope ? "IN-" : "OUT-") + std::to_string(++serial)},
                     {"pool_size", pool}});
    };
    json::value tube = open_tube(0, 20);
    json::value to_close = open_tube(1, 5);
    if (tube.is_null() || to_close.is_null()) return false;
    ids["tube"] = id_of(tube);
    ids["tube_barcode"] = std::string(tube.at("barcode").as_string());
    ids["tube_to_close"] = id_of(to_close);
    std::vector<std::string> closed;
    for (size_t table = 2; table < 6; ++table) {
        json::value t = open_tube(table, 5);
        if (t.is_null()) return false;
        if (post("/api/v1/sampling/tubes/" + id_of(t) + "/close", {{"key", RequestKey()}})
                .is_null()) {
            return false;
        }
        closed.push_back(std::string(t.at("barcode").as_string()));
    }
    ids["closed_tube_barcode"] = closed[0];

    // Boxes: open (to pack), packed (to seal), sealed (to hand over), handed over to the lab.
    auto box_with = [&](const std::string& kind, const std::string& tube_barcode,
                        int steps) -> bool {
        json::value box = post("/api/v1/sampling/boxes",
                               {{"key", RequestKey()},
                                {"round_id", std::stoll(ids["round"])},
                                {"site_id", std::stoll(ids["site"])},
                                {"barcode", "BOX-" + std::string(in_scope ? "IN-" : "OUT-") +
                                                std::to_string(++serial)}});
        if (box.is_null()) return false;
        const std::string path = "/api/v1/sampling/boxes/" + id_of(box);
        ids[kind] = id_of(box);
        if (steps >= 1 &&
            post(path + "/tubes", {{"key", RequestKey()}, {"tube_barcode", tube_barcode}})
                .is_null()) {
            return false;
        }
        if (steps >= 2 && post(path + "/seal", {{"key", RequestKey()}}).is_null()) return false;
        if (steps >= 3 &&
            post(path + "/handover", {{"key", RequestKey()}, {"lab_id", std::stoll(ids["lab"])}})
                .is_null()) {
            return false;
        }
        return true;
    };
    if (!box_with("box", "", 0) || !box_with("box_to_seal", closed[1], 1) ||
        !box_with("box_to_handover", closed[2], 2) || !box_with("box_to_receive", closed[3], 3)) {
        return false;
    }
    ids["receive_tube_barcode"] = closed[3];
    return SeedResults(in_scope, error);
}

std::string SecurityWorld::FreeTable(bool in_scope) {
    auto& free = in_scope ? free_tables_ : out_free_tables_;
    if (free.empty()) return "99999999";
    // Out of scope the same table serves every call: it is never reached.
    if (!in_scope) return free.front();
    std::string table = free.front();
    free.erase(free.begin());
    return table;
}

std::string SecurityWorld::RequestKey() { return "matrix-request-key-" + Unique(); }

std::string SecurityWorld::FreshCode() {
    json::object body{{"building_id", std::stoll(In("building"))},
                      {"room", "3" + std::to_string(serial_ % 100)},
                      {"name", "受检者"}};
    HttpResult created = seeder_->PostJson("/api/v1/residents", json::serialize(body));
    json::value v = Parse(created.body);
    if (created.status != 201 || !v.is_object()) return "";
    const std::string id = std::to_string(v.at("id").as_int64());
    HttpResult code = seeder_->PostJson("/api/v1/residents/" + id + "/code/reissue", "{}");
    json::value c = Parse(code.body);
    if (code.status != 200 || !c.is_object()) return "";
    return std::string(c.at("code_token").as_string());
}

}  // namespace bulwark::testsupport
