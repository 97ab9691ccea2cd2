// Black-box tests of coverage and follow-up (issue 6): the real server on port 0, on each
// database driver. A small community computed by hand: exemptions, a person who moved out
// mid-round, a floating person registered at the site; the assignment and outcome flow; the
// repeated-miss list; the two-person rule of health codes; the missed export, masked and not.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "registry/import/workbook.hpp"
#include "tests/support/api_fixture.hpp"

namespace bulwark {
namespace {

using testsupport::HttpClient;
using testsupport::HttpResult;
namespace json = boost::json;

constexpr const char* kPassword = "Followup-Test-Pass-2024!";
constexpr const char* kPhoneZhang = "19900001234";
constexpr const char* kPhoneQian = "19900004321";

std::string S(int64_t v) { return std::to_string(v); }

// Every cell text of every sheet of an .xlsx, joined.
std::string SheetText(const std::string& bytes, size_t* sheets = nullptr) {
    auto book = registry::ReadXlsx(bytes);
    EXPECT_TRUE(book.ok()) << (book.ok() ? "" : book.error().message);
    if (!book.ok()) return "";
    if (sheets) *sheets = book->sheets.size();
    std::string out;
    for (const auto& sheet : book->sheets) {
        out += "[" + sheet.name + "]";
        for (const auto& row : sheet.rows) {
            for (const auto& cell : row) out += cell.text + "|";
            out += "\n";
        }
    }
    return out;
}

class FollowupApiTest : public testsupport::ApiTest {
protected:
    FollowupApiTest() : ApiTest("bulwark-followup-api", kPassword, Serve::kAtSetUp) {}

    int64_t UserId(const std::string& username) {
        return Count("SELECT id FROM users WHERE username = ?", {username});
    }

    json::object Totals(HttpClient& c, int64_t round) {
        auto r = c.Get("/api/v1/rounds/" + S(round) + "/coverage?level=community");
        EXPECT_EQ(r.status, 200) << r.body;
        json::value v = Parse(r.body);
        return v.is_object() ? v.at("totals").as_object() : json::object{};
    }

    HttpResult Attempt(HttpClient& c, int64_t round, int64_t resident, const json::object& body,
                       const std::string& key = NewKey()) {
        return c.Send("POST",
                      "/api/v1/rounds/" + S(round) + "/followups/" + S(resident) + "/attempts",
                      Body(body), {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
    }
};

TEST_P(FollowupApiTest, CoverageFollowUpRepeatedMissesHealthCodesAndExport) {
    // The community: grid 1 (3栋) and grid 2 (5栋), a site, a community-wide round.
    Post(*admin_, "/api/v1/places/streets", {{"name", "演示街道"}, {"district", "演示区"}});
    const int64_t community =
        Post(*admin_, "/api/v1/places/communities", {{"street_id", 1}, {"name", "雅仕居社区"}});
    const int64_t grid1 =
        Post(*admin_, "/api/v1/places/grids", {{"community_id", community}, {"name", "第1网格"}});
    const int64_t grid2 =
        Post(*admin_, "/api/v1/places/grids", {{"community_id", community}, {"name", "第2网格"}});
    const int64_t b3 =
        Post(*admin_, "/api/v1/places/buildings", {{"grid_id", grid1}, {"name", "3栋"}});
    const int64_t b5 =
        Post(*admin_, "/api/v1/places/buildings", {{"grid_id", grid2}, {"name", "5栋"}});
    const int64_t zhang = Resident(b3, "1203", "张三", {{"phone", kPhoneZhang}});
    const int64_t li = Resident(b3, "1204", "李四");
    const int64_t wang = Resident(b3, "1205", "王五", {{"presence", "moved_out"}});
    const int64_t zhou = Resident(b3, "1206", "周九");
    const int64_t zhao = Resident(b5, "101", "赵六");
    const int64_t qian = Resident(b5, "102", "钱七", {{"phone", kPhoneQian}});
    auto site = admin_->PostJson("/api/v1/sites",
                                 Body({{"community_id", community},
                                       {"name", "雅仕居采样点"},
                                       {"tables", json::array{json::object{{"name", "1号台"}}}}}));
    ASSERT_EQ(site.status, 201) << site.body;
    const int64_t site_id = IdOf(site);
    const int64_t table = Parse(site.body).at("tables").at(0).at("id").as_int64();
    const int64_t now = NowMillis();
    const int64_t round = Post(*admin_, "/api/v1/rounds",
                               {{"community_id", community},
                                {"name", "第1轮全员核酸"},
                                {"kind", "whole"},
                                {"scope", json::object{{"kind", "community"}}},
                                {"starts_at", now - kHour},
                                {"ends_at", now + 11 * kHour},
                                {"pool_size", 10},
                                {"site_ids", json::array{site_id}}});
    ASSERT_GT(round, 0);

    auto staff = SignedIn("staff-a", "staff", "community:" + S(community));
    auto staff2 = SignedIn("staff-b", "staff", "community:" + S(community));
    auto worker = SignedIn("grid-a", "grid_worker", "grid:" + S(grid1));
    auto scanner = SignedIn("scanner-a", "scanner", "site:" + S(site_id));
    const int64_t worker_id = UserId("grid-a");

    // Scans: 张三 and 赵六 by code, 孙八 registered on the spot (floating) and scanned.
    ASSERT_EQ(scanner
                  ->PostJson("/api/v1/sampling/tubes", Body({{"key", NewKey()},
                                                             {"round_id", round},
                                                             {"site_id", site_id},
                                                             {"table_id", table},
                                                             {"barcode", "T0001"}}))
                  .status,
              201);
    for (int64_t id : {zhang, zhao}) {
        auto r = scanner->PostJson(
            "/api/v1/sampling/scans",
            Body({{"key", NewKey()}, {"tube_barcode", "T0001"}, {"resident_id", id}}));
        ASSERT_EQ(r.status, 201) << r.body;
    }
    auto floating =
        scanner->PostJson("/api/v1/sampling/floating", Body({{"key", NewKey()},
                                                             {"round_id", round},
                                                             {"site_id", site_id},
                                                             {"name", "孙八"},
                                                             {"doc_type", "none"},
                                                             {"phone", "19900005678"}}));
    ASSERT_EQ(floating.status, 201) << floating.body;
    const int64_t sun = Parse(floating.body).at("resident_id").as_int64();
    ASSERT_EQ(
        scanner
            ->PostJson("/api/v1/sampling/scans",
                       Body({{"key", NewKey()}, {"tube_barcode", "T0001"}, {"resident_id", sun}}))
            .status,
        201);

    // 周九 moves out mid-round, before being sampled.
    auto got = admin_->Get("/api/v1/residents/" + S(zhou));
    ASSERT_EQ(got.status, 200) << got.body;
    auto patched = admin_->Send(
        "PATCH", "/api/v1/residents/" + S(zhou),
        Body({{"version", Parse(got.body).at("version").as_int64()}, {"presence", "moved_out"}}),
        {{"Content-Type", "application/json"}});
    ASSERT_EQ(patched.status, 200) << patched.body;

    // By hand: in scope 张三 李四 赵六 钱七 孙八 (王五 and 周九 moved out unsampled); sampled
    // 张三 赵六 孙八; missed 李四 钱七.
    json::object t = Totals(*staff, round);
    EXPECT_EQ(t["in_scope"].as_int64(), 5);
    EXPECT_EQ(t["sampled"].as_int64(), 3);
    EXPECT_EQ(t["exempt"].as_int64(), 0);
    EXPECT_EQ(t["missed"].as_int64(), 2);
    EXPECT_DOUBLE_EQ(t["percent"].as_double(), 60.0);
    // The grid worker sees grid 1: 张三 李四.
    json::object g = Totals(*worker, round);
    EXPECT_EQ(g["in_scope"].as_int64(), 2);
    auto by_building =
        staff->Get("/api/v1/rounds/" + S(round) + "/coverage?level=building&parent_id=" + S(grid2));
    ASSERT_EQ(by_building.status, 200) << by_building.body;
    EXPECT_EQ(Parse(by_building.body).at("rows").at(0).at("missed").as_int64(), 1);
    auto progress = staff->Get("/api/v1/rounds/" + S(round) + "/progress");
    ASSERT_EQ(progress.status, 200) << progress.body;
    EXPECT_EQ(Parse(progress.body).at("cumulative").as_array().back().at("sampled").as_int64(), 3);
    auto street = admin_->Get("/api/v1/streets/1/coverage");
    ASSERT_EQ(street.status, 200) << street.body;
    EXPECT_EQ(Parse(street.body).at("rows").at(0).at("missed").as_int64(), 2);

    // The worker's list: 李四, assigned automatically; phone masked.
    auto mine = worker->Get("/api/v1/rounds/" + S(round) + "/followups/mine");
    ASSERT_EQ(mine.status, 200) << mine.body;
    json::value mine_v = Parse(mine.body);
    ASSERT_EQ(mine_v.at("total").as_int64(), 1);
    EXPECT_EQ(mine_v.at("items").at(0).at("resident_id").as_int64(), li);
    EXPECT_EQ(mine_v.at("items").at(0).at("assigned_to").at("id").as_int64(), worker_id);
    auto missed = staff->Get("/api/v1/rounds/" + S(round) + "/missed?building_id=" + S(b5));
    ASSERT_EQ(missed.status, 200) << missed.body;
    json::value missed_v = Parse(missed.body);
    ASSERT_EQ(missed_v.at("total").as_int64(), 1);
    EXPECT_EQ(missed_v.at("items").at(0).at("name").as_string(), "*七");
    EXPECT_EQ(missed_v.at("items").at(0).at("phone").as_string(), "199****4321");
    EXPECT_EQ(missed.body.find(kPhoneQian), std::string::npos);

    // The worker calls 钱七? Not their grid: 404. 李四 has no phone; the reveal is audited.
    EXPECT_EQ(
        worker->PostJson("/api/v1/rounds/" + S(round) + "/followups/" + S(qian) + "/phone", "{}")
            .status,
        404);
    auto phone =
        staff->PostJson("/api/v1/rounds/" + S(round) + "/followups/" + S(qian) + "/phone", "{}");
    ASSERT_EQ(phone.status, 200) << phone.body;
    EXPECT_EQ(Parse(phone.body).at("phone").as_string(), kPhoneQian);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.phone_reveal' AND "
                    "subject_id = ?",
                    {qian}),
              1);

    // An exempting outcome (away) takes 李四 out of missed at once; a retry gets the same answer.
    const std::string key = NewKey();
    auto away = Attempt(*worker, round, li, {{"outcome", "away"}, {"note", "在外地出差"}}, key);
    ASSERT_EQ(away.status, 201) << away.body;
    EXPECT_TRUE(Parse(away.body).at("exempt").as_bool());
    EXPECT_EQ(Parse(away.body).at("missed_total").as_int64(), 1);
    auto retry = Attempt(*worker, round, li, {{"outcome", "away"}, {"note", "在外地出差"}}, key);
    EXPECT_EQ(retry.status, 201);
    EXPECT_EQ(retry.body, away.body);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM followup_attempts"), 1);
    EXPECT_EQ(Attempt(*worker, round, li, {{"outcome", "tested_elsewhere"}}).status, 400);
    EXPECT_EQ(Attempt(*worker, round, qian, {{"outcome", "away"}}).status, 404)
        << "another grid's resident";
    t = Totals(*staff, round);
    EXPECT_EQ(t["exempt"].as_int64(), 1);
    EXPECT_EQ(t["missed"].as_int64(), 1);
    EXPECT_DOUBLE_EQ(t["percent"].as_double(), 75.0);
    auto detail = staff->Get("/api/v1/rounds/" + S(round) + "/followups/" + S(li));
    ASSERT_EQ(detail.status, 200) << detail.body;
    EXPECT_EQ(Parse(detail.body).at("attempts").at(0).at("outcome").as_string(), "away");

    // Reassignment: 钱七 to the grid-1 worker is refused (not their grid); to staff-b it works.
    auto refused =
        staff->PostJson("/api/v1/rounds/" + S(round) + "/followups/assign",
                        Body({{"resident_ids", json::array{qian}}, {"user_id", worker_id}}));
    EXPECT_EQ(refused.status, 400) << refused.body;
    auto assigned = staff->PostJson(
        "/api/v1/rounds/" + S(round) + "/followups/assign",
        Body({{"resident_ids", json::array{qian}}, {"user_id", UserId("staff-b")}}));
    ASSERT_EQ(assigned.status, 200) << assigned.body;
    EXPECT_EQ(Parse(staff2->Get("/api/v1/rounds/" + S(round) + "/followups/mine").body)
                  .at("total")
                  .as_int64(),
              1);
    EXPECT_EQ(worker
                  ->PostJson("/api/v1/rounds/" + S(round) + "/followups/assign",
                             Body({{"resident_ids", json::array{li}}, {"user_id", worker_id}}))
                  .status,
              404)
        << "without followup.assign a route naming an object answers as if it were missing";

    // The missed export: masked by default, one sheet per building; unmasked needs the
    // permission and a reason, and names who exported it.
    auto masked = staff->Get("/api/v1/rounds/" + S(round) + "/missed.xlsx");
    ASSERT_EQ(masked.status, 200) << masked.body;
    size_t sheets = 0;
    std::string text = SheetText(masked.body, &sheets);
    EXPECT_EQ(sheets, 1u) << text;  // only 5栋 has missed people now
    EXPECT_NE(text.find("*七"), std::string::npos) << text;
    EXPECT_EQ(text.find("钱七"), std::string::npos);
    EXPECT_EQ(text.find(kPhoneQian), std::string::npos);
    EXPECT_EQ(
        staff->PostJson("/api/v1/rounds/" + S(round) + "/missed/export", R"({"unmasked":true})")
            .status,
        400);
    EXPECT_EQ(worker
                  ->PostJson("/api/v1/rounds/" + S(round) + "/missed/export",
                             R"({"unmasked":true,"reason":"上门"})")
                  .status,
              403);
    auto unmasked = staff->PostJson("/api/v1/rounds/" + S(round) + "/missed/export",
                                    R"({"unmasked":true,"reason":"入户核查"})");
    ASSERT_EQ(unmasked.status, 200) << unmasked.body;
    text = SheetText(unmasked.body);
    EXPECT_NE(text.find("钱七"), std::string::npos) << text;
    EXPECT_NE(text.find(kPhoneQian), std::string::npos) << text;
    EXPECT_NE(text.find("导出人: staff-a"), std::string::npos) << text;
    EXPECT_EQ(
        Count("SELECT COUNT(*) FROM audit_log WHERE action = 'followup.missed.export_unmasked' "
              "AND reason = '入户核查'"),
        1);

    // Bedridden: on the home-sampling list until sampled at home.
    ASSERT_EQ(Attempt(*staff, round, qian, {{"outcome", "bedridden"}}).status, 201);
    auto home = staff->Get("/api/v1/home-sampling?community_id=" + S(community) + "&status=open");
    ASSERT_EQ(home.status, 200) << home.body;
    ASSERT_EQ(Parse(home.body).at("total").as_int64(), 1);
    EXPECT_EQ(Parse(home.body).at("items").at(0).at("resident_id").as_int64(), qian);
    ASSERT_EQ(
        scanner
            ->PostJson("/api/v1/sampling/scans",
                       Body({{"key", NewKey()}, {"tube_barcode", "T0001"}, {"resident_id", qian}}))
            .status,
        201);
    home = staff->Get("/api/v1/home-sampling?community_id=" + S(community) + "&status=done");
    ASSERT_EQ(Parse(home.body).at("total").as_int64(), 1) << home.body;
    EXPECT_EQ(Parse(home.body).at("items").at(0).at("sample").at("tube_barcode").as_string(),
              "T0001");
    t = Totals(*staff, round);
    EXPECT_EQ(t["missed"].as_int64(), 0);
    EXPECT_EQ(t["sampled"].as_int64(), 4);

    // Repeated misses: a second round, closed with nobody sampled. 赵六 was sampled in the first,
    // 李四 exempt: only people missed in both count. Nobody was; then a third closed round makes
    // everyone who missed the second and third (all of them) repeated.
    ASSERT_EQ(admin_->PostJson("/api/v1/rounds/" + S(round) + "/close", "{}").status, 200);
    auto report = staff->Get("/api/v1/communities/" + S(community) + "/daily-report");
    ASSERT_EQ(report.status, 200) << report.body;
    EXPECT_EQ(Parse(report.body).at("rounds").at(0).at("sampled").as_int64(), 4);
    EXPECT_EQ(Parse(report.body).at("followups_done").as_int64(), 2);
    EXPECT_EQ(staff->Get("/api/v1/communities/" + S(community) + "/daily-report.xlsx").status, 200);
    for (const char* name : {"第2轮", "第3轮"}) {
        const int64_t r = Post(*admin_, "/api/v1/rounds",
                               {{"community_id", community},
                                {"name", name},
                                {"kind", "whole"},
                                {"scope", json::object{{"kind", "community"}}},
                                {"starts_at", NowMillis() - kHour},
                                {"ends_at", NowMillis() + kHour},
                                {"pool_size", 10},
                                {"site_ids", json::array{site_id}}});
        ASSERT_EQ(admin_->PostJson("/api/v1/rounds/" + S(r) + "/close", "{}").status, 200);
    }
    auto repeated =
        staff->Get("/api/v1/communities/" + S(community) + "/repeated-misses?min_rounds=3");
    ASSERT_EQ(repeated.status, 200) << repeated.body;
    EXPECT_EQ(Parse(repeated.body).at("total").as_int64(), 0) << repeated.body;
    repeated = staff->Get("/api/v1/communities/" + S(community) + "/repeated-misses");
    ASSERT_EQ(repeated.status, 200) << repeated.body;
    EXPECT_EQ(Parse(repeated.body).at("total").as_int64(), 5) << repeated.body;
    auto worker_repeated = worker->Get("/api/v1/communities/" + S(community) + "/repeated-misses");
    EXPECT_EQ(Parse(worker_repeated.body).at("total").as_int64(), 2) << worker_repeated.body;

    // Health codes: requested with reason and evidence, approved by a second person only.
    auto request =
        worker->PostJson("/api/v1/health-code-requests", Body({{"resident_id", li},
                                                               {"to_status", "yellow"},
                                                               {"reason", "连续漏检"},
                                                               {"evidence", "第2、3轮未检"}}));
    ASSERT_EQ(request.status, 201) << request.body;
    const int64_t request_id = IdOf(request);
    EXPECT_EQ(
        worker->PostJson("/api/v1/health-code-requests/" + S(request_id) + "/approve", "{}").status,
        404)
        << "grid workers may not approve";
    auto own = staff->PostJson("/api/v1/health-code-requests", Body({{"resident_id", zhao},
                                                                     {"to_status", "red"},
                                                                     {"reason", "阳性"},
                                                                     {"evidence", "检测报告"}}));
    ASSERT_EQ(own.status, 201) << own.body;
    auto same = staff->PostJson("/api/v1/health-code-requests/" + S(IdOf(own)) + "/approve", "{}");
    EXPECT_EQ(same.status, 409) << same.body;
    EXPECT_EQ(Parse(same.body).at("error").at("code").as_string(), "same_person");
    EXPECT_EQ(Parse(staff->Get("/api/v1/residents/" + S(li) + "/health-code").body)
                  .at("status")
                  .as_string(),
              "unknown");
    auto approved = staff->PostJson("/api/v1/health-code-requests/" + S(request_id) + "/approve",
                                    R"({"note":"核实"})");
    ASSERT_EQ(approved.status, 200) << approved.body;
    EXPECT_EQ(Parse(staff->Get("/api/v1/residents/" + S(li) + "/health-code").body)
                  .at("status")
                  .as_string(),
              "yellow");
    auto pending =
        staff->Get("/api/v1/health-code-requests?community_id=" + S(community) + "&status=pending");
    ASSERT_EQ(pending.status, 200) << pending.body;
    EXPECT_EQ(Parse(pending.body).at("total").as_int64(), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action IN ('healthcode.request', "
                    "'healthcode.approve')"),
              3);
    (void)wang;
}

INSTANTIATE_TEST_SUITE_P(Drivers, FollowupApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark
