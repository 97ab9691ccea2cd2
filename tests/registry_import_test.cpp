// Black-box tests of the registry's spreadsheets and codes (issue 4): the import wizard's API
// with fixtures made by other tools (tests/fixtures/import/make_fixtures.py), the CLI, the
// .xlsx export and its audit, the QR code and the printable cards; on each database driver.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <pugixml.hpp>
#include <thread>

#include "db/database.hpp"
#include "registry/codes/qr_code.hpp"
#include "registry/id_number.hpp"
#include "registry/import/workbook.hpp"
#include "tests/support/api_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace bulwark {
namespace {

using testsupport::HttpClient;
using testsupport::HttpResult;
namespace json = boost::json;

constexpr const char* kPassword = "Import-Test-Pass-2024!";
constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

std::string Fixture(const std::string& name) {
    std::ifstream in(std::string(BULWARK_IMPORT_FIXTURES) + "/" + name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The synthetic national ID make_fixtures.py gives a person: region 990001 (test data), birth
// date, two sequence digits, a sex digit and the check character.
std::string FixtureId(const std::string& birth, int seq, bool male) {
    char first17[18];
    std::snprintf(first17, sizeof first17, "990001%s%02d%d", birth.c_str(), seq % 100,
                  male ? 1 : 2);
    return std::string(first17) + registry::IdCheckCharacter(first17);
}

// All the text of a workbook's first sheet, row by row, cells joined by '|'.
std::vector<std::string> SheetLines(const std::string& xlsx) {
    std::vector<std::string> lines;
    auto workbook = registry::ReadXlsx(xlsx);
    if (!workbook.ok()) return lines;
    for (const auto& row : workbook->sheets.at(0).rows) {
        std::string line;
        for (const auto& cell : row) line += cell.text + "|";
        lines.push_back(line);
    }
    return lines;
}

class RegistryImportTest : public testsupport::ApiTest {
protected:
    RegistryImportTest() : ApiTest("bulwark-registry-import", kPassword, Serve::kAtSetUp) {}

    void SetUp() override {
        ApiTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        ASSERT_EQ(admin_->PostJson("/api/v1/places/streets", R"({"name":"演示街道"})").status, 201);
        auto community = admin_->PostJson("/api/v1/places/communities",
                                          R"({"street_id":1,"name":"雅仕居社区"})");
        ASSERT_EQ(community.status, 201) << community.body;
        community_ = IdOf(community);
        auto other =
            admin_->PostJson("/api/v1/places/communities", R"({"street_id":1,"name":"翠竹社区"})");
        ASSERT_EQ(other.status, 201) << other.body;
        other_community_ = IdOf(other);
        for (int64_t c : {community_, other_community_}) {
            auto grid = admin_->PostJson(
                "/api/v1/places/grids",
                json::serialize(json::object{{"community_id", c}, {"name", "第1网格"}}));
            ASSERT_EQ(grid.status, 201) << grid.body;
            if (c == other_community_) other_grid_ = IdOf(grid);
        }
        staff_ = SignedIn("worker", "staff", "community:" + std::to_string(community_));
    }

    // Uploads a file, waits until it is no longer being parsed, returns the Import.
    json::value Upload(HttpClient& client, const std::string& filename, const std::string& bytes,
                       const std::string& type = "application/octet-stream") {
        auto r = client.Send("POST",
                             "/api/v1/imports/residents?filename=" + filename +
                                 "&community_id=" + std::to_string(community_),
                             bytes, {{"Content-Type", type}});
        EXPECT_EQ(r.status, 202) << r.body;
        return Wait(client, std::string(Parse(r.body).at("id").as_string()));
    }

    json::value Wait(HttpClient& client, const std::string& id) {
        json::value v;
        for (int i = 0; i < 600; ++i) {
            v = Parse(client.Get("/api/v1/imports/" + id).body);
            std::string status(v.at("status").as_string());
            if (status != "parsing" && status != "applying") return v;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ADD_FAILURE() << "import " << id << " did not finish: " << json::serialize(v);
        return v;
    }

    json::value Apply(HttpClient& client, const json::value& import) {
        std::string id(import.at("id").as_string());
        auto r = client.PostJson("/api/v1/imports/" + id + "/apply", "{}");
        EXPECT_EQ(r.status, 202) << r.body;
        return Wait(client, id);
    }

    std::unique_ptr<HttpClient> staff_;
    int64_t community_ = 0;
    int64_t other_community_ = 0;
    int64_t other_grid_ = 0;
};

TEST_P(RegistryImportTest, WizardChecksAppliesAndReimportChangesNothing) {
    json::value checked =
        Upload(*staff_, "residents_good.xlsx", Fixture("residents_good.xlsx"), kXlsxType);
    ASSERT_EQ(checked.at("status").as_string(), "checked") << json::serialize(checked);
    EXPECT_EQ(checked.at("error_count").as_int64(), 0) << json::serialize(checked.at("errors"));
    EXPECT_EQ(checked.at("rows_total").as_int64(), 8);
    EXPECT_EQ(checked.at("sheets").as_array().size(), 2u) << "an instructions sheet, then data";
    EXPECT_EQ(checked.at("sheet").as_int64(), 1);
    EXPECT_EQ(checked.at("header_row").as_int64(), 2) << "the title row is skipped";
    EXPECT_EQ(checked.at("columns").at(2).at("field").as_string(), "doc_number");
    EXPECT_EQ(checked.at("columns").at(3).at("field").as_string(), "phone");
    EXPECT_EQ(checked.at("summary").at("created").as_int64(), 8);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM residents"), 0) << "a check writes nothing";

    // Another user cannot see the job; nobody may apply a job twice.
    EXPECT_EQ(admin_->Get("/api/v1/imports/" + std::string(checked.at("id").as_string())).status,
              404);
    json::value applied = Apply(*staff_, checked);
    ASSERT_EQ(applied.at("status").as_string(), "applied") << json::serialize(applied);
    EXPECT_EQ(applied.at("summary").at("created").as_int64(), 8);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM residents"), 8);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM buildings"), 3) << "1号楼, 2栋 and 3 made on the way";
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.import'"), 1);
    std::string id(checked.at("id").as_string());
    EXPECT_EQ(staff_->PostJson("/api/v1/imports/" + id + "/apply", "{}").status, 422);

    // Phones stored as numbers came through whole; full-width and spaced IDs were folded.
    auto found = staff_->Get("/api/v1/residents?q=19900000003");
    EXPECT_EQ(Parse(found.body).at("total").as_int64(), 1) << found.body;
    auto li = staff_->Get("/api/v1/residents?q=" + FixtureId("19880105", 3, false));
    EXPECT_EQ(Parse(li.body).at("total").as_int64(), 1) << "typed in full-width digits";
    auto liu = staff_->Get("/api/v1/residents?q=" + FixtureId("19860918", 4, true));
    EXPECT_EQ(Parse(liu.body).at("total").as_int64(), 1) << "typed with stray spaces";

    // The same file again, and the .xls LibreOffice made of it: nothing changes, nothing doubles.
    for (const char* name : {"residents_good.xlsx", "residents.xls"}) {
        json::value again = Upload(*staff_, name, Fixture(name));
        ASSERT_EQ(again.at("status").as_string(), "checked") << json::serialize(again);
        EXPECT_EQ(again.at("error_count").as_int64(), 0) << json::serialize(again.at("errors"));
        EXPECT_EQ(again.at("summary").at("unchanged").as_int64(), 8) << name;
        EXPECT_EQ(again.at("summary").at("created").as_int64(), 0) << name;
        json::value done = Apply(*staff_, again);
        EXPECT_EQ(done.at("status").as_string(), "applied");
        EXPECT_EQ(done.at("summary").at("unchanged").as_int64(), 8);
    }
    EXPECT_EQ(Count("SELECT COUNT(*) FROM residents"), 8);
    EXPECT_EQ(Count("SELECT MAX(version) FROM residents"), 1) << "no row was rewritten";
}

TEST_P(RegistryImportTest, BadRowsAreAllListedAndNothingIsWritten) {
    json::value checked = Upload(*staff_, "residents_bad.xlsx", Fixture("residents_bad.xlsx"));
    ASSERT_EQ(checked.at("status").as_string(), "checked") << json::serialize(checked);
    const json::array& errors = checked.at("errors").as_array();
    ASSERT_EQ(checked.at("error_count").as_int64(), 4) << json::serialize(errors);
    EXPECT_EQ(errors.at(0).at("message").as_string(), "第 5 行 身份证号: 校验位错误");
    EXPECT_EQ(errors.at(0).at("row").as_int64(), 5);
    EXPECT_EQ(errors.at(0).at("column").as_int64(), 1);
    EXPECT_EQ(errors.at(0).at("field").as_string(), "doc_number");
    EXPECT_EQ(errors.at(1).at("message").as_string(), "第 7 行 身份证号: 与第 4 行重复");
    std::string lost(errors.at(2).at("message").as_string());
    EXPECT_EQ(lost.rfind("第 8 行 证件号码: 以数字格式保存", 0), 0u) << lost;
    EXPECT_NE(lost.find("15 位"), std::string::npos) << lost;
    EXPECT_EQ(errors.at(3).at("field").as_string(), "sex");
    auto refused = staff_->PostJson(
        "/api/v1/imports/" + std::string(checked.at("id").as_string()) + "/apply", "{}");
    EXPECT_EQ(refused.status, 422) << refused.body;
    auto sheet = staff_->Get("/api/v1/imports/" + std::string(checked.at("id").as_string()) +
                             "/errors.xlsx");
    ASSERT_EQ(sheet.status, 200);
    EXPECT_EQ(SheetLines(sheet.body).size(), 5u) << "a header and the four errors";
    EXPECT_EQ(Count("SELECT COUNT(*) FROM residents"), 0);

    // The CLI: a dry run lists every bad row and fails; --apply writes nothing either.
    int status = 0;
    std::string path = std::string(BULWARK_IMPORT_FIXTURES) + "/residents_bad.xlsx";
    std::string out = Cli(
        "import residents '" + path + "' --community " + std::to_string(community_) + " --apply",
        &status);
    EXPECT_NE(status, 0) << out;
    EXPECT_NE(out.find("第 5 行 身份证号: 校验位错误"), std::string::npos) << out;
    EXPECT_NE(out.find("第 9 行 性别"), std::string::npos) << out;
    EXPECT_EQ(Count("SELECT COUNT(*) FROM residents"), 0);
}

TEST_P(RegistryImportTest, ApplyIsAllOrNothingWhenTheDatabaseChangedSinceTheCheck) {
    json::value checked =
        Upload(*staff_, "residents_gb18030.csv", Fixture("residents_gb18030.csv"), "text/csv");
    ASSERT_EQ(checked.at("status").as_string(), "checked") << json::serialize(checked);
    ASSERT_EQ(checked.at("error_count").as_int64(), 0) << json::serialize(checked.at("errors"));
    EXPECT_EQ(checked.at("encoding").as_string(), "GB18030");
    ASSERT_EQ(checked.at("summary").at("created").as_int64(), 3);

    // Meanwhile the third person is registered in another community, out of the worker's scope.
    auto building = admin_->PostJson(
        "/api/v1/places/buildings",
        json::serialize(json::object{{"grid_id", other_grid_}, {"name", "9栋"}, {"floors", 6}}));
    ASSERT_EQ(building.status, 201) << building.body;
    auto elsewhere = admin_->PostJson(
        "/api/v1/residents",
        json::serialize(json::object{{"building_id", IdOf(building)},
                                     {"room", "101"},
                                     {"name", "韩梅"},
                                     {"doc_number", FixtureId("19790909", 33, false)}}));
    ASSERT_EQ(elsewhere.status, 201) << elsewhere.body;

    // The first two rows would still go in; the apply writes none of them.
    json::value applied = Apply(*staff_, checked);
    EXPECT_EQ(applied.at("status").as_string(), "failed") << json::serialize(applied);
    ASSERT_GE(applied.at("error_count").as_int64(), 1);
    EXPECT_EQ(applied.at("errors").at(0).at("row").as_int64(), 4);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM residents WHERE community_id = ?", {community_}), 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM households"), 1) << "only the planted one's";
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.import'"), 0);
}

TEST_P(RegistryImportTest, WpsAndUtf8CsvAndACorrectedMapping) {
    json::value wps = Upload(*staff_, "residents_wps.xlsx", Fixture("residents_wps.xlsx"));
    ASSERT_EQ(wps.at("status").as_string(), "checked") << json::serialize(wps);
    EXPECT_EQ(wps.at("error_count").as_int64(), 0) << json::serialize(wps.at("errors"));
    EXPECT_EQ(wps.at("rows_total").as_int64(), 5);
    EXPECT_EQ(wps.at("columns").at(7).at("field").as_string(), "residency");
    EXPECT_EQ(Apply(*staff_, wps).at("status").as_string(), "applied");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM residents WHERE residency = 'floating'"), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM residents WHERE residency = 'tenant'"), 1);

    json::value bom = Upload(*staff_, "residents_utf8_bom.csv", Fixture("residents_utf8_bom.csv"));
    ASSERT_EQ(bom.at("status").as_string(), "checked") << json::serialize(bom);
    EXPECT_EQ(bom.at("encoding").as_string(), "UTF-8 BOM");
    EXPECT_EQ(bom.at("header_row").as_int64(), 2);
    EXPECT_EQ(bom.at("error_count").as_int64(), 0) << json::serialize(bom.at("errors"));
    EXPECT_EQ(Apply(*staff_, bom).at("status").as_string(), "applied");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM residents WHERE notes = ?", {"门卫, 夜班"}), 1);

    // Headers nobody recognises: the wizard names the columns by hand.
    std::string csv = "住户,证件,电话,楼,房\n钱多多," + FixtureId("19700101", 41, true) +
                      ",19900000041,7栋,701\n";
    json::value odd = Upload(*staff_, "odd.csv", csv, "text/csv");
    ASSERT_EQ(odd.at("status").as_string(), "checked") << json::serialize(odd);
    EXPECT_GE(odd.at("error_count").as_int64(), 1);
    std::string id(odd.at("id").as_string());
    auto remapped = staff_->Send(
        "PUT", "/api/v1/imports/" + id + "/mapping",
        R"({"header_row":1,"mapping":{"name":0,"doc_number":1,"phone":2,"building":3,"room":4}})",
        {{"Content-Type", "application/json"}});
    ASSERT_EQ(remapped.status, 202) << remapped.body;
    json::value fixed = Wait(*staff_, id);
    ASSERT_EQ(fixed.at("status").as_string(), "checked") << json::serialize(fixed);
    EXPECT_EQ(fixed.at("error_count").as_int64(), 0) << json::serialize(fixed.at("errors"));
    EXPECT_EQ(fixed.at("columns").at(1).at("field").as_string(), "doc_number");
    EXPECT_EQ(fixed.at("summary").at("created").as_int64(), 1);
}

TEST_P(RegistryImportTest, ExportIsMaskedUnlessAReasonIsGivenAndEveryExportIsAudited) {
    ASSERT_EQ(Apply(*staff_, Upload(*staff_, "g.xlsx", Fixture("residents_good.xlsx")))
                  .at("status")
                  .as_string(),
              "applied");
    const std::string full_id = FixtureId("19500312", 1, true);

    auto masked = staff_->Get("/api/v1/residents/export.xlsx?tag=elderly_60");
    ASSERT_EQ(masked.status, 200) << masked.body;
    EXPECT_EQ(masked.Header("content-type"), kXlsxType);
    EXPECT_NE(masked.Header("content-disposition").find("filename*=UTF-8''"), std::string::npos);
    std::vector<std::string> lines = SheetLines(masked.body);
    ASSERT_GE(lines.size(), 4u);
    EXPECT_NE(lines[1].find("证件号码"), std::string::npos) << lines[1];
    std::string all;
    for (const std::string& l : lines) all += l + "\n";
    EXPECT_EQ(all.find(full_id), std::string::npos) << "a full ID number in a masked export";
    EXPECT_NE(all.find("990001********"), std::string::npos) << all;
    EXPECT_NE(lines.back().find("导出人: worker"), std::string::npos) << lines.back();
    EXPECT_NE(lines.back().find("已脱敏"), std::string::npos) << lines.back();
    EXPECT_EQ(lines.size(), 3u + 3u) << "title, header, the three people 60+, the closing line";
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.export'"), 1);

    auto no_reason =
        staff_->PostJson("/api/v1/residents/export", R"({"filters":{},"unmasked":true})");
    EXPECT_EQ(no_reason.status, 400) << no_reason.body;
    auto unmasked =
        staff_->PostJson("/api/v1/residents/export",
                         R"({"filters":{"q":"张伟"},"unmasked":true,"reason":"核对户籍"})");
    ASSERT_EQ(unmasked.status, 200) << unmasked.body;
    lines = SheetLines(unmasked.body);
    all.clear();
    for (const std::string& l : lines) all += l + "\n";
    EXPECT_NE(all.find(full_id), std::string::npos) << all;
    EXPECT_NE(all.find("19900000001"), std::string::npos) << all;
    EXPECT_NE(lines.back().find("导出原因: 核对户籍"), std::string::npos) << lines.back();
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.export_unmasked' "
                    "AND reason = ?",
                    {"核对户籍"}),
              1);

    // Without the permission: a grid worker reads residents but exports nothing.
    auto grid_worker =
        SignedIn("gridworker", "grid_worker", "community:" + std::to_string(community_));
    EXPECT_EQ(grid_worker->Get("/api/v1/residents/export.xlsx").status, 403);

    // The CLI exports too, masked by default, and an unmasked one needs a reason.
    int status = 0;
    std::string file = data_dir_ + "/register.xlsx";
    std::string out = Cli("export residents '" + file + "'", &status);
    EXPECT_EQ(status, 0) << out;
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(SheetLines(bytes).size(), 8u + 3u);
    out = Cli("export residents '" + file + "' --unmasked", &status);
    EXPECT_NE(status, 0) << out;
}

TEST_P(RegistryImportTest, CodesAreQrOfTheTokenLinkAndCardsPrintAsPdf) {
    // Ten people in one building: two pages of eight cards.
    std::string csv = "姓名,身份证号,楼栋,单元,房号\n";
    for (int i = 0; i < 10; ++i) {
        csv += "居民" + std::to_string(i) + "," + FixtureId("19800101", 50 + i, i % 2 == 0) +
               ",8栋,1," + std::to_string(101 + i / 3) + "\n";
    }
    json::value done = Apply(*staff_, Upload(*staff_, "ten.csv", csv, "text/csv"));
    ASSERT_EQ(done.at("status").as_string(), "applied") << json::serialize(done);
    auto list = staff_->Get("/api/v1/residents?page_size=20");
    json::value first = Parse(list.body).at("items").at(0);
    int64_t resident = first.at("id").as_int64();
    int64_t building = first.at("building_id").as_int64();
    int64_t household = first.at("household_id").as_int64();

    auto reissued =
        staff_->PostJson("/api/v1/residents/" + std::to_string(resident) + "/code/reissue", "{}");
    ASSERT_EQ(reissued.status, 200) << reissued.body;
    std::string token(Parse(reissued.body).at("code_token").as_string());
    auto svg = staff_->Get("/api/v1/residents/" + std::to_string(resident) + "/code.svg");
    ASSERT_EQ(svg.status, 200) << svg.body;
    EXPECT_EQ(svg.Header("content-type").rfind("image/svg+xml", 0), 0u);
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_buffer(svg.body.data(), svg.body.size())) << "well-formed XML";
    ASSERT_STREQ(doc.document_element().name(), "svg");
    std::string drawn = doc.document_element().child("path").attribute("d").as_string();
    // The same link encoded here draws the same modules: the code carries the token's link.
    auto expected = registry::EncodeQr(registry::ResidentCodeLink("http://127.0.0.1", token));
    ASSERT_TRUE(expected.ok());
    pugi::xml_document mine;
    std::string mine_svg = registry::QrSvg(*expected, "x");
    ASSERT_TRUE(mine.load_buffer(mine_svg.data(), mine_svg.size()));
    EXPECT_EQ(drawn, mine.document_element().child("path").attribute("d").as_string());
    EXPECT_EQ(svg.body.find(FixtureId("19800101", 50, true)), std::string::npos);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.code'"), 1);

    auto cards = staff_->Get("/api/v1/cards.pdf?building_id=" + std::to_string(building));
    ASSERT_EQ(cards.status, 200) << cards.body;
    EXPECT_EQ(cards.body.rfind("%PDF", 0), 0u);
    EXPECT_NE(cards.body.find("/Count 2"), std::string::npos) << "two A4 pages";
    auto one = staff_->Get("/api/v1/cards.pdf?household_id=" + std::to_string(household));
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_NE(one.body.find("/Count 1"), std::string::npos);
    EXPECT_EQ(staff_->Get("/api/v1/cards.pdf").status, 400);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.codes_print'"), 2);
    // Another community's worker sees neither the code nor the cards.
    auto outsider = SignedIn("other", "staff", "community:" + std::to_string(other_community_));
    EXPECT_EQ(outsider->Get("/api/v1/residents/" + std::to_string(resident) + "/code.svg").status,
              404);
    EXPECT_EQ(outsider->Get("/api/v1/cards.pdf?building_id=" + std::to_string(building)).status,
              404);
}

INSTANTIATE_TEST_SUITE_P(Drivers, RegistryImportTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark
