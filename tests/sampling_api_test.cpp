// Black-box tests of rounds, sites, scans, boxes and live figures: the real server on port 0, on
// each database driver.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/api_fixture.hpp"

namespace bulwark {
namespace {

using testsupport::HttpClient;
using testsupport::HttpResult;
namespace json = boost::json;

constexpr const char* kPassword = "Sampling-Test-Pass-2024!";
// Synthetic ID number (region 990: test data) with a correct check character, and its phone.
constexpr const char* kIdZhang = "990001199001010013";
constexpr const char* kPhoneZhang = "19900001234";

// The community the tests sample: two communities (A sampled, B elsewhere), a site in each,
// residents of A (one 80+, one moved out), one resident of B, a round of A's first grid.
struct World {
    int64_t community_a = 0, community_b = 0;
    int64_t grid_a1 = 0, grid_a2 = 0;
    int64_t building_a1 = 0, building_a2 = 0, building_b = 0;
    int64_t site_a = 0, site_b = 0;
    int64_t table_a1 = 0, table_a2 = 0, table_b1 = 0;
    int64_t round = 0;
    int64_t zhang = 0, elder = 0, moved = 0, neighbour = 0, outsider = 0;
    std::string zhang_code, elder_code, moved_code, neighbour_code, outsider_code;
};

class SamplingApiTest : public testsupport::ApiTest {
protected:
    SamplingApiTest() : ApiTest("bulwark-sampling-api", kPassword, Serve::kAtSetUp) {}

    // The error code of an error answer, "" for any other.
    static std::string ErrorCode(const HttpResult& r) {
        json::value v = Parse(r.body);
        if (!v.is_object() || !v.as_object().contains("error")) return "";
        return std::string(v.at("error").at("code").as_string());
    }

    // Builds the World through the API (and reads code tokens from the database, as a printed
    // card would carry them).
    World Build() {
        World w;
        Post(*admin_, "/api/v1/places/streets", {{"name", "演示街道"}, {"district", "演示区"}});
        w.community_a =
            Post(*admin_, "/api/v1/places/communities", {{"street_id", 1}, {"name", "雅仕居社区"}});
        w.community_b =
            Post(*admin_, "/api/v1/places/communities", {{"street_id", 1}, {"name", "翠竹社区"}});
        w.grid_a1 = Post(*admin_, "/api/v1/places/grids",
                         {{"community_id", w.community_a}, {"name", "第1网格"}});
        w.grid_a2 = Post(*admin_, "/api/v1/places/grids",
                         {{"community_id", w.community_a}, {"name", "第2网格"}});
        int64_t grid_b = Post(*admin_, "/api/v1/places/grids",
                              {{"community_id", w.community_b}, {"name", "第1网格"}});
        w.building_a1 =
            Post(*admin_, "/api/v1/places/buildings", {{"grid_id", w.grid_a1}, {"name", "3栋"}});
        w.building_a2 =
            Post(*admin_, "/api/v1/places/buildings", {{"grid_id", w.grid_a2}, {"name", "5栋"}});
        w.building_b =
            Post(*admin_, "/api/v1/places/buildings", {{"grid_id", grid_b}, {"name", "1栋"}});

        w.zhang = Resident(w.building_a1, "1203", "张三",
                           {{"doc_number", kIdZhang}, {"phone", kPhoneZhang}});
        w.elder = Resident(w.building_a1, "1204", "李老太", {{"birth_date", "1930-05-01"}});
        w.moved = Resident(w.building_a1, "1205", "王五", {{"presence", "moved_out"}});
        w.neighbour = Resident(w.building_a2, "101", "赵六");
        w.outsider = Resident(w.building_b, "202", "钱七");
        w.zhang_code = CodeOf(w.zhang);
        w.elder_code = CodeOf(w.elder);
        w.moved_code = CodeOf(w.moved);
        w.neighbour_code = CodeOf(w.neighbour);
        w.outsider_code = CodeOf(w.outsider);

        auto site_a = admin_->PostJson(
            "/api/v1/sites",
            Body({{"community_id", w.community_a},
                  {"name", "雅仕居采样点"},
                  {"address", "雅仕居广场"},
                  {"hours", json::array{json::object{
                                {"weekday", 1}, {"open", "07:00"}, {"close", "21:00"}}}},
                  {"tables",
                   json::array{json::object{{"name", "1号台"}, {"priority_lane", false}},
                               json::object{{"name", "爱心通道"}, {"priority_lane", true}}}}}));
        EXPECT_EQ(site_a.status, 201) << site_a.body;
        w.site_a = IdOf(site_a);
        json::value a = Parse(site_a.body);
        w.table_a1 = a.at("tables").at(0).at("id").as_int64();
        w.table_a2 = a.at("tables").at(1).at("id").as_int64();
        auto site_b = admin_->PostJson(
            "/api/v1/sites", Body({{"community_id", w.community_b},
                                   {"name", "翠竹采样点"},
                                   {"tables", json::array{json::object{{"name", "1号台"}}}}}));
        EXPECT_EQ(site_b.status, 201) << site_b.body;
        w.site_b = IdOf(site_b);
        w.table_b1 = Parse(site_b.body).at("tables").at(0).at("id").as_int64();

        const int64_t now = NowMillis();
        w.round = Post(*admin_, "/api/v1/rounds",
                       {{"community_id", w.community_a},
                        {"name", "第1轮全员核酸"},
                        {"kind", "whole"},
                        {"scope", json::object{{"kind", "grids"}, {"ids", json::array{w.grid_a1}}}},
                        {"starts_at", now - kHour},
                        {"ends_at", now + 11 * kHour},
                        {"pool_size", 5},
                        {"single_tube_tags", json::array{"elderly_80", "bedridden"}},
                        {"single_tube_control_areas", true},
                        {"site_ids", json::array{w.site_a}}});
        return w;
    }

    HttpResult OpenTube(HttpClient& c, const World& w, const std::string& barcode,
                        int64_t table = 0, const std::string& key = NewKey()) {
        return c.PostJson("/api/v1/sampling/tubes", Body({{"key", key},
                                                          {"round_id", w.round},
                                                          {"site_id", w.site_a},
                                                          {"table_id", table ? table : w.table_a1},
                                                          {"barcode", barcode}}));
    }

    HttpResult Scan(HttpClient& c, const std::string& tube, const std::string& code,
                    const std::string& key = NewKey()) {
        return c.PostJson("/api/v1/sampling/scans",
                          Body({{"key", key}, {"tube_barcode", tube}, {"code", code}}));
    }
};

TEST_P(SamplingApiTest, LabsSitesAndRounds) {
    World w = Build();
    ASSERT_GT(w.round, 0);

    auto lab = admin_->PostJson("/api/v1/labs", R"({"name":"金域检测"})");
    ASSERT_EQ(lab.status, 201) << lab.body;
    EXPECT_EQ(admin_->PostJson("/api/v1/labs", R"({"name":"金域检测"})").status, 409);
    EXPECT_EQ(Parse(admin_->Get("/api/v1/labs").body).at("items").as_array().size(), 1u);

    // At most one priority lane per site.
    auto two_lanes = admin_->PostJson(
        "/api/v1/sites",
        Body({{"community_id", w.community_a},
              {"name", "第二采样点"},
              {"tables", json::array{json::object{{"name", "1"}, {"priority_lane", true}},
                                     json::object{{"name", "2"}, {"priority_lane", true}}}}}));
    EXPECT_EQ(two_lanes.status, 400) << two_lanes.body;
    EXPECT_EQ(Parse(two_lanes.body).at("error").at("field").as_string(), "tables");

    auto sites = admin_->Get("/api/v1/sites?community_id=" + std::to_string(w.community_a));
    ASSERT_EQ(sites.status, 200) << sites.body;
    json::value listed = Parse(sites.body);
    ASSERT_EQ(listed.at("items").as_array().size(), 1u);
    const json::value& site = listed.at("items").at(0);
    EXPECT_EQ(site.at("hours").at(0).at("open").as_string(), "07:00");
    EXPECT_TRUE(site.at("tables").at(1).at("priority_lane").as_bool());

    // Edits carry the version: a stale one is 422; a table keeps its id.
    const std::string site_path = "/api/v1/sites/" + std::to_string(w.site_a);
    json::object patch{{"version", 1},
                       {"address", "雅仕居广场东侧"},
                       {"tables", json::array{json::object{{"id", w.table_a1}, {"name", "1号台"}},
                                              json::object{{"id", w.table_a2},
                                                           {"name", "爱心通道"},
                                                           {"priority_lane", true}},
                                              json::object{{"name", "3号台"}}}}};
    auto edited =
        admin_->Send("PATCH", site_path, Body(patch), {{"Content-Type", "application/json"}});
    ASSERT_EQ(edited.status, 200) << edited.body;
    EXPECT_EQ(Parse(edited.body).at("version").as_int64(), 2);
    EXPECT_EQ(Parse(edited.body).at("tables").as_array().size(), 3u);
    EXPECT_EQ(Parse(edited.body).at("tables").at(0).at("id").as_int64(), w.table_a1);
    auto stale =
        admin_->Send("PATCH", site_path, Body(patch), {{"Content-Type", "application/json"}});
    EXPECT_EQ(stale.status, 422) << stale.body;

    // Rounds: validation, status from the window, copy, close.
    const int64_t now = NowMillis();
    json::object bad{{"community_id", w.community_a},
                     {"name", "坏轮次"},
                     {"kind", "whole"},
                     {"scope", json::object{{"kind", "community"}}},
                     {"starts_at", now},
                     {"ends_at", now + kHour},
                     {"pool_size", 3},
                     {"site_ids", json::array{w.site_a}}};
    auto bad_pool = admin_->PostJson("/api/v1/rounds", Body(bad));
    EXPECT_EQ(bad_pool.status, 400);
    EXPECT_EQ(Parse(bad_pool.body).at("error").at("field").as_string(), "pool_size");
    bad["pool_size"] = 10;
    bad["site_ids"] = json::array{w.site_b};
    EXPECT_EQ(admin_->PostJson("/api/v1/rounds", Body(bad)).status, 400) << "a site elsewhere";

    auto round = admin_->Get("/api/v1/rounds/" + std::to_string(w.round));
    ASSERT_EQ(round.status, 200) << round.body;
    json::value r = Parse(round.body);
    EXPECT_EQ(r.at("status").as_string(), "open");
    EXPECT_EQ(r.at("pool_size").as_int64(), 5);
    EXPECT_EQ(r.at("scope").at("kind").as_string(), "grids");
    EXPECT_EQ(r.at("single_tube_tags").as_array().size(), 2u);
    EXPECT_EQ(r.at("sample_count").as_int64(), 0);

    auto copy = admin_->PostJson("/api/v1/rounds/" + std::to_string(w.round) + "/copy",
                                 Body({{"name", "第2轮全员核酸"},
                                       {"starts_at", now + 24 * kHour},
                                       {"ends_at", now + 36 * kHour}}));
    ASSERT_EQ(copy.status, 201) << copy.body;
    json::value c = Parse(copy.body);
    EXPECT_NE(c.at("id").as_int64(), w.round);
    EXPECT_EQ(c.at("status").as_string(), "planned");
    EXPECT_EQ(c.at("scope"), r.at("scope"));
    EXPECT_EQ(c.at("site_ids"), r.at("site_ids"));
    EXPECT_EQ(c.at("pool_size").as_int64(), 5);

    auto planned = admin_->Get("/api/v1/rounds?status=planned");
    ASSERT_EQ(planned.status, 200);
    EXPECT_EQ(Parse(planned.body).at("items").as_array().size(), 1u);
    const std::string copy_path = "/api/v1/rounds/" + std::to_string(c.at("id").as_int64());
    auto renamed = admin_->Send("PATCH", copy_path, R"({"version":1,"name":"第2轮改"})",
                                {{"Content-Type", "application/json"}});
    ASSERT_EQ(renamed.status, 200) << renamed.body;
    EXPECT_EQ(Parse(renamed.body).at("version").as_int64(), 2);
    auto closed = admin_->PostJson(copy_path + "/close", "{}");
    ASSERT_EQ(closed.status, 200) << closed.body;
    EXPECT_EQ(Parse(closed.body).at("status").as_string(), "closed");

    // A scanner sees their site and its rounds only; they cannot plan.
    auto scanner = SignedIn("scanner-a", "scanner", "site:" + std::to_string(w.site_a));
    auto mine = scanner->Get("/api/v1/sites");
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_EQ(Parse(mine.body).at("items").as_array().size(), 1u);
    EXPECT_EQ(scanner->Get("/api/v1/sites/" + std::to_string(w.site_b)).status, 404);
    auto rounds = scanner->Get("/api/v1/rounds");
    ASSERT_EQ(rounds.status, 200) << rounds.body;
    EXPECT_EQ(Parse(rounds.body).at("items").as_array().size(), 2u);
    EXPECT_EQ(scanner->PostJson("/api/v1/rounds", Body(bad)).status, 403);
    // A grid worker lists the rounds of their grid's community, as they read each one (the
    // list used to answer none).
    auto worker = SignedIn("grid-a2", "grid_worker", "grid:" + std::to_string(w.grid_a2));
    auto worker_rounds = worker->Get("/api/v1/rounds");
    ASSERT_EQ(worker_rounds.status, 200) << worker_rounds.body;
    EXPECT_EQ(Parse(worker_rounds.body).at("items").as_array().size(), 2u) << worker_rounds.body;
    EXPECT_GE(Count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'round.%'"), 4);
}

// What opening a tube checks, each refusal naming its field: the site (and the scanner's scope
// over it), the table (one of that site's), the round (of the site's community) and whether the
// site takes part in the round.
TEST_P(SamplingApiTest, OpeningATubeChecksSiteTableAndRound) {
    World w = Build();
    // A second site in community A that the round does not use.
    auto site_c = admin_->PostJson(
        "/api/v1/sites", Body({{"community_id", w.community_a},
                               {"name", "二号采样点"},
                               {"tables", json::array{json::object{{"name", "1号台"}}}}}));
    ASSERT_EQ(site_c.status, 201) << site_c.body;
    const int64_t site_c_id = IdOf(site_c);
    const int64_t table_c1 = Parse(site_c.body).at("tables").at(0).at("id").as_int64();
    auto scanner = SignedIn("scanner-ca", "scanner", "community:" + std::to_string(w.community_a));
    auto open = [&](int64_t round, int64_t site, int64_t table, const std::string& barcode) {
        return scanner->PostJson("/api/v1/sampling/tubes", Body({{"key", NewKey()},
                                                                 {"round_id", round},
                                                                 {"site_id", site},
                                                                 {"table_id", table},
                                                                 {"barcode", barcode}}));
    };
    auto field = [](const HttpResult& r) {
        json::value v = Parse(r.body);
        const json::value* f = v.is_object() && v.as_object().contains("error")
                                   ? v.at("error").as_object().if_contains("field")
                                   : nullptr;
        return f && f->is_string() ? std::string(f->as_string()) : std::string();
    };

    auto not_in_round = open(w.round, site_c_id, table_c1, "TC001");
    EXPECT_EQ(not_in_round.status, 422) << not_in_round.body;
    EXPECT_EQ(ErrorCode(not_in_round), "site_not_in_round");
    auto other_sites_table = open(w.round, w.site_a, table_c1, "TC002");
    EXPECT_EQ(other_sites_table.status, 404) << other_sites_table.body;
    EXPECT_EQ(field(other_sites_table), "table_id");
    auto no_round = open(w.round + 1000, w.site_a, w.table_a1, "TC003");
    EXPECT_EQ(no_round.status, 404) << no_round.body;
    EXPECT_EQ(field(no_round), "round_id");
    auto outside_scope = open(w.round, w.site_b, w.table_b1, "TC004");
    EXPECT_EQ(outside_scope.status, 404) << outside_scope.body;
    EXPECT_EQ(field(outside_scope), "site_id");
    auto no_site = open(w.round, site_c_id + 1000, table_c1, "TC005");
    EXPECT_EQ(no_site.status, 404) << no_site.body;
    EXPECT_EQ(field(no_site), "site_id");
    // A round of another community, at a site this scanner may use: as a missing round.
    auto scanner_b = SignedIn("scanner-b", "scanner", "site:" + std::to_string(w.site_b));
    auto other_community =
        scanner_b->PostJson("/api/v1/sampling/tubes", Body({{"key", NewKey()},
                                                            {"round_id", w.round},
                                                            {"site_id", w.site_b},
                                                            {"table_id", w.table_b1},
                                                            {"barcode", "TC006"}}));
    EXPECT_EQ(other_community.status, 404) << other_community.body;
    EXPECT_EQ(field(other_community), "round_id");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM tubes"), 0) << "no refused tube was written";

    // And the same scanner opens one where everything fits.
    auto fits = open(w.round, w.site_a, w.table_a2, "TC007");
    EXPECT_EQ(fits.status, 201) << fits.body;
    EXPECT_EQ(Count("SELECT COUNT(*) FROM tubes WHERE table_id = ?", {w.table_a2}), 1);
}

TEST_P(SamplingApiTest, ScansWarningsRejectionsAndReplays) {
    World w = Build();
    auto scanner = SignedIn("scanner-a", "scanner", "site:" + std::to_string(w.site_a));

    const std::string open_key = NewKey();
    auto tube = OpenTube(*scanner, w, "T0001", 0, open_key);
    ASSERT_EQ(tube.status, 201) << tube.body;
    json::value t = Parse(tube.body);
    EXPECT_EQ(t.at("pool_size").as_int64(), 5) << "the round's pool size by default";
    EXPECT_EQ(t.at("status").as_string(), "open");
    // A retry finds its own barcode used, and gets the first answer back, word for word.
    auto reopened = OpenTube(*scanner, w, "T0001", 0, open_key);
    EXPECT_EQ(reopened.status, 201);
    EXPECT_EQ(reopened.body, tube.body);
    EXPECT_EQ(ErrorCode(OpenTube(*scanner, w, "T0001", w.table_a2)), "tube_barcode_used");
    EXPECT_EQ(OpenTube(*scanner, w, "T0001", w.table_a2).status, 409);
    EXPECT_EQ(ErrorCode(OpenTube(*scanner, w, "T0002")), "table_has_open_tube");
    auto resumed =
        scanner->Get("/api/v1/sampling/tables/" + std::to_string(w.table_a1) + "/open-tube");
    ASSERT_EQ(resumed.status, 200) << resumed.body;
    EXPECT_EQ(Parse(resumed.body).at("barcode").as_string(), "T0001");

    // The happy path: the masked name, the tube's count, no warning.
    const std::string key = NewKey();
    auto first = Scan(*scanner, "T0001", w.zhang_code, key);
    ASSERT_EQ(first.status, 201) << first.body;
    json::value s = Parse(first.body);
    EXPECT_EQ(s.at("resident").at("name_masked").as_string(), "*三");
    EXPECT_EQ(s.at("resident").at("id").as_int64(), w.zhang);
    EXPECT_EQ(s.at("tube").at("count").as_int64(), 1);
    EXPECT_EQ(s.at("tube").at("status").as_string(), "open");
    EXPECT_TRUE(s.at("warnings").as_array().empty());
    EXPECT_EQ(s.at("sample").at("tube_barcode").as_string(), "T0001");
    for (const char* secret : {kIdZhang, kPhoneZhang, "张三", "1203"}) {
        EXPECT_EQ(first.body.find(secret), std::string::npos) << secret << " in a scan answer";
    }

    // A retry gets the same answer and makes no second row; another body under it is 422.
    auto retry = Scan(*scanner, "T0001", w.zhang_code, key);
    EXPECT_EQ(retry.status, 201);
    EXPECT_EQ(retry.body, first.body);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM samples WHERE resident_id = ?", {w.zhang}), 1);
    auto reused = Scan(*scanner, "T0001", w.neighbour_code, key);
    EXPECT_EQ(reused.status, 422);
    EXPECT_EQ(ErrorCode(reused), "idempotency_key_reused");

    // Sampled again in this round: where and when.
    auto again = Scan(*scanner, "T0001", w.zhang_code);
    EXPECT_EQ(again.status, 422);
    EXPECT_EQ(ErrorCode(again), "already_sampled");
    EXPECT_NE(again.body.find("雅仕居采样点"), std::string::npos) << again.body;
    EXPECT_NE(again.body.find("1号台"), std::string::npos) << again.body;
    // The scanner learnt that this person was sampled: audited with the refusal, whose swab
    // is taken back (the counts below go on from 1).
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'sampling.scan' AND "
                    "subject_id = ? AND detail LIKE '%already_sampled%'",
                    {w.zhang}),
              1);

    // A wrong token answers 404, and its key remembers that answer.
    const std::string wrong_key = NewKey();
    auto wrong = Scan(*scanner, "T0001", "no-such-token-0000000000", wrong_key);
    EXPECT_EQ(wrong.status, 404);
    EXPECT_EQ(ErrorCode(wrong), "not_found");
    EXPECT_EQ(Scan(*scanner, "T0001", "no-such-token-0000000000", wrong_key).body, wrong.body);
    EXPECT_EQ(Scan(*scanner, "T9999", w.neighbour_code).status, 404) << "unknown tube";

    // Warnings: outside the round's grids, moved out, a single tube needed (80+).
    auto neighbour = Scan(*scanner, "T0001", w.neighbour_code);
    ASSERT_EQ(neighbour.status, 201) << neighbour.body;
    EXPECT_EQ(Parse(neighbour.body).at("warnings").at(0).at("code").as_string(), "outside_scope");
    auto moved = Scan(*scanner, "T0001", w.moved_code);
    ASSERT_EQ(moved.status, 201) << moved.body;
    EXPECT_EQ(Parse(moved.body).at("warnings").at(0).at("code").as_string(), "moved_out");
    auto elder = Scan(*scanner, "T0001", w.elder_code);
    ASSERT_EQ(elder.status, 201) << elder.body;
    EXPECT_EQ(Parse(elder.body).at("warnings").at(0).at("code").as_string(),
              "single_tube_required");

    // The fifth swab closes the tube by itself; the next scan is refused.
    auto fifth = Scan(*scanner, "T0001", w.outsider_code);
    ASSERT_EQ(fifth.status, 201) << fifth.body;
    EXPECT_EQ(Parse(fifth.body).at("tube").at("count").as_int64(), 5);
    EXPECT_EQ(Parse(fifth.body).at("tube").at("status").as_string(), "closed");
    EXPECT_EQ(Parse(fifth.body).at("warnings").at(0).at("code").as_string(), "outside_scope");
    auto full = Scan(*scanner, "T0001", w.zhang_code);
    EXPECT_EQ(ErrorCode(full), "tube_full");

    // Closing by hand, then scanning into it: tube_closed. Closing again answers the tube.
    auto single = OpenTube(*scanner, w, "T0002");
    ASSERT_EQ(single.status, 201) << single.body;
    const std::string close_path =
        "/api/v1/sampling/tubes/" + std::to_string(IdOf(single)) + "/close";
    auto closed = scanner->PostJson(close_path, Body({{"key", NewKey()}}));
    ASSERT_EQ(closed.status, 200) << closed.body;
    EXPECT_EQ(Parse(closed.body).at("status").as_string(), "closed");
    EXPECT_EQ(scanner->PostJson(close_path, Body({{"key", NewKey()}})).status, 200);
    EXPECT_EQ(ErrorCode(Scan(*scanner, "T0002", w.zhang_code)), "tube_closed");

    // The tube lists its members, masked.
    auto members = scanner->Get("/api/v1/sampling/tubes/" + std::to_string(IdOf(tube)));
    ASSERT_EQ(members.status, 200) << members.body;
    json::value m = Parse(members.body);
    ASSERT_EQ(m.at("members").as_array().size(), 5u);
    EXPECT_EQ(m.at("members").at(0).at("name_masked").as_string(), "*三");
    EXPECT_EQ(members.body.find("张三"), std::string::npos);

    // Each answer showing a person has its audit row: the scan, and the refusal that told
    // where and when they were sampled; the member list too.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'sampling.scan' AND "
                    "subject_kind = 'resident' AND subject_id = ?",
                    {w.zhang}),
              2);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'sampling.scan'"), 6);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'sampling.tube_read' AND "
                    "subject_id = ?",
                    {IdOf(tube)}),
              1);

    // The database holds exactly the accepted scans, each once.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM samples"), 5);
    EXPECT_EQ(Count("SELECT SUM(samples) FROM sampling_counters"), 5);
    EXPECT_EQ(Count("SELECT filled FROM tubes WHERE barcode = 'T0001'"), 5);
}

TEST_P(SamplingApiTest, PeopleWithoutACode) {
    World w = Build();
    auto scanner = SignedIn("scanner-a", "scanner", "site:" + std::to_string(w.site_a));
    const std::string base = "/api/v1/sampling/lookup?round_id=" + std::to_string(w.round);

    auto by_doc = scanner->Get(base + "&doc_number=" + kIdZhang);
    ASSERT_EQ(by_doc.status, 200) << by_doc.body;
    json::value found = Parse(by_doc.body);
    ASSERT_EQ(found.at("items").as_array().size(), 1u);
    EXPECT_EQ(found.at("items").at(0).at("resident_id").as_int64(), w.zhang);
    EXPECT_EQ(found.at("items").at(0).at("name_masked").as_string(), "*三");
    EXPECT_EQ(by_doc.body.find(kIdZhang), std::string::npos);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'sampling.lookup' AND "
                    "subject_id = ? AND detail NOT LIKE ?",
                    {w.zhang, std::string("%") + kIdZhang + "%"}),
              1);

    auto buildings = scanner->Get("/api/v1/sampling/buildings?round_id=" + std::to_string(w.round));
    ASSERT_EQ(buildings.status, 200) << buildings.body;
    EXPECT_EQ(Parse(buildings.body).at("items").as_array().size(), 2u);
    auto by_address = scanner->Get(base + "&name=" + "%E5%BC%A0%E4%B8%89" +
                                   "&building_id=" + std::to_string(w.building_a1) + "&room=1203");
    ASSERT_EQ(by_address.status, 200) << by_address.body;
    EXPECT_EQ(Parse(by_address.body).at("items").as_array().size(), 1u);

    // A floating person is registered on the spot and scanned by resident id.
    json::object person{{"key", NewKey()}, {"round_id", w.round}, {"site_id", w.site_a},
                        {"name", "孙八"},  {"doc_type", "none"},  {"phone", "19900005678"}};
    auto floating = scanner->PostJson("/api/v1/sampling/floating", Body(person));
    ASSERT_EQ(floating.status, 201) << floating.body;
    const int64_t sun = Parse(floating.body).at("resident_id").as_int64();
    EXPECT_EQ(Parse(floating.body).at("name_masked").as_string(), "*八");
    EXPECT_EQ(scanner->PostJson("/api/v1/sampling/floating", Body(person)).body, floating.body);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM residents WHERE residency = 'floating'"), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'sampling.register_floating'"),
              1);

    ASSERT_EQ(OpenTube(*scanner, w, "T0100").status, 201);
    auto scanned = scanner->PostJson(
        "/api/v1/sampling/scans",
        Body({{"key", NewKey()}, {"tube_barcode", "T0100"}, {"resident_id", sun}}));
    ASSERT_EQ(scanned.status, 201) << scanned.body;
    EXPECT_EQ(Parse(scanned.body).at("warnings").at(0).at("code").as_string(), "outside_scope");
    // An id is taken only for the round's community: another community's resident answers
    // exactly as an id nobody has (no masked name, no room), so ids cannot be counted through.
    auto elsewhere = scanner->PostJson(
        "/api/v1/sampling/scans",
        Body({{"key", NewKey()}, {"tube_barcode", "T0100"}, {"resident_id", w.outsider}}));
    auto nobody = scanner->PostJson(
        "/api/v1/sampling/scans",
        Body({{"key", NewKey()}, {"tube_barcode", "T0100"}, {"resident_id", 99999999}}));
    EXPECT_EQ(elsewhere.status, 404) << elsewhere.body;
    EXPECT_EQ(Parse(elsewhere.body), Parse(nobody.body));
    EXPECT_EQ(elsewhere.body.find("钱"), std::string::npos);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM samples WHERE resident_id = ?", {w.outsider}), 0);
    EXPECT_EQ(scanner
                  ->PostJson("/api/v1/sampling/scans",
                             Body({{"key", NewKey()}, {"tube_barcode", "T0100"}}))
                  .status,
              400)
        << "neither code nor resident_id";
}

TEST_P(SamplingApiTest, TheOfflineBatch) {
    World w = Build();
    auto scanner = SignedIn("scanner-a", "scanner", "site:" + std::to_string(w.site_a));
    json::array items{
        json::object{{"kind", "open_tube"},
                     {"key", "batch-open-000000001"},
                     {"round_id", w.round},
                     {"site_id", w.site_a},
                     {"table_id", w.table_a2},
                     {"barcode", "T0200"},
                     {"pool_size", 1}},
        json::object{{"kind", "scan"},
                     {"key", "batch-scan-000000001"},
                     {"tube_barcode", "T0200"},
                     {"code", w.elder_code},
                     {"scanned_at", NowMillis() - 60000}},
        json::object{
            {"kind", "close_tube"}, {"key", "batch-close-00000001"}, {"tube_barcode", "T0200"}},
        json::object{{"kind", "scan"},
                     {"key", "batch-scan-000000002"},
                     {"tube_barcode", "T0200"},
                     {"code", w.zhang_code}},
        json::object{{"kind", "nonsense"}, {"key", "batch-bad-0000000001"}},
    };
    const std::string body = Body({{"items", items}});
    auto sent = scanner->PostJson("/api/v1/sampling/batch", body);
    ASSERT_EQ(sent.status, 200) << sent.body;
    json::value results = Parse(sent.body).at("results");
    ASSERT_EQ(results.as_array().size(), 5u);
    EXPECT_EQ(results.at(0).at("status").as_int64(), 201);
    EXPECT_EQ(results.at(1).at("status").as_int64(), 201);
    EXPECT_TRUE(results.at(1).at("body").at("warnings").as_array().empty())
        << "a single tube for the 80+ person";
    EXPECT_EQ(results.at(1).at("body").at("tube").at("status").as_string(), "closed");
    EXPECT_EQ(results.at(2).at("status").as_int64(), 200);
    EXPECT_EQ(results.at(3).at("status").as_int64(), 422);
    EXPECT_EQ(results.at(3).at("body").at("error").at("code").as_string(), "tube_full");
    EXPECT_EQ(results.at(4).at("status").as_int64(), 400);
    EXPECT_EQ(results.at(4).at("key").as_string(), "batch-bad-0000000001");

    // The phone sends the batch again (it never got the answer): the same answers, no new rows.
    auto again = scanner->PostJson("/api/v1/sampling/batch", body);
    ASSERT_EQ(again.status, 200);
    EXPECT_EQ(Parse(again.body).at("results"), results);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM samples"), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM tubes"), 1);
    // The same item sent alone is the same request.
    auto alone = scanner->PostJson(
        "/api/v1/sampling/scans",
        Body({{"key", "batch-scan-000000002"}, {"tube_barcode", "T0200"}, {"code", w.zhang_code}}));
    EXPECT_EQ(alone.status, 422);
    EXPECT_EQ(ErrorCode(alone), "tube_full");
}

TEST_P(SamplingApiTest, BoxesAndTheLabsReceipt) {
    World w = Build();
    auto scanner = SignedIn("scanner-a", "scanner", "site:" + std::to_string(w.site_a));
    const int64_t lab = IdOf(admin_->PostJson("/api/v1/labs", R"({"name":"金域检测"})"));
    const int64_t other_lab = IdOf(admin_->PostJson("/api/v1/labs", R"({"name":"华大检测"})"));
    ASSERT_GT(other_lab, 0);

    // Two single tubes filled (closed by themselves), one left open.
    for (auto [barcode, code] : {std::pair{"T0301", w.zhang_code}, {"T0302", w.elder_code}}) {
        auto opened = scanner->PostJson("/api/v1/sampling/tubes", Body({{"key", NewKey()},
                                                                        {"round_id", w.round},
                                                                        {"site_id", w.site_a},
                                                                        {"table_id", w.table_a1},
                                                                        {"barcode", barcode},
                                                                        {"pool_size", 1}}));
        ASSERT_EQ(opened.status, 201) << opened.body;
        ASSERT_EQ(Scan(*scanner, barcode, code).status, 201);
    }
    ASSERT_EQ(OpenTube(*scanner, w, "T0303").status, 201);

    auto box = scanner->PostJson("/api/v1/sampling/boxes", Body({{"key", NewKey()},
                                                                 {"round_id", w.round},
                                                                 {"site_id", w.site_a},
                                                                 {"barcode", "BOX-0001"}}));
    ASSERT_EQ(box.status, 201) << box.body;
    const std::string path = "/api/v1/sampling/boxes/" + std::to_string(IdOf(box));
    auto pack = [&](const std::string& tube) {
        return scanner->PostJson(path + "/tubes",
                                 Body({{"key", NewKey()}, {"tube_barcode", tube}}));
    };
    EXPECT_EQ(ErrorCode(pack("T0303")), "tube_not_closed");
    ASSERT_EQ(pack("T0301").status, 200);
    auto packed = pack("T0302");
    ASSERT_EQ(packed.status, 200) << packed.body;
    EXPECT_EQ(Parse(packed.body).at("tube_count").as_int64(), 2);
    EXPECT_EQ(pack("T0302").status, 200) << "packing it again is harmless";
    EXPECT_EQ(ErrorCode(scanner->PostJson(path + "/handover",
                                          Body({{"key", NewKey()}, {"lab_id", lab}}))),
              "box_not_sealed");
    auto sealed = scanner->PostJson(path + "/seal", Body({{"key", NewKey()}}));
    ASSERT_EQ(sealed.status, 200) << sealed.body;
    EXPECT_EQ(Parse(sealed.body).at("status").as_string(), "sealed");
    EXPECT_EQ(Parse(sealed.body).at("tube_count").as_int64(), 2);
    EXPECT_TRUE(Parse(sealed.body).at("sealed_at").is_int64());
    EXPECT_EQ(ErrorCode(pack("T0303")), "box_not_open");
    auto handed = scanner->PostJson(path + "/handover", Body({{"key", NewKey()}, {"lab_id", lab}}));
    ASSERT_EQ(handed.status, 200) << handed.body;
    EXPECT_EQ(Parse(handed.body).at("status").as_string(), "handed_over");

    // The lab finds the box by its barcode and records what arrived.
    auto other = SignedIn("lab-b", "lab", "lab:" + std::to_string(other_lab));
    auto lab_user = SignedIn("lab-a", "lab", "lab:" + std::to_string(lab));
    auto found = lab_user->Get("/api/v1/lab/boxes?barcode=BOX-0001");
    ASSERT_EQ(found.status, 200) << found.body;
    ASSERT_EQ(Parse(found.body).at("items").as_array().size(), 1u);
    EXPECT_TRUE(Parse(other->Get("/api/v1/lab/boxes").body).at("items").as_array().empty());
    const std::string receipt = "/api/v1/lab/boxes/" + std::to_string(IdOf(box)) + "/receipt";
    json::object scanned{{"key", NewKey()}, {"tube_barcodes", json::array{"T0301", "T0999"}}};
    EXPECT_EQ(other->PostJson(receipt, Body(scanned)).status, 404) << "another lab's box";
    EXPECT_EQ(scanner->PostJson(receipt, Body(scanned)).status, 404) << "scanners do not receive";
    scanned["key"] = NewKey();
    auto received = lab_user->PostJson(receipt, Body(scanned));
    ASSERT_EQ(received.status, 200) << received.body;
    json::value rc = Parse(received.body);
    EXPECT_EQ(rc.at("sent").as_int64(), 2);
    EXPECT_EQ(rc.at("received").as_int64(), 2);
    EXPECT_EQ(rc.at("missing"), (json::array{"T0302"}));
    EXPECT_EQ(rc.at("unexpected"), (json::array{"T0999"}));
    EXPECT_EQ(rc.at("box").at("status").as_string(), "received");
    EXPECT_EQ(lab_user->PostJson(receipt, Body(scanned)).body, received.body) << "a replay";

    auto detail = lab_user->Get(path);
    ASSERT_EQ(detail.status, 200) << detail.body;
    EXPECT_EQ(Parse(detail.body).at("tubes").as_array().size(), 2u);
    EXPECT_EQ(Parse(detail.body).at("receipt").at("missing"), (json::array{"T0302"}));
    auto listed = scanner->Get("/api/v1/sampling/boxes?round_id=" + std::to_string(w.round) +
                               "&site_id=" + std::to_string(w.site_a));
    ASSERT_EQ(listed.status, 200);
    EXPECT_EQ(Parse(listed.body).at("items").as_array().size(), 1u);
}

TEST_P(SamplingApiTest, LiveFiguresAndScope) {
    World w = Build();
    auto scanner = SignedIn("scanner-a", "scanner", "site:" + std::to_string(w.site_a));
    auto stranger = SignedIn("scanner-b", "scanner", "site:" + std::to_string(w.site_b));
    auto tube = OpenTube(*scanner, w, "T0401");
    ASSERT_EQ(tube.status, 201) << tube.body;
    for (const std::string& code : {w.zhang_code, w.elder_code, w.moved_code}) {
        ASSERT_EQ(Scan(*scanner, "T0401", code).status, 201);
    }
    ASSERT_EQ(scanner
                  ->PostJson("/api/v1/sampling/tubes/" + std::to_string(IdOf(tube)) + "/close",
                             Body({{"key", NewKey()}}))
                  .status,
              200);
    ASSERT_EQ(OpenTube(*scanner, w, "T0402", w.table_a2).status, 201);

    auto live = admin_->Get("/api/v1/sampling/live?round_id=" + std::to_string(w.round));
    ASSERT_EQ(live.status, 200) << live.body;
    json::value l = Parse(live.body);
    EXPECT_EQ(l.at("round").at("sample_count").as_int64(), 3);
    ASSERT_EQ(l.at("sites").as_array().size(), 1u);
    const json::value& site = l.at("sites").at(0);
    EXPECT_EQ(site.at("today").as_int64(), 3);
    EXPECT_EQ(site.at("this_hour").as_int64(), 3);
    EXPECT_EQ(site.at("tubes_open").as_int64(), 1);
    EXPECT_EQ(site.at("tubes_closed").as_int64(), 1);
    ASSERT_EQ(site.at("tables").as_array().size(), 2u);
    EXPECT_EQ(site.at("tables").at(0).at("today").as_int64(), 3);
    EXPECT_EQ(site.at("tables").at(1).at("tubes_open").as_int64(), 1);
    EXPECT_TRUE(site.at("tables").at(1).at("priority_lane").as_bool());
    EXPECT_EQ(Parse(admin_->Get("/api/v1/rounds/" + std::to_string(w.round)).body)
                  .at("sample_count")
                  .as_int64(),
              3);
    EXPECT_EQ(scanner->Get("/api/v1/sampling/live?round_id=" + std::to_string(w.round)).status,
              200);

    // A scanner of another site sees none of this: 404 like a missing id.
    const std::string tube_path = "/api/v1/sampling/tubes/" + std::to_string(IdOf(tube));
    auto hidden = stranger->Get(tube_path);
    auto missing = stranger->Get("/api/v1/sampling/tubes/99999999");
    EXPECT_EQ(hidden.status, 404);
    EXPECT_EQ(Parse(hidden.body), Parse(missing.body));
    EXPECT_EQ(Scan(*stranger, "T0402", w.neighbour_code).status, 404);
    EXPECT_EQ(stranger->PostJson(tube_path + "/close", Body({{"key", NewKey()}})).status, 404);
    EXPECT_EQ(stranger->Get("/api/v1/sampling/live?round_id=" + std::to_string(w.round)).status,
              404);
    EXPECT_EQ(stranger->Get("/api/v1/sampling/tables/" + std::to_string(w.table_a2) + "/open-tube")
                  .status,
              404);
    EXPECT_EQ(ErrorCode(stranger->PostJson("/api/v1/sampling/tubes", Body({{"key", NewKey()},
                                                                           {"round_id", w.round},
                                                                           {"site_id", w.site_a},
                                                                           {"table_id", w.table_a1},
                                                                           {"barcode", "T0499"}}))),
              "not_found");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM samples"), 3);
}

INSTANTIATE_TEST_SUITE_P(Drivers, SamplingApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark
