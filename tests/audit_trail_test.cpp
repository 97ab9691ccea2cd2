// Every answer with personal data has its audit row (found by the request's X-Request-Id, with
// the route's action and the person as subject), and `bulwark audit verify` checks the keyed
// hash chain: intact after real use, and names the first changed, removed or reordered row.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "tests/security_routes.hpp"
#include "tests/security_test_environment.hpp"
#include "tests/support/accounts.hpp"

namespace bulwark::securitytest {
namespace {

using testsupport::HttpResult;
namespace json = boost::json;

class AuditTrailTest : public WorldTest {};

TEST_P(AuditTrailTest, EveryAnswerWithPersonalDataHasItsAuditRow) {
    std::string error;
    std::vector<DeclaredRoute> routes = DeclaredRoutes(world(), &error);
    ASSERT_FALSE(routes.empty()) << error;
    int checked = 0;
    for (const DeclaredRoute& route : routes) {
        if (!route.personal_data) continue;
        const RouteCase* c = FindRouteCase(route.key());
        if (c == nullptr) continue;  // SecurityMatrixTest names it
        EXPECT_FALSE(route.audit_event.empty())
            << route.key() << " returns personal data but declares no audit event";
        for (const std::string& role : testsupport::SecurityRoles()) {
            if (!world().Permissions(role).count(route.permission)) continue;
            auto special = c->ok_for.find(role);
            if (special != c->ok_for.end() && special->second >= 300) continue;
            CallContext ctx(world(), role, Variant::kIn);
            Call call = BuildCall(route, *c, ctx);
            HttpResult r = world().As(role).Send(call.method, call.target, call.body, call.headers);
            const std::string what = call.method + " " + call.target + " as " + role;
            ASSERT_LT(r.status, 300) << what << ": " << r.body;
            const std::string request_id = r.Header("x-request-id");
            ASSERT_FALSE(request_id.empty()) << what;

            // The subject: the object in the path (a person, a tube), else the one the answer
            // names by its id (a person just registered).
            std::string subject;
            for (const auto& [param, kind] : c->params) subject = world().InFor(role, kind);
            // A tube named by its barcode is audited under its id.
            if (!subject.empty() && subject.find_first_not_of("0123456789") != std::string::npos) {
                auto tube = world().Query("SELECT id FROM tubes WHERE barcode = ?", {subject});
                subject = tube.ok() && !tube->empty() ? std::to_string((*tube)[0].Int(0)) : subject;
            }
            boost::system::error_code ec;
            json::value body = json::parse(r.body, ec);
            if (subject.empty() && !ec && body.is_object() && body.as_object().contains("id")) {
                subject = std::to_string(body.at("id").as_int64());
            }
            auto rows = world().Query(
                "SELECT action, subject_kind, subject_id, user_id FROM audit_log "
                "WHERE request_id = ?",
                {request_id});
            ASSERT_TRUE(rows.ok()) << rows.error().message;
            bool found = false;
            std::string seen;
            for (const db::Row& row : *rows) {
                seen += " " + row.Text(0) + "/" + row.Text(1) + ":" + std::to_string(row.Int(2));
                if (row.Text(0) != route.audit_event) continue;
                if (!subject.empty() &&
                    (row.Text(1).empty() || std::to_string(row.Int(2)) != subject)) {
                    continue;
                }
                found = true;
            }
            EXPECT_TRUE(found) << what << " (request " << request_id << ") has no audit row "
                               << route.audit_event << (subject.empty() ? "" : " about " + subject)
                               << "; rows of that request:" << seen;
            ++checked;
        }
    }
    EXPECT_GE(checked, 8);
}

// The world's log, written by the running server and the commands, verifies under its key.
TEST_P(AuditTrailTest, TheLogOfRealUseVerifies) {
    const std::string key = world().data_dir() + "/keys/audit.key";
    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0) << key << " was not created at first start";
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    int status = -1;
    std::string out = world().Cli("audit verify", &status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("审计日志完整"), std::string::npos) << out;
}

// A data folder and database of its own (the world's log must stay intact), with a few audit
// rows written by `bulwark user add`, then changed behind the application's back.
class AuditTamperTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        data_dir_ = testsupport::MakeTempDir("bulwark-audit-tamper");
        if (GetParam() == "postgres") {
            if (testsupport::TestPostgresUrl().empty()) GTEST_SKIP() << "BULWARK_TEST_PG not set";
            db_url_ = testsupport::CreateTestPostgresDatabase();
            ASSERT_FALSE(db_url_.empty());
        }
        for (int i = 0; i < 6; ++i) {
            std::string out;
            ASSERT_TRUE(testsupport::AddUser(data_dir_, db_url_, "user" + std::to_string(i),
                                             "Tamper-Test-Pass-2024!", "staff", "community:1",
                                             &out))
                << out;
        }
        auto opened =
            db::Open({.url = db_url_.empty() ? "sqlite:" + data_dir_ + "/bulwark.db" : db_url_,
                      .readers = 1,
                      .writers = 1});
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        db_ = std::move(*opened);
        // The longest chain (each command writes one row, on whichever writer connection).
        auto chain = db_->ReadValue([](db::Session& s) {
            return s.QueryOne(
                "SELECT chain FROM audit_log GROUP BY chain ORDER BY COUNT(*) DESC, chain LIMIT 1");
        });
        ASSERT_TRUE(chain.ok() && *chain);
        auto rows = db_->ReadValue([&](db::Session& s) {
            return s.Query("SELECT id, username FROM audit_log WHERE chain = ? ORDER BY seq",
                           {(**chain).Int(0)});
        });
        ASSERT_TRUE(rows.ok());
        for (const db::Row& row : *rows) {
            ids_.push_back(row.Int(0));
            usernames_.push_back(row.Text(1));
        }
        // Six rows on at most four writer connections (PostgreSQL): some chain has two.
        ASSERT_GE(ids_.size(), 2u);
        // Whoever can write to the database can drop the triggers that refuse changes.
        Tamper(db_->dialect() == db::Dialect::kPostgres
                   ? std::vector<std::string>{"DROP TRIGGER audit_log_append_only ON audit_log"}
                   : std::vector<std::string>{"DROP TRIGGER audit_log_no_update",
                                              "DROP TRIGGER audit_log_no_delete"});
    }

    void TearDown() override {
        if (db_) db_->Close();
        std::filesystem::remove_all(data_dir_);
    }

    void Tamper(const std::vector<std::string>& statements) {
        Status s = db_->Write([&](db::Session& session) -> Status {
            for (const std::string& sql : statements) RETURN_IF_ERROR(session.Exec(sql));
            return Ok();
        });
        ASSERT_TRUE(s.ok()) << s.error().message;
    }

    // Runs `bulwark audit verify`; returns its output and exit code.
    std::pair<std::string, int> Verify() {
        std::string cmd = testsupport::BulwarkBinary() + " --log-level warn --data '" + data_dir_ +
                          "'" + (db_url_.empty() ? "" : " --db '" + db_url_ + "'") +
                          " audit verify 2>&1";
        std::string out;
        FILE* pipe = ::popen(cmd.c_str(), "r");
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
        int status = ::pclose(pipe);
        return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
    }

    // Expects verify to exit 1 naming row `id` with `what`.
    void ExpectProblem(int64_t id, const std::string& what) {
        auto [out, code] = Verify();
        EXPECT_EQ(code, 1) << out;
        EXPECT_NE(out.find("id 为 " + std::to_string(id) + " 的行"), std::string::npos) << out;
        EXPECT_NE(out.find("[" + what + "]"), std::string::npos) << out;
    }

    std::string Id(size_t i) const { return std::to_string(ids_[i]); }

    std::string data_dir_;
    std::string db_url_;
    std::unique_ptr<db::Database> db_;
    std::vector<int64_t> ids_;
    std::vector<std::string> usernames_;
};

TEST_P(AuditTamperTest, ChangedRemovedAndReorderedRowsAreNamed) {
    auto [intact, code] = Verify();
    ASSERT_EQ(code, 0) << intact;

    Tamper({"UPDATE audit_log SET username = 'someone-else' WHERE id = " + Id(1)});
    ExpectProblem(ids_[1], "changed");
    Tamper({"UPDATE audit_log SET username = '" + usernames_[1] + "' WHERE id = " + Id(1)});
    EXPECT_EQ(Verify().second, 0) << "restored";

    // The chain's first two rows (seq 1 and 2) trade places, each keeping content and hashes.
    auto set_seq = [&](size_t row, int seq) {
        return "UPDATE audit_log SET seq = " + std::to_string(seq) + " WHERE id = " + Id(row);
    };
    Tamper({set_seq(0, -1), set_seq(1, 1), set_seq(0, 2)});
    ExpectProblem(ids_[1], "reordered");
    Tamper({set_seq(1, -1), set_seq(0, 1), set_seq(1, 2)});
    EXPECT_EQ(Verify().second, 0) << "put back";

    Tamper({"DELETE FROM audit_log WHERE id = " + Id(0)});
    ExpectProblem(ids_[1], "removed");
}

// The chain is keyed: under another key file nothing verifies, and without the key file the
// log cannot be checked at all.
TEST_P(AuditTamperTest, VerifyNeedsTheKeyThatWroteTheLog) {
    const std::string key = data_dir_ + "/keys/audit.key";
    const std::string saved = key + ".saved";
    std::filesystem::rename(key, saved);
    auto [missing, code] = Verify();
    EXPECT_EQ(code, 2) << missing;
    EXPECT_NE(missing.find("audit.key"), std::string::npos) << missing;
    // Verify made a new key file (as every command does at first start): a different key,
    // under which the first row of every chain fails; the earliest is named.
    ASSERT_TRUE(std::filesystem::exists(key));
    auto first =
        db_->ReadValue([](db::Session& s) { return s.QueryOne("SELECT MIN(id) FROM audit_log"); });
    ASSERT_TRUE(first.ok() && *first);
    ExpectProblem((**first).Int(0), "changed");
    auto [hint, ignored] = Verify();
    EXPECT_NE(hint.find("audit.key"), std::string::npos) << "the message suspects the key";
    std::filesystem::rename(saved, key);
    EXPECT_EQ(Verify().second, 0);
}

INSTANTIATE_TEST_SUITE_P(Drivers, AuditTrailTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Drivers, AuditTamperTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark::securitytest
