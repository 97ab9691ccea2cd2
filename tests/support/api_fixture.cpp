#include "tests/support/api_fixture.hpp"

#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "tests/support/accounts.hpp"

namespace bulwark::testsupport {

namespace json = boost::json;

int64_t ApiTest::NowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

json::value ApiTest::Parse(const std::string& body) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    return ec ? json::value() : v;
}

int64_t ApiTest::IdOf(const HttpResult& r) {
    json::value v = Parse(r.body);
    return v.is_object() && v.as_object().contains("id") ? v.at("id").as_int64() : 0;
}

std::string ApiTest::Body(const json::object& o) { return json::serialize(o); }

std::string ApiTest::NewKey() {
    static std::atomic<int> n{0};
    return "test-key-" + std::to_string(NowMillis()) + "-" + std::to_string(++n);
}

ApiTest::ApiTest(std::string temp_prefix, std::string password, Serve serve)
    : temp_prefix_(std::move(temp_prefix)), password_(std::move(password)), serve_(serve) {}

void ApiTest::SetUp() {
    data_dir_ = MakeTempDir(temp_prefix_);
    if (GetParam() == "postgres") {
        if (TestPostgresUrl().empty()) GTEST_SKIP() << "BULWARK_TEST_PG not set";
        db_url_ = CreateTestPostgresDatabase();
        ASSERT_FALSE(db_url_.empty()) << "could not create a test database";
    }
    if (serve_ == Serve::kAtSetUp) StartServerAndSignIn();
}

void ApiTest::StartServerAndSignIn(const std::vector<std::pair<std::string, std::string>>& env) {
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
    server_ = std::make_unique<ServerProcess>(data_dir_, db_url_);
    const bool started = server_->Start();
    for (const auto& [name, value] : env) ::unsetenv(name.c_str());
    ASSERT_TRUE(started) << server_->output();
    admin_ = SignedIn("leader", "administrator", "street:1");
}

std::unique_ptr<HttpClient> ApiTest::SignedIn(unsigned short port, const std::string& name,
                                              const std::string& role, const std::string& scope) {
    std::string output;
    EXPECT_TRUE(AddUser(data_dir_, db_url_, name, password_, role, scope, &output)) << output;
    auto client = std::make_unique<HttpClient>(port);
    EXPECT_FALSE(LogIn(*client, name, password_).empty()) << "login of " << name;
    return client;
}

std::unique_ptr<HttpClient> ApiTest::SignedIn(const std::string& name, const std::string& role,
                                              const std::string& scope) {
    return SignedIn(server_->port(), name, role, scope);
}

std::unique_ptr<db::Database> ApiTest::OpenDirect() {
    auto opened =
        db::Open({.url = db_url_.empty() ? "sqlite:" + data_dir_ + "/bulwark.db" : db_url_});
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return opened.ok() ? std::move(*opened) : nullptr;
}

int64_t ApiTest::Count(const std::string& sql, const db::Params& params) {
    auto db = OpenDirect();
    if (!db) return -1;
    auto row = db->ReadValue([&](db::Session& s) { return s.QueryOne(sql, params); });
    db->Close();
    return row.ok() && *row ? (**row).Int(0) : -1;
}

std::string ApiTest::CodeOf(int64_t resident_id) {
    auto db = OpenDirect();
    if (!db) return "";
    auto row = db->ReadValue([&](db::Session& s) {
        return s.QueryOne("SELECT code_token FROM residents WHERE id = ?", {resident_id});
    });
    db->Close();
    return row.ok() && *row ? (**row).Text(0) : "";
}

int64_t ApiTest::Post(HttpClient& c, const std::string& path, const json::object& body) {
    HttpResult r = c.PostJson(path, Body(body));
    EXPECT_EQ(r.status, 201) << path << " " << r.body;
    return IdOf(r);
}

int64_t ApiTest::Resident(int64_t building, const std::string& room, const std::string& name,
                          json::object extra) {
    json::object body{{"building_id", building}, {"room", room}, {"name", name}};
    for (auto& [k, v] : extra) body[k] = v;
    return Post(*admin_, "/api/v1/residents", body);
}

std::string ApiTest::Cli(const std::string& args, int* status) {
    std::string cmd = BulwarkBinary() + " --data '" + data_dir_ + "' --log-level warn";
    if (!db_url_.empty()) cmd += " --db '" + db_url_ + "'";
    cmd += " " + args + " 2>&1";
    std::string out;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    const int rc = ::pclose(pipe);
    *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

}  // namespace bulwark::testsupport
