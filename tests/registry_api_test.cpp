// Black-box tests of the resident registry: the real server on port 0, on each database driver.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <iterator>

#include "tests/support/accounts.hpp"
#include "tests/support/api_fixture.hpp"

namespace bulwark {
namespace {

using testsupport::HttpClient;
using testsupport::ServerProcess;
namespace json = boost::json;

constexpr const char* kPassword = "Registry-Test-Pass-2024!";
// Synthetic ID numbers (region 990: test data) with correct check characters.
constexpr const char* kIdZhang = "990001199001010013";  // male, 1990-01-01
constexpr const char* kIdQian = "990001198002020024";   // female, 1980-02-02
constexpr const char* kPhoneZhang = "19900001234";

std::string FileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Each test starts its own server, when it needs one.
class RegistryApiTest : public testsupport::ApiTest {
protected:
    RegistryApiTest() : ApiTest("bulwark-registry-api", kPassword, Serve::kWhenAsked) {}

    std::unique_ptr<ServerProcess> StartServer() {
        auto server = std::make_unique<ServerProcess>(data_dir_, db_url_);
        EXPECT_TRUE(server->Start()) << server->output();
        return server;
    }
};

TEST_P(RegistryApiTest, PlacesResidentsMaskingScopeAndAudit) {
    auto server = StartServer();
    const unsigned short port = server->port();
    // The street's leadership builds the place tree (street 1 is the first street made).
    auto admin = SignedIn(port, "leader", "administrator", "street:1");
    auto street =
        admin->PostJson("/api/v1/places/streets", R"({"name":"演示街道","district":"演示区"})");
    ASSERT_EQ(street.status, 201) << street.body;
    ASSERT_EQ(IdOf(street), 1);
    auto mine =
        admin->PostJson("/api/v1/places/communities", R"({"street_id":1,"name":"雅仕居社区"})");
    ASSERT_EQ(mine.status, 201) << mine.body;
    auto theirs =
        admin->PostJson("/api/v1/places/communities", R"({"street_id":1,"name":"翠竹社区"})");
    ASSERT_EQ(theirs.status, 201) << theirs.body;
    auto grid = admin->PostJson(
        "/api/v1/places/grids",
        json::serialize(json::object{{"community_id", IdOf(mine)}, {"name", "第1网格"}}));
    ASSERT_EQ(grid.status, 201) << grid.body;
    auto other_grid = admin->PostJson(
        "/api/v1/places/grids",
        json::serialize(json::object{{"community_id", IdOf(theirs)}, {"name", "第1网格"}}));
    ASSERT_EQ(other_grid.status, 201) << other_grid.body;
    auto building = admin->PostJson(
        "/api/v1/places/buildings",
        json::serialize(json::object{{"grid_id", IdOf(grid)}, {"name", "3栋"}, {"floors", 18}}));
    ASSERT_EQ(building.status, 201) << building.body;
    auto other_building =
        admin->PostJson("/api/v1/places/buildings",
                        json::serialize(json::object{
                            {"grid_id", IdOf(other_grid)}, {"name", "1栋"}, {"floors", 6}}));
    ASSERT_EQ(other_building.status, 201) << other_building.body;
    auto duplicate =
        admin->PostJson("/api/v1/places/communities", R"({"street_id":1,"name":"雅仕居社区"})");
    EXPECT_EQ(duplicate.status, 409) << duplicate.body;

    // A community worker registers a resident: the answer is masked.
    auto staff = SignedIn(port, "worker", "staff", "community:" + std::to_string(IdOf(mine)));
    json::object person{{"building_id", IdOf(building)},
                        {"unit", "2单元"},
                        {"room", "1203"},
                        {"name", "张三"},
                        {"doc_number", kIdZhang},
                        {"phone", kPhoneZhang},
                        {"tags", json::array{"disabled"}}};
    auto created = staff->PostJson("/api/v1/residents", json::serialize(person));
    ASSERT_EQ(created.status, 201) << created.body;
    const int64_t zhang = IdOf(created);
    json::value c = Parse(created.body);
    EXPECT_EQ(c.at("doc_number").as_string(), "990001********0013");
    EXPECT_EQ(c.at("phone").as_string(), "199****1234");
    EXPECT_EQ(c.at("birth_date").as_string(), "1990-01-01");
    EXPECT_EQ(c.at("sex").as_string(), "male");
    EXPECT_EQ(c.at("version").as_int64(), 1);
    EXPECT_FALSE(c.as_object().contains("code_token"));

    auto bad = staff->PostJson("/api/v1/residents",
                               json::serialize(json::object{{"building_id", IdOf(building)},
                                                            {"room", "101"},
                                                            {"name", "李四"},
                                                            {"doc_number", "990001199001010014"}}));
    EXPECT_EQ(bad.status, 400) << bad.body;
    EXPECT_EQ(Parse(bad.body).at("error").at("message").as_string(), "身份证号: 校验位错误");
    EXPECT_EQ(Parse(bad.body).at("error").at("field").as_string(), "doc_number");

    // Another community's building is out of scope for the worker: 404 as if missing.
    json::object outside = person;
    outside["building_id"] = IdOf(other_building);
    outside["doc_number"] = kIdQian;
    outside["name"] = "钱七";
    EXPECT_EQ(staff->PostJson("/api/v1/residents", json::serialize(outside)).status, 404);
    auto qian_created = admin->PostJson("/api/v1/residents", json::serialize(outside));
    ASSERT_EQ(qian_created.status, 201) << qian_created.body;
    const int64_t qian = IdOf(qian_created);

    // List and detail: masked, scoped; out of scope answers exactly like a missing id.
    auto list = staff->Get("/api/v1/residents?page=1&page_size=20");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(Parse(list.body).at("total").as_int64(), 1);
    EXPECT_EQ(list.body.find(kIdZhang), std::string::npos) << "full ID number in a list";
    EXPECT_EQ(list.body.find(kPhoneZhang), std::string::npos) << "full phone in a list";
    EXPECT_EQ(Parse(admin->Get("/api/v1/residents").body).at("total").as_int64(), 2);
    auto detail = staff->Get("/api/v1/residents/" + std::to_string(zhang));
    ASSERT_EQ(detail.status, 200) << detail.body;
    EXPECT_EQ(detail.body.find(kIdZhang), std::string::npos);
    auto hidden = staff->Get("/api/v1/residents/" + std::to_string(qian));
    auto missing = staff->Get("/api/v1/residents/99999999");
    EXPECT_EQ(hidden.status, 404);
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(Parse(hidden.body), Parse(missing.body));
    EXPECT_EQ(staff->Get("/api/v1/residents?q=1234").body.find("张三") != std::string::npos, true);
    EXPECT_EQ(Parse(staff->Get(std::string("/api/v1/residents?q=") + kIdQian).body)
                  .at("total")
                  .as_int64(),
              0);
    EXPECT_EQ(Parse(staff->Get(std::string("/api/v1/residents?q=") + kIdZhang).body)
                  .at("total")
                  .as_int64(),
              1);
    // Narrowed by room (as typed, full-width) and by community; sorted by name in pinyin order.
    auto total = [](const testsupport::HttpResult& r) {
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? Parse(r.body).at("total").as_int64() : -1;
    };
    EXPECT_EQ(total(admin->Get("/api/v1/residents?room=1203")), 2);
    EXPECT_EQ(total(admin->Get("/api/v1/residents?room=%EF%BC%91%EF%BC%92%EF%BC%90%EF%BC%93")), 2);
    EXPECT_EQ(total(admin->Get("/api/v1/residents?room=1204")), 0);
    EXPECT_EQ(total(admin->Get("/api/v1/residents?community_id=" + std::to_string(IdOf(mine)))), 1);
    EXPECT_EQ(total(admin->Get("/api/v1/residents?street_id=1")), 2);
    auto by_name = admin->Get("/api/v1/residents?sort=name");
    ASSERT_EQ(by_name.status, 200) << by_name.body;
    // 钱 (qián) before 张 (zhāng).
    EXPECT_LT(by_name.body.find("钱"), by_name.body.find("张"));
    auto bad_sort = admin->Get("/api/v1/residents?sort=age");
    EXPECT_EQ(bad_sort.status, 400);
    EXPECT_EQ(Parse(bad_sort.body).at("error").at("field").as_string(), "sort");

    auto tree = staff->Get("/api/v1/places");
    ASSERT_EQ(tree.status, 200) << tree.body;
    EXPECT_EQ(tree.body.find("翠竹社区"), std::string::npos) << "another community in the tree";
    EXPECT_NE(tree.body.find("雅仕居社区"), std::string::npos);

    // Unmasking needs a reason and is audited with it.
    const std::string unmask = "/api/v1/residents/" + std::to_string(zhang) + "/unmask";
    EXPECT_EQ(staff->PostJson(unmask, "{}").status, 400);
    auto shown = staff->PostJson(unmask, R"({"reason":"核对身份信息"})");
    ASSERT_EQ(shown.status, 200) << shown.body;
    EXPECT_EQ(Parse(shown.body).at("doc_number").as_string(), kIdZhang);
    EXPECT_EQ(Parse(shown.body).at("phone").as_string(), kPhoneZhang);
    EXPECT_EQ(
        Count("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.unmask' AND reason = ? "
              "AND subject_id = ?",
              {"核对身份信息", zhang}),
        1);
    EXPECT_EQ(staff
                  ->PostJson("/api/v1/residents/" + std::to_string(qian) + "/unmask",
                             R"({"reason":"好奇"})")
                  .status,
              404);
    EXPECT_GE(
        Count("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.read' AND subject_id = ?",
              {zhang}),
        1);
    EXPECT_GE(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.search'", {}), 4);

    // Edits carry the version; a stale one is 422.
    const std::string path = "/api/v1/residents/" + std::to_string(zhang);
    auto edited = staff->Send("PATCH", path, R"({"version":1,"presence":"away","room":"1505"})",
                              {{"Content-Type", "application/json"}});
    ASSERT_EQ(edited.status, 200) << edited.body;
    EXPECT_EQ(Parse(edited.body).at("version").as_int64(), 2);
    EXPECT_EQ(Parse(edited.body).at("room").as_string(), "1505");
    auto stale = staff->Send("PATCH", path, R"({"version":1,"presence":"present"})",
                             {{"Content-Type", "application/json"}});
    EXPECT_EQ(stale.status, 422) << stale.body;
    EXPECT_EQ(Parse(stale.body).at("error").at("field").as_string(), "version");

    // A grid worker reads their grid only and cannot unmask; a scanner reads nothing here.
    auto grid_worker =
        SignedIn(port, "gridworker", "grid_worker", "grid:" + std::to_string(IdOf(grid)));
    EXPECT_EQ(Parse(grid_worker->Get("/api/v1/residents").body).at("total").as_int64(), 1);
    EXPECT_EQ(grid_worker->PostJson(unmask, R"({"reason":"核对"})").status, 404);
    auto scanner = SignedIn(port, "scanner1", "scanner", "site:1");
    EXPECT_EQ(scanner->Get("/api/v1/residents").status, 403);
    EXPECT_EQ(scanner->Get(path).status, 404);

    // Reissuing the personal code replaces the token.
    auto reissued = staff->PostJson(path + "/code/reissue", "{}");
    ASSERT_EQ(reissued.status, 200) << reissued.body;
    EXPECT_GE(Parse(reissued.body).at("code_token").as_string().size(), 20u);

    if (GetParam() == "sqlite") {
        server->Stop();
        std::string bytes =
            FileBytes(data_dir_ + "/bulwark.db") + FileBytes(data_dir_ + "/bulwark.db-wal");
        EXPECT_EQ(bytes.find(kIdZhang), std::string::npos) << "ID number in the database file";
        EXPECT_EQ(bytes.find(kPhoneZhang), std::string::npos) << "phone in the database file";
    }
}

TEST_P(RegistryApiTest, DemoLoadsOnceAndItsAdministratorSignsIn) {
    int status = -1;
    std::string out = Cli("demo", &status);
    ASSERT_EQ(status, 0) << out;
    EXPECT_NE(out.find("雅仕居社区"), std::string::npos) << out;
    const std::string key = "密码 ";
    size_t at = out.find(key);
    ASSERT_NE(at, std::string::npos) << out;
    at += key.size();
    std::string password = out.substr(at, out.find(' ', at) - at);

    std::string again = Cli("demo", &status);
    EXPECT_NE(status, 0);
    EXPECT_NE(again.find("不是空的"), std::string::npos) << again;

    auto server = StartServer();
    HttpClient client(server->port());
    ASSERT_FALSE(testsupport::LogIn(client, "demo-admin", password).empty());
    auto places = client.Get("/api/v1/places");
    ASSERT_EQ(places.status, 200) << places.body;
    json::value tree = Parse(places.body);
    ASSERT_EQ(tree.at("streets").as_array().size(), 1u);
    int64_t residents = tree.at("streets").at(0).at("residents").as_int64();
    EXPECT_GT(residents, 5000);
    EXPECT_LT(residents, 7000);
    auto page = client.Get("/api/v1/residents?page_size=5&tag=elderly_80");
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_GT(Parse(page.body).at("total").as_int64(), 50);
    EXPECT_EQ(Parse(page.body).at("items").as_array().size(), 5u);
}

INSTANTIATE_TEST_SUITE_P(Drivers, RegistryApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark
