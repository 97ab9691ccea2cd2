// Black-box tests of lab results (issue 7): the real server on port 0, on each database driver.
// A pool of ten with one positive member runs the whole procedure to its end; re-imports are
// idempotent; a conflicting result is held and resolved; the residents' own page by code token,
// its identical 404 for wrong and re-issued tokens, and its rate limit; `bulwark import results`.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "registry/export/sheet_writer.hpp"
#include "tests/support/api_fixture.hpp"

namespace bulwark {
namespace {

using testsupport::HttpClient;
using testsupport::HttpResult;
namespace json = boost::json;

constexpr const char* kPassword = "Results-Test-Pass-2024!";

class ResultsApiTest : public testsupport::ApiTest {
protected:
    ResultsApiTest() : ApiTest("bulwark-results-api", kPassword, Serve::kWhenAsked) {}

    // Starts the server; `public_limit` > 0 sets the public page's calls a minute.
    void Start(int public_limit = 0) {
        if (public_limit > 0) {
            StartServerAndSignIn({{"BULWARK_PUBLIC_PAGE_LIMIT", std::to_string(public_limit)}});
        } else {
            StartServerAndSignIn();
        }
    }

    // One community with ten residents (three in room 1201), a site, a round of pools of ten,
    // a lab and its account.
    void Build() {
        Post(*admin_, "/api/v1/places/streets", {{"name", "演示街道"}, {"district", "演示区"}});
        community_ =
            Post(*admin_, "/api/v1/places/communities", {{"street_id", 1}, {"name", "雅仕居社区"}});
        const int64_t grid = Post(*admin_, "/api/v1/places/grids",
                                  {{"community_id", community_}, {"name", "第1网格"}});
        const int64_t building =
            Post(*admin_, "/api/v1/places/buildings", {{"grid_id", grid}, {"name", "3栋"}});
        const char* names[] = {"张一", "张二", "张三", "李四", "王五",
                               "赵六", "钱七", "孙八", "周九", "吴十"};
        for (int i = 0; i < 10; ++i) {
            const std::string room = i < 3 ? "1201" : "130" + std::to_string(i);
            residents_.push_back(
                Post(*admin_, "/api/v1/residents",
                     {{"building_id", building}, {"room", room}, {"name", names[i]}}));
        }
        auto site = admin_->PostJson(
            "/api/v1/sites", Body({{"community_id", community_},
                                   {"name", "雅仕居采样点"},
                                   {"tables", json::array{json::object{{"name", "1号台"}}}}}));
        ASSERT_EQ(site.status, 201) << site.body;
        site_ = IdOf(site);
        table_ = Parse(site.body).at("tables").at(0).at("id").as_int64();
        const int64_t now = NowMillis();
        round_ = Post(*admin_, "/api/v1/rounds",
                      {{"community_id", community_},
                       {"name", "第1轮全员核酸"},
                       {"kind", "whole"},
                       {"starts_at", now - kHour},
                       {"ends_at", now + 11 * kHour},
                       {"pool_size", 10},
                       {"site_ids", json::array{site_}}});
        lab_ = IdOf(admin_->PostJson("/api/v1/labs", R"({"name":"金域检测"})"));
        ASSERT_GT(lab_, 0);
        lab_user_ = SignedIn("lab-a", "lab", "lab:" + std::to_string(lab_));
    }

    // Samples `people` into a tube `barcode` of `pool` in `round` (it closes when full).
    void Sample(int64_t round, const std::string& barcode, int pool,
                const std::vector<int64_t>& people) {
        auto opened = admin_->PostJson("/api/v1/sampling/tubes", Body({{"key", NewKey()},
                                                                       {"round_id", round},
                                                                       {"site_id", site_},
                                                                       {"table_id", table_},
                                                                       {"barcode", barcode},
                                                                       {"pool_size", pool}}));
        ASSERT_EQ(opened.status, 201) << opened.body;
        for (int64_t person : people) {
            auto scan = admin_->PostJson(
                "/api/v1/sampling/scans",
                Body({{"key", NewKey()}, {"tube_barcode", barcode}, {"code", CodeOf(person)}}));
            ASSERT_EQ(scan.status, 201) << scan.body;
        }
    }

    // Packs the (closed) tubes into a new box, seals it and hands it to the lab.
    void Ship(int64_t round, const std::string& box_barcode,
              const std::vector<std::string>& tubes) {
        const int64_t box = Post(
            *admin_, "/api/v1/sampling/boxes",
            {{"key", NewKey()}, {"round_id", round}, {"site_id", site_}, {"barcode", box_barcode}});
        const std::string path = "/api/v1/sampling/boxes/" + std::to_string(box);
        for (const std::string& t : tubes) {
            auto packed =
                admin_->PostJson(path + "/tubes", Body({{"key", NewKey()}, {"tube_barcode", t}}));
            ASSERT_EQ(packed.status, 200) << packed.body;
        }
        ASSERT_EQ(admin_->PostJson(path + "/seal", Body({{"key", NewKey()}})).status, 200);
        auto handed =
            admin_->PostJson(path + "/handover", Body({{"key", NewKey()}, {"lab_id", lab_}}));
        ASSERT_EQ(handed.status, 200) << handed.body;
    }

    HttpResult Upload(HttpClient& c, const std::string& csv, const std::string& filename) {
        return c.Send(
            "POST",
            "/api/v1/results/imports?filename=" + filename + "&lab_id=" + std::to_string(lab_), csv,
            {{"Content-Type", "text/csv"}});
    }

    std::unique_ptr<HttpClient> lab_user_;
    int64_t community_ = 0, site_ = 0, table_ = 0, round_ = 0, lab_ = 0;
    std::vector<int64_t> residents_;
};

TEST_P(ResultsApiTest, APooledPositiveRunsToTheEnd) {
    Start();
    Build();
    Sample(round_, "T1000", 10, residents_);
    Ship(round_, "BOX-1000", {"T1000"});

    // The lab loads its file: checked, applied; the same file again changes nothing.
    const std::string csv = "试管条码,检测结果,ORF1ab Ct,N Ct\nT1000,阳性,28.5,27.9\n";
    auto uploaded = Upload(*lab_user_, csv, "r1.csv");
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    json::value up = Parse(uploaded.body);
    EXPECT_EQ(up.at("status").as_string(), "checked");
    EXPECT_EQ(up.at("summary").at("new").as_int64(), 1);
    const std::string apply =
        "/api/v1/results/imports/" + std::string(up.at("id").as_string()) + "/apply";
    EXPECT_EQ(admin_->PostJson(apply, "{}").status, 404) << "only the uploader sees an import";
    auto applied = lab_user_->PostJson(apply, "{}");
    ASSERT_EQ(applied.status, 200) << applied.body;
    EXPECT_EQ(Parse(applied.body).at("status").as_string(), "applied");
    auto again = Upload(*lab_user_, csv, "r1.csv");
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(Parse(again.body).at("summary").at("new").as_int64(), 0);
    EXPECT_EQ(Parse(again.body).at("summary").at("unchanged").as_int64(), 1);
    ASSERT_EQ(lab_user_
                  ->PostJson("/api/v1/results/imports/" +
                                 std::string(Parse(again.body).at("id").as_string()) + "/apply",
                             "{}")
                  .status,
              200);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM test_results"), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM result_pools"), 1);

    // Every member is marked, on the home-sampling list (urgent), in a follow-up round of
    // single tubes; the leaders see the alert.
    auto pools = admin_->Get("/api/v1/pools?status=open");
    ASSERT_EQ(pools.status, 200) << pools.body;
    ASSERT_EQ(Parse(pools.body).at("total").as_int64(), 1);
    json::value pool = Parse(pools.body).at("items").at(0);
    EXPECT_EQ(pool.at("members_total").as_int64(), 10);
    EXPECT_EQ(pool.at("pending").as_int64(), 10);
    const int64_t pool_id = pool.at("id").as_int64();
    const int64_t retest_round = pool.at("retest_round_id").as_int64();
    EXPECT_EQ(Count("SELECT COUNT(*) FROM home_sampling WHERE urgent = 1 AND reason = "
                    "'pooled_positive'"),
              10);
    auto round = admin_->Get("/api/v1/rounds/" + std::to_string(retest_round));
    ASSERT_EQ(round.status, 200) << round.body;
    EXPECT_EQ(Parse(round.body).at("name").as_string(), "混管复核 T1000");
    EXPECT_EQ(Parse(round.body).at("pool_size").as_int64(), 1);
    EXPECT_EQ(Parse(round.body).at("scope").at("kind").as_string(), "people");
    EXPECT_EQ(Parse(round.body).at("scope").at("ids").as_array().size(), 10u);
    auto alerts = admin_->Get("/api/v1/alerts?community_id=" + std::to_string(community_));
    ASSERT_EQ(alerts.status, 200) << alerts.body;
    EXPECT_EQ(Parse(alerts.body).at("items").at(0).at("kind").as_string(), "pooled_positive");
    auto tube = admin_->Get("/api/v1/tubes/T1000/result");
    ASSERT_EQ(tube.status, 200) << tube.body;
    EXPECT_EQ(Parse(tube.body).at("members").as_array().size(), 10u);
    EXPECT_EQ(Parse(tube.body).at("ct").at("orf1ab").as_double(), 28.5);
    EXPECT_EQ(tube.body.find("张一"), std::string::npos) << "names are masked";
    auto page = HttpClient(server_->port())
                    .Get("/api/v1/public/codes/" + CodeOf(residents_[0]) + "/results");
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(Parse(page.body).at("resident").at("status").as_string(), "pending_retest");

    // Ten single tubes in the follow-up round, shipped; nine negative, one positive.
    json::array entries;
    for (size_t i = 0; i < residents_.size(); ++i) {
        const std::string barcode = "S100" + std::to_string(i);
        Sample(retest_round, barcode, 1, {residents_[i]});
        entries.push_back(json::object{{"tube_barcode", barcode},
                                       {"result", i == 4 ? "positive" : "negative"},
                                       {"reported_at", NowMillis()}});
    }
    std::vector<std::string> singles;
    for (const auto& e : entries) singles.emplace_back(e.at("tube_barcode").as_string());
    Ship(retest_round, "BOX-1001", singles);
    const std::string body = Body({{"lab_id", lab_}, {"results", entries}});
    const std::string key = NewKey();
    auto loaded = lab_user_->Send("POST", "/api/v1/results", body,
                                  {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
    ASSERT_EQ(loaded.status, 200) << loaded.body;
    EXPECT_EQ(Parse(loaded.body).at("new").as_int64(), 10);
    auto retry = lab_user_->Send("POST", "/api/v1/results", body,
                                 {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
    EXPECT_EQ(retry.body, loaded.body) << "a retry gets the stored answer";

    auto detail = admin_->Get("/api/v1/pools/" + std::to_string(pool_id));
    ASSERT_EQ(detail.status, 200) << detail.body;
    json::value d = Parse(detail.body);
    EXPECT_EQ(d.at("status").as_string(), "closed");
    EXPECT_EQ(d.at("cleared").as_int64(), 9);
    EXPECT_EQ(d.at("cases").as_int64(), 1);
    EXPECT_EQ(d.at("pending").as_int64(), 0);
    int cases = 0;
    for (const auto& m : d.at("members").as_array()) {
        if (m.at("status").as_string() == "case") {
            ++cases;
            EXPECT_EQ(m.at("resident_id").as_int64(), residents_[4]);
            EXPECT_EQ(m.at("retest").at("tube_barcode").as_string(), "S1004");
        }
    }
    EXPECT_EQ(cases, 1);
    EXPECT_EQ(d.at("events").as_array().back().at("action").as_string(), "pool.closed");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM cases WHERE resident_id = ? AND pool_id = ?",
                    {residents_[4], pool_id}),
              1);
    EXPECT_GE(Count("SELECT COUNT(*) FROM audit_log WHERE action IN ('pool.open', "
                    "'pool.members_marked', 'pool.retest_round', 'pool.home_sampling', "
                    "'pool.alert', 'pool.member_cleared', 'case.confirmed', 'pool.close')"),
              15);
    EXPECT_TRUE(
        Parse(admin_->Get("/api/v1/pools?status=open").body).at("items").as_array().empty());

    // A resident's results with the time from sampling to result; the lab's overview.
    auto mine = admin_->Get("/api/v1/residents/" + std::to_string(residents_[0]) + "/results");
    ASSERT_EQ(mine.status, 200) << mine.body;
    ASSERT_EQ(Parse(mine.body).at("items").as_array().size(), 2u);
    EXPECT_EQ(Parse(mine.body).at("items").at(0).at("result").as_string(), "negative");
    EXPECT_TRUE(Parse(mine.body).at("items").at(0).at("turnaround_minutes").is_int64());
    auto overview = lab_user_->Get("/api/v1/lab/overview?days=7");
    ASSERT_EQ(overview.status, 200) << overview.body;
    EXPECT_EQ(Parse(overview.body).at("boxes").as_array().size(), 2u);
    EXPECT_EQ(Parse(overview.body).at("pending_tubes").as_int64(), 0);
    // Eleven results reported today (China time), unless the test ran across midnight.
    EXPECT_GE(Parse(overview.body).at("results_today").as_int64(), 1);
    EXPECT_LE(Parse(overview.body).at("results_today").as_int64(), 11);
}

TEST_P(ResultsApiTest, BadRowsConflictsAndThePublicPage) {
    Start();
    Build();
    Sample(round_, "T2000", 10, {residents_[0], residents_[1], residents_[3]});
    ASSERT_EQ(admin_
                  ->PostJson("/api/v1/sampling/tubes/" +
                                 std::to_string(Count("SELECT id FROM tubes WHERE barcode = "
                                                      "'T2000'")) +
                                 "/close",
                             Body({{"key", NewKey()}}))
                  .status,
              200);
    Ship(round_, "BOX-2000", {"T2000"});

    // Every bad row is listed, nothing applies (409).
    auto bad = Upload(*lab_user_,
                      "试管条码,检测结果,检测时间\nT2000,阴性,2024-06-01 10:00\nT9999,阴性,"
                      "2024-06-01 10:00\nT2000,阳性,2024-06-01 10:00\nT2001,可疑,\n",
                      "bad.csv");
    ASSERT_EQ(bad.status, 201) << bad.body;
    json::value b = Parse(bad.body);
    EXPECT_EQ(b.at("status").as_string(), "invalid");
    ASSERT_EQ(b.at("errors").as_array().size(), 3u) << bad.body;
    EXPECT_EQ(b.at("errors").at(0).at("message").as_string(), "第 3 行 试管条码: 未知试管条码");
    auto refused = lab_user_->PostJson(
        "/api/v1/results/imports/" + std::string(b.at("id").as_string()) + "/apply", "{}");
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(Count("SELECT COUNT(*) FROM test_results"), 0);
    auto wrong = lab_user_->PostJson(
        "/api/v1/results", Body({{"lab_id", lab_},
                                 {"results", json::array{json::object{{"tube_barcode", "T2000"},
                                                                      {"result", "negative"},
                                                                      {"reported_at", NowMillis()}},
                                                         json::object{{"tube_barcode", "T2000x"},
                                                                      {"result", "maybe"}}}}}));
    EXPECT_EQ(wrong.status, 400) << wrong.body;
    EXPECT_EQ(Parse(wrong.body).at("error").at("details").at(0).at("index").as_int64(), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM test_results"), 0);

    // Recorded, then contradicted: held for a person, never written over.
    const json::object negative{
        {"tube_barcode", "T2000"}, {"result", "negative"}, {"reported_at", NowMillis()}};
    ASSERT_EQ(lab_user_
                  ->PostJson("/api/v1/results",
                             Body({{"lab_id", lab_}, {"results", json::array{negative}}}))
                  .status,
              200);
    json::object positive = negative;
    positive["result"] = "positive";
    auto held = lab_user_->PostJson("/api/v1/results",
                                    Body({{"lab_id", lab_}, {"results", json::array{positive}}}));
    ASSERT_EQ(held.status, 200) << held.body;
    EXPECT_EQ(Parse(held.body).at("held").at(0).at("recorded").as_string(), "negative");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM result_pools"), 0);
    auto conflicts = admin_->Get("/api/v1/results/conflicts?status=open");
    ASSERT_EQ(conflicts.status, 200) << conflicts.body;
    ASSERT_EQ(Parse(conflicts.body).at("total").as_int64(), 1);
    const int64_t conflict = Parse(conflicts.body).at("items").at(0).at("id").as_int64();
    EXPECT_EQ(lab_user_->Get("/api/v1/results/conflicts").status, 403);
    auto kept =
        admin_->PostJson("/api/v1/results/conflicts/" + std::to_string(conflict) + "/resolve",
                         Body({{"decision", "keep"}, {"note", "复核原始记录, 维持阴性"}}));
    ASSERT_EQ(kept.status, 200) << kept.body;
    EXPECT_EQ(Parse(kept.body).at("status").as_string(), "resolved");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM test_results WHERE result = 'negative'"), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM result_conflicts WHERE status = 'open'"), 0);

    // The public page: own results and the household's, masked, no session.
    HttpClient anyone(server_->port());
    const std::string token = CodeOf(residents_[0]);
    auto page = anyone.Get("/api/v1/public/codes/" + token + "/results");
    ASSERT_EQ(page.status, 200) << page.body;
    json::value p = Parse(page.body);
    EXPECT_EQ(p.at("resident").at("name").as_string(), "*一");
    EXPECT_EQ(p.at("resident").at("results").at(0).at("result").as_string(), "negative");
    EXPECT_EQ(p.at("household").as_array().size(), 2u);
    for (const char* secret : {"张一", "张二", "T2000"}) {
        EXPECT_EQ(page.body.find(secret), std::string::npos) << secret;
    }
    EXPECT_GE(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'public.results' AND "
                    "subject_id = ?",
                    {residents_[0]}),
              1);
    // Wrong and re-issued tokens answer exactly alike.
    auto unknown = anyone.Get("/api/v1/public/codes/NOSUCHTOKEN000000000000000/results");
    EXPECT_EQ(unknown.status, 404);
    auto reissued = admin_->PostJson(
        "/api/v1/residents/" + std::to_string(residents_[0]) + "/code/reissue", "{}");
    ASSERT_EQ(reissued.status, 200) << reissued.body;
    auto old = anyone.Get("/api/v1/public/codes/" + token + "/results");
    EXPECT_EQ(old.status, 404);
    EXPECT_EQ(old.body, unknown.body);
    auto asked = anyone.PostJson("/api/v1/public/codes/" + CodeOf(residents_[3]) + "/home-sampling",
                                 R"({"note":"腿脚不便"})");
    EXPECT_EQ(asked.status, 201) << asked.body;
    EXPECT_EQ(Count("SELECT COUNT(*) FROM home_sampling WHERE resident_id = ? AND reason = "
                    "'requested'",
                    {residents_[3]}),
              1);
}

TEST_P(ResultsApiTest, ThePublicPageIsRateLimitedPerAddress) {
    Start(/*public_limit=*/3);
    Build();
    HttpClient anyone(server_->port());
    const std::string path = "/api/v1/public/codes/" + CodeOf(residents_[0]) + "/results";
    EXPECT_EQ(anyone.Get(path).status, 200);
    EXPECT_EQ(anyone.Get("/api/v1/public/codes/GUESS00000000000000000000/results").status, 404);
    EXPECT_EQ(anyone.Get(path).status, 200);
    auto limited = anyone.Get(path);
    EXPECT_EQ(limited.status, 429) << limited.body;
    const std::string retry = limited.Header("retry-after");
    ASSERT_FALSE(retry.empty());
    EXPECT_GE(std::stoi(retry), 1);
    EXPECT_LE(std::stoi(retry), 60);
    EXPECT_EQ(anyone.PostJson("/api/v1/public/codes/x/home-sampling", "{}").status, 429);
}

TEST_P(ResultsApiTest, TheCommandLineChecksThenApplies) {
    Start();
    Build();
    Sample(round_, "T3000", 10, {residents_[0], residents_[1]});
    ASSERT_EQ(admin_
                  ->PostJson("/api/v1/sampling/tubes/" +
                                 std::to_string(Count("SELECT id FROM tubes WHERE barcode = "
                                                      "'T3000'")) +
                                 "/close",
                             Body({{"key", NewKey()}}))
                  .status,
              200);
    Ship(round_, "BOX-3000", {"T3000"});
    const std::string bad = data_dir_ + "/bad.csv";
    std::ofstream(bad) << "条码,结果,报告时间\nT3000,阴性,2024-06-01 10:00\nT3999,阳性,"
                          "2024-06-01 10:00\n";
    int status = -1;
    std::string out = Cli("import results '" + bad + "'", &status);
    EXPECT_EQ(status, 1) << out;
    EXPECT_NE(out.find("第 3 行 试管条码: 未知试管条码"), std::string::npos) << out;
    const std::string good = data_dir_ + "/good.csv";
    std::ofstream(good) << "条码,结果,报告时间\nT3000,阴性,2024-06-01 10:00\n";
    out = Cli("import results '" + good + "' --lab " + std::to_string(lab_), &status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("检查通过"), std::string::npos) << out;
    EXPECT_EQ(Count("SELECT COUNT(*) FROM test_results"), 0) << "a dry run writes nothing";
    out = Cli("import results '" + good + "' --apply", &status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("新增 1 管"), std::string::npos) << out;
    out = Cli("import results '" + good + "' --apply", &status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("新增 0 管, 不变 1 管"), std::string::npos) << out;
    EXPECT_EQ(Count("SELECT COUNT(*) FROM test_results"), 1);

    // The same result as a lab's .xlsx (a title row above the header, Ct columns): read as the
    // CSV was, so it changes nothing; a word that is no result is listed with its row.
    auto xlsx = [&](const std::string& path, const std::string& result) {
        auto writer = registry::SheetWriter::Open("检测结果");
        ASSERT_TRUE(writer.ok()) << writer.error().message;
        (*writer)->SetColumns({14, 10, 18, 10, 10}, {0});
        (*writer)->Title("某某检测实验室 核酸检测结果");
        (*writer)->Header({"试管条码", "检测结果", "报告时间", "ORF1ab Ct", "N Ct"});
        (*writer)->Row({"T3000", result, "2024-06-01 10:00:00", "", ""});
        auto bytes = (*writer)->Finish();
        ASSERT_TRUE(bytes.ok()) << bytes.error().message;
        std::ofstream(path, std::ios::binary) << *bytes;
    };
    const std::string same = data_dir_ + "/same.xlsx";
    xlsx(same, "阴性");
    out = Cli("import results '" + same + "' --apply", &status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("新增 0 管, 不变 1 管"), std::string::npos) << out;
    const std::string wrong = data_dir_ + "/wrong.xlsx";
    xlsx(wrong, "待定");
    out = Cli("import results '" + wrong + "'", &status);
    EXPECT_EQ(status, 1) << out;
    EXPECT_NE(out.find("第 3 行 检测结果"), std::string::npos) << out;
    EXPECT_EQ(Count("SELECT COUNT(*) FROM test_results"), 1);
}

INSTANTIATE_TEST_SUITE_P(Drivers, ResultsApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark
