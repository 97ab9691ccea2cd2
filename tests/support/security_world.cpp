#include "tests/support/security_world.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "tests/support/accounts.hpp"

namespace bulwark::testsupport {
namespace {

namespace json = boost::json;

constexpr const char* kPassword = "Security-World-Pass-2024!";

// The grant of each role: the scope's kind and the seeded object whose ".in" id it takes.
struct RoleScope {
    const char* role;
    const char* scope_kind;
    const char* object_kind;
};
constexpr RoleScope kRoleScopes[] = {
    {"administrator", "street", "street"}, {"staff", "community", "community"},
    {"grid_worker", "grid", "grid"},       {"data_verifier", "community", "community"},
    {"scanner", "site", "site"},           {"lab", "lab", "lab"},
};

json::value Parse(const std::string& body) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    return ec ? json::value() : v;
}

std::string IdText(const HttpResult& r) {
    json::value v = Parse(r.body);
    if (!v.is_object() || !v.as_object().contains("id")) return "";
    return std::to_string(v.at("id").as_int64());
}

// A pending health-code change request (issue 6) made by `as` for `resident`: deciding one
// uses it up, so each call in scope gets its own. "" when the request fails.
std::string NewHealthCodeRequest(HttpClient& as, const std::string& resident) {
    json::object body{{"resident_id", std::stoll(resident)},
                      {"to_status", "green"},
                      {"reason", "矩阵测试"},
                      {"evidence", "矩阵测试"}};
    return IdText(as.PostJson("/api/v1/health-code-requests", json::serialize(body)));
}

std::map<std::string, std::unique_ptr<SecurityWorld>>& Worlds() {
    static std::map<std::string, std::unique_ptr<SecurityWorld>> worlds;
    return worlds;
}

}  // namespace

const std::vector<std::string>& SecurityRoles() {
    static const std::vector<std::string> roles = [] {
        std::vector<std::string> out;
        for (const RoleScope& r : kRoleScopes) out.push_back(r.role);
        return out;
    }();
    return roles;
}

std::string WithCheckCharacter(const std::string& first17) {
    static const int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
    return first17 + "10X98765432"[sum % 11];
}

SecurityWorld* SecurityWorld::For(const std::string& driver, std::string* skip,
                                  std::string* error) {
    auto& worlds = Worlds();
    auto it = worlds.find(driver);
    if (it != worlds.end()) {
        if (!it->second) *error = "setting up the " + driver + " world failed earlier";
        return it->second.get();
    }
    if (driver == "postgres" && TestPostgresUrl().empty()) {
        *skip = "BULWARK_TEST_PG not set";
        return nullptr;
    }
    std::unique_ptr<SecurityWorld> world(new SecurityWorld());
    if (!world->Start(driver, error)) {
        if (world->server_) *error += "\nserver output:\n" + world->server_->output();
        worlds[driver] = nullptr;
        return nullptr;
    }
    return (worlds[driver] = std::move(world)).get();
}

void SecurityWorld::StopAll() {
    for (auto& [driver, world] : Worlds()) {
        if (world && world->db_) world->db_->Close();
        if (world && world->server_) world->server_->Stop();
    }
}

Result<db::Rows> SecurityWorld::Query(const std::string& sql, const db::Params& params) {
    if (!db_) {
        ASSIGN_OR_RETURN(
            db_, db::Open({.url = db_url_.empty() ? "sqlite:" + data_dir_ + "/bulwark.db" : db_url_,
                           .readers = 1,
                           .writers = 1}));
    }
    return db_->ReadValue([&](db::Session& s) { return s.Query(sql, params); });
}

bool SecurityWorld::Start(const std::string& driver, std::string* error) {
    driver_ = driver;
    data_dir_ = MakeTempDir("bulwark-security-" + driver);
    if (driver == "postgres") {
        db_url_ = CreateTestPostgresDatabase();
        if (db_url_.empty()) {
            *error = "could not create a test database";
            return false;
        }
    }
    std::string output;
    for (const char* street : {"1", "2"}) {
        if (!AddUser(data_dir_, db_url_, std::string("seed-") + street, kPassword, "administrator",
                     std::string("street:") + street, &output)) {
            *error = "user add seed-" + std::string(street) + ": " + output;
            return false;
        }
    }
    server_ = std::make_unique<ServerProcess>(data_dir_, db_url_);
    // Every request line reaches the log, which the leak test searches.
    server_->set_log_level("debug");
    if (!server_->Start()) {
        *error = "the server did not start";
        return false;
    }
    return Seed(error);
}

bool SecurityWorld::Seed(std::string* error) {
    seeder_ = std::make_unique<HttpClient>(port());
    seeder_out_ = std::make_unique<HttpClient>(port());
    if (LogIn(*seeder_, "seed-1", kPassword).empty() ||
        LogIn(*seeder_out_, "seed-2", kPassword).empty()) {
        *error = "the seeding administrators could not sign in";
        return false;
    }
    auto create = [&](HttpClient& as, const std::string& path, json::object body,
                      const std::string& kind, bool in_scope) {
        HttpResult r = as.PostJson(path, json::serialize(body));
        std::string id = r.status == 201 ? IdText(r) : "";
        if (id.empty()) {
            *error = "POST " + path + ": " + std::to_string(r.status) + " " + r.body;
            return false;
        }
        (in_scope ? in_ : out_)[kind] = id;
        return true;
    };
    // Street 1 first (seed-1's scope), then street 2 (seed-2's), each with one of everything.
    if (!create(*seeder_, "/api/v1/places/streets", {{"name", "安全测试街道"}}, "street", true) ||
        !create(*seeder_, "/api/v1/places/streets", {{"name", "邻近街道"}}, "street", false)) {
        return false;
    }
    if (In("street") != "1" || Out("street") != "2") {
        *error = "expected streets 1 and 2, got " + In("street") + " and " + Out("street");
        return false;
    }
    for (bool in_scope : {true, false}) {
        HttpClient& as = in_scope ? *seeder_ : *seeder_out_;
        auto& ids = in_scope ? in_ : out_;
        const std::string suffix = in_scope ? "甲" : "乙";
        if (!create(as, "/api/v1/places/communities",
                    {{"street_id", std::stoll(ids["street"])}, {"name", "社区" + suffix}},
                    "community", in_scope) ||
            !create(as, "/api/v1/places/grids",
                    {{"community_id", std::stoll(ids["community"])}, {"name", "网格" + suffix}},
                    "grid", in_scope) ||
            !create(as, "/api/v1/places/buildings",
                    {{"grid_id", std::stoll(ids["grid"])}, {"name", "楼" + suffix}, {"floors", 6}},
                    "building", in_scope)) {
            return false;
        }
        for (const char* name : {"张", "李"}) {
            if (!AddPerson(as, in_scope, name + suffix + "安", error)) return false;
        }
        // The personal code of the first person, for the routes that take a code.
        const std::string& person = ids["resident"];
        HttpResult code = as.PostJson("/api/v1/residents/" + person + "/code/reissue", "{}");
        json::value c = Parse(code.body);
        if (code.status != 200 || !c.is_object() || !c.as_object().contains("code_token")) {
            *error = "code reissue: " + std::to_string(code.status) + " " + code.body;
            return false;
        }
        ids["code"] = std::string(c.at("code_token").as_string());
        ids["doc_number"] = people_.back().doc_number;
        if (!SeedTesting(in_scope, error)) return false;
    }

    // The accounts: one per role over the first street's places, and two accounts to manage.
    for (const RoleScope& r : kRoleScopes) {
        const std::string scope = std::string(r.scope_kind) + ":" + In(r.object_kind);
        std::string output;
        if (!AddUser(data_dir_, db_url_, Username(r.role), kPassword, r.role, scope, &output)) {
            *error = "user add " + std::string(r.role) + ": " + output;
            return false;
        }
        passwords_[r.role] = kPassword;
    }
    for (bool in_scope : {true, false}) {
        const std::string name = in_scope ? "managed-in" : "managed-out";
        std::string output;
        if (!AddUser(data_dir_, db_url_, name, kPassword, "staff",
                     "community:" + (in_scope ? In("community") : Out("community")), &output)) {
            *error = "user add " + name + ": " + output;
            return false;
        }
        HttpResult list = (in_scope ? *seeder_ : *seeder_out_).Get("/api/v1/users");
        json::value v = Parse(list.body);
        if (list.status != 200 || !v.is_object()) {
            *error = "GET /api/v1/users: " + list.body;
            return false;
        }
        for (const json::value& u : v.at("items").as_array()) {
            if (u.at("username").as_string() == name) {
                (in_scope ? in_ : out_)["user"] = std::to_string(u.at("id").as_int64());
            }
        }
    }
    if (In("user").empty() || Out("user").empty()) {
        *error = "the managed accounts are not listed";
        return false;
    }
    for (const std::string& role : SecurityRoles()) {
        auto session = FreshSession(role);
        if (!session) {
            *error = "login of " + role + " failed";
            return false;
        }
        HttpResult me = session->Get("/api/v1/auth/me");
        json::value v = Parse(me.body);
        if (me.status != 200 || !v.is_object()) {
            *error = "GET /api/v1/auth/me as " + role + ": " + me.body;
            return false;
        }
        for (const json::value& p : v.at("permissions").as_array()) {
            permissions_[role].insert(std::string(p.as_string()));
        }
        sessions_[role] = std::move(session);
    }
    return true;
}

bool SecurityWorld::AddPerson(HttpClient& as, bool in_scope, const std::string& name,
                              std::string* error) {
    SeededPerson p{.id = "",
                   .name = name,
                   .doc_number = NewIdNumber(),
                   .phone = NewPhone(),
                   .in_scope = in_scope};
    json::object body{{"building_id", std::stoll(in_scope ? In("building") : Out("building"))},
                      {"unit", "1单元"},
                      {"room", std::to_string(101 + people_.size())},
                      {"name", name},
                      {"doc_number", p.doc_number},
                      {"phone", p.phone}};
    HttpResult r = as.PostJson("/api/v1/residents", json::serialize(body));
    p.id = r.status == 201 ? IdText(r) : "";
    if (p.id.empty()) {
        *error = "POST /api/v1/residents: " + std::to_string(r.status) + " " + r.body;
        return false;
    }
    // The first person of each street is the one the tests address.
    auto& ids = in_scope ? in_ : out_;
    if (!ids.count("resident")) ids["resident"] = p.id;
    people_.push_back(std::move(p));
    return true;
}

HttpClient& SecurityWorld::As(const std::string& role) { return *sessions_.at(role); }

std::unique_ptr<HttpClient> SecurityWorld::FreshSession(const std::string& role) {
    auto client = std::make_unique<HttpClient>(port());
    if (LogIn(*client, Username(role), Password(role)).empty()) return nullptr;
    return client;
}

HttpClient& SecurityWorld::Seeder(bool in_scope) { return in_scope ? *seeder_ : *seeder_out_; }

const std::set<std::string>& SecurityWorld::Permissions(const std::string& role) const {
    return permissions_.at(role);
}

std::string SecurityWorld::Username(const std::string& role) const { return "matrix-" + role; }

const std::string& SecurityWorld::Password(const std::string& role) const {
    return passwords_.at(role);
}

void SecurityWorld::SetPassword(const std::string& role, const std::string& password) {
    passwords_[role] = password;
}

std::string SecurityWorld::In(const std::string& kind) const {
    auto it = in_.find(kind);
    return it == in_.end() ? "" : it->second;
}

std::string SecurityWorld::Out(const std::string& kind) const {
    auto it = out_.find(kind);
    return it == out_.end() ? "" : it->second;
}

std::string SecurityWorld::InFor(const std::string& role, const std::string& kind) {
    if (role == "lab" && kind == "box") return In("box_to_receive");
    if (kind == "free_table") return FreeTable(true);
    // Each role decides its own request (a repeated decision by the same person answers the
    // request as it stands, so the matrix, leak and audit tests may all call it).
    if (kind == "health_code_request" || kind == "health_code_request_to_reject") {
        std::string& id = owned_[role + "/" + kind];
        if (id.empty()) id = NewHealthCodeRequest(*seeder_, In("resident"));
        return id;
    }
    if (kind == "result_import" || kind == "conflict" || kind == "public_code") {
        return ResultsInFor(role, kind);
    }
    if (kind != "import" && kind != "import_to_apply") return In(kind);
    std::string& id = owned_[role + "/" + kind];
    if (id.empty()) id = MakeImport(As(role), In("community"));
    // A role that may not import names the first street administrator's job (and is denied).
    if (id.empty()) {
        std::string& fallback = owned_["seed-1/" + kind];
        if (fallback.empty()) fallback = MakeImport(*seeder_, In("community"));
        return fallback;
    }
    return id;
}

std::string SecurityWorld::OutFor(const std::string& kind) {
    if (kind == "free_table") return FreeTable(false);
    if (kind == "health_code_request" || kind == "health_code_request_to_reject") {
        std::string& id = owned_["seed-2/" + kind];
        if (id.empty()) id = NewHealthCodeRequest(*seeder_out_, Out("resident"));
        return id;
    }
    if (kind == "result_import" || kind == "conflict" || kind == "public_code") {
        return ResultsOutFor(kind);
    }
    if (kind != "import" && kind != "import_to_apply") return Out(kind);
    std::string& id = owned_["seed-2/import"];
    if (id.empty()) id = MakeImport(*seeder_out_, Out("community"));
    return id;
}

std::string SecurityWorld::MakeImport(HttpClient& as, const std::string& community) {
    std::string csv = "姓名,身份证号,联系电话,楼栋,单元,房号\n";
    for (const char* name : {"导入甲", "导入乙"}) {
        csv += std::string(name) + "," + NewIdNumber() + "," + NewPhone() + ",楼" +
               (community == In("community") ? "甲" : "乙") + ",1," +
               std::to_string(200 + serial_ % 100) + "\n";
    }
    HttpResult r = as.Send("POST",
                           "/api/v1/imports/residents?community_id=" + community +
                               "&filename=matrix-" + Unique() + ".csv",
                           csv, {{"Content-Type", "text/csv"}});
    json::value v = Parse(r.body);
    if (r.status != 202 || !v.is_object() || !v.as_object().contains("id")) return "";
    const std::string id(v.at("id").as_string());
    // Parsing and checking run in the background: wait until the job is checked.
    for (int i = 0; i < 500; ++i) {
        HttpResult job = as.Get("/api/v1/imports/" + id);
        json::value j = Parse(job.body);
        if (job.status != 200 || !j.is_object()) return "";
        const std::string status(j.at("status").as_string());
        if (status == "checked") return id;
        if (status == "failed") return "";
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "";
}

std::string SecurityWorld::Unique() { return "u" + std::to_string(++serial_); }

std::string SecurityWorld::NewIdNumber() {
    // Born 1985-06-15 in region 990001 (no such region); serials 100..999 are unique.
    minted_.push_back(WithCheckCharacter("99000119850615" + std::to_string(100 + ++serial_ % 900)));
    return minted_.back();
}

std::string SecurityWorld::NewPhone() {
    minted_.push_back("1990" + std::to_string(1234567 + ++serial_ % 8000000));
    return minted_.back();
}

std::string SecurityWorld::Cli(const std::string& args, int* status) {
    std::string cmd = BulwarkBinary() + " --log-level warn --data '" + data_dir_ + "'" +
                      (db_url_.empty() ? "" : " --db '" + db_url_ + "'") + " " + args + " 2>&1";
    std::string out;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    *status = ::pclose(pipe);
    return out;
}

}  // namespace bulwark::testsupport
