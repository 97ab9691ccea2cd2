// kill -9 during a scan load: every acknowledged scan is stored exactly once, and retries after
// the restart never count anyone twice. The real server on port 0, on each database driver.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "db/database.hpp"
#include "tests/support/accounts.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

namespace bulwark {
namespace {

using testsupport::HttpClient;
using testsupport::HttpResult;
using testsupport::ServerProcess;
namespace json = boost::json;

constexpr const char* kPassword = "Sampling-Crash-Pass-2024!";
constexpr int kScanners = 8;
constexpr int64_t kHour = 3600LL * 1000;

int64_t NowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

json::value Parse(const std::string& body) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    return ec ? json::value() : v;
}

std::string RunCli(const std::string& args, int* status) {
    std::string cmd = testsupport::BulwarkBinary() + " --log-level warn " + args + " 2>&1";
    std::string out;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    *status = ::pclose(pipe);
    return out;
}

// One scan the load sent: its key and body, and whether the server acknowledged it (201).
struct SentScan {
    std::string key;
    std::string body;
    int64_t resident_id = 0;
};

class SamplingCrashTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        data_dir_ = testsupport::MakeTempDir("bulwark-sampling-crash");
        if (GetParam() == "postgres") {
            if (testsupport::TestPostgresUrl().empty()) GTEST_SKIP() << "BULWARK_TEST_PG not set";
            db_url_ = testsupport::CreateTestPostgresDatabase();
            ASSERT_FALSE(db_url_.empty()) << "could not create a test database";
        }
    }

    std::string DbArgs() const {
        return "--data '" + data_dir_ + "'" + (db_url_.empty() ? "" : " --db '" + db_url_ + "'");
    }

    std::unique_ptr<db::Database> OpenDirect() {
        auto opened =
            db::Open({.url = db_url_.empty() ? "sqlite:" + data_dir_ + "/bulwark.db" : db_url_});
        EXPECT_TRUE(opened.ok()) << opened.error().message;
        return opened.ok() ? std::move(*opened) : nullptr;
    }

    std::unique_ptr<ServerProcess> StartServer() {
        auto server = std::make_unique<ServerProcess>(data_dir_, db_url_);
        EXPECT_TRUE(server->Start()) << server->output();
        return server;
    }

    std::string data_dir_;
    std::string db_url_;
};

TEST_P(SamplingCrashTest, AcknowledgedScansSurviveKillDashNineExactlyOnce) {
    int status = -1;
    std::string out = RunCli(DbArgs() + " demo", &status);
    ASSERT_EQ(status, 0) << out;
    ASSERT_TRUE(
        testsupport::AddUser(data_dir_, db_url_, "leader", kPassword, "administrator", "street:1"));

    // The demo community's residents and their code tokens, as printed cards carry them.
    int64_t community = 0;
    std::vector<std::pair<int64_t, std::string>> people;
    {
        auto db = OpenDirect();
        ASSERT_TRUE(db);
        auto rows = db->ReadValue([](db::Session& s) {
            return s.Query(
                "SELECT id, code_token, community_id FROM residents ORDER BY id LIMIT 4000");
        });
        ASSERT_TRUE(rows.ok()) << rows.error().message;
        for (const db::Row& r : *rows) people.emplace_back(r.Int(0), r.Text(1));
        ASSERT_FALSE(rows->empty());
        community = (*rows)[0].Int(2);
        db->Close();
    }

    auto server = StartServer();
    HttpClient admin(server->port());
    ASSERT_FALSE(testsupport::LogIn(admin, "leader", kPassword).empty());
    json::array tables;
    for (int t = 0; t < kScanners; ++t) {
        tables.push_back(json::object{{"name", std::to_string(t + 1) + "号台"}});
    }
    auto site = admin.PostJson(
        "/api/v1/sites",
        json::serialize(json::object{
            {"community_id", community}, {"name", "压力测试采样点"}, {"tables", tables}}));
    ASSERT_EQ(site.status, 201) << site.body;
    const json::value created = Parse(site.body);
    const int64_t site_id = created.at("id").as_int64();
    std::vector<int64_t> table_ids;
    for (const json::value& t : created.at("tables").as_array()) {
        table_ids.push_back(t.at("id").as_int64());
    }
    const int64_t now = NowMillis();
    auto round =
        admin.PostJson("/api/v1/rounds",
                       json::serialize(json::object{{"community_id", community},
                                                    {"name", "断电演练"},
                                                    {"kind", "whole"},
                                                    {"scope", json::object{{"kind", "community"}}},
                                                    {"starts_at", now - kHour},
                                                    {"ends_at", now + kHour},
                                                    {"pool_size", 20},
                                                    {"site_ids", json::array{site_id}}}));
    ASSERT_EQ(round.status, 201) << round.body;
    const int64_t round_id = Parse(round.body).at("id").as_int64();
    ASSERT_TRUE(testsupport::AddUser(data_dir_, db_url_, "scanner", kPassword, "scanner",
                                     "site:" + std::to_string(site_id)));

    // Each scanner works its own table and its own slice of people, opening a new tube
    // whenever the last one closed by itself.
    std::mutex mu;
    std::map<std::string, SentScan> acked;
    std::vector<SentScan> in_flight;
    std::string first_failure;  // why a scanner stopped, for the failure message
    auto failed = [&](const std::string& what) {
        std::lock_guard lock(mu);
        if (first_failure.empty()) first_failure = what;
    };
    std::atomic<bool> stop{false};
    std::atomic<int> count{0};
    std::atomic<int> running{kScanners};
    const unsigned short port = server->port();
    std::vector<std::thread> scanners;
    for (int t = 0; t < kScanners; ++t) {
        scanners.emplace_back([&, t] {
            struct Done {
                std::atomic<int>& n;
                ~Done() { --n; }
            } done{running};
            HttpClient client(port);
            if (testsupport::LogIn(client, "scanner", kPassword).empty()) {
                failed("login failed");
                return;
            }
            int tube_no = 0;
            std::string tube;
            for (size_t i = static_cast<size_t>(t); i < people.size() && !stop; i += kScanners) {
                if (tube.empty()) {
                    tube = "K" + std::to_string(t) + "-" + std::to_string(++tube_no);
                    auto opened = client.PostJson(
                        "/api/v1/sampling/tubes",
                        json::serialize(json::object{{"key", "open-" + tube + "-000000000"},
                                                     {"round_id", round_id},
                                                     {"site_id", site_id},
                                                     {"table_id", table_ids[t]},
                                                     {"barcode", tube}}));
                    if (opened.status != 201) {
                        failed("open tube: " + std::to_string(opened.status) + " " + opened.body);
                        break;
                    }
                }
                SentScan scan{
                    .key = "scan-" + std::to_string(t) + "-" + std::to_string(i) + "-0000000000",
                    .resident_id = people[i].first};
                scan.body = json::serialize(json::object{
                    {"key", scan.key}, {"tube_barcode", tube}, {"code", people[i].second}});
                HttpResult r = client.PostJson("/api/v1/sampling/scans", scan.body);
                if (r.status != 201) {
                    failed("scan: " + std::to_string(r.status) + " " + r.body);
                    std::lock_guard lock(mu);
                    in_flight.push_back(scan);
                    break;  // the server is gone (or refused): stop this scanner
                }
                if (Parse(r.body).at("tube").at("status").as_string() == "closed") tube.clear();
                std::lock_guard lock(mu);
                acked[scan.key] = scan;
                ++count;
            }
        });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (count < 400 && running > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    server->Kill();  // kill -9 while scans are in flight
    stop = true;
    for (auto& s : scanners) s.join();
    ASSERT_GE(acked.size(), 400u) << first_failure;

    // After the restart, the phones send what they never got an answer for, and also retry
    // some acknowledged ones: the stored answers come back, nothing is counted twice.
    auto restarted = StartServer();
    {
        HttpClient client(restarted->port());
        ASSERT_FALSE(testsupport::LogIn(client, "scanner", kPassword).empty());
        for (const SentScan& scan : in_flight) {
            HttpResult r = client.PostJson("/api/v1/sampling/scans", scan.body);
            EXPECT_TRUE(r.status == 201 || r.status == 422 || r.status == 404) << r.body;
        }
        int retried = 0;
        for (const auto& [key, scan] : acked) {
            if (++retried > 50) break;
            HttpResult r = client.PostJson("/api/v1/sampling/scans", scan.body);
            EXPECT_EQ(r.status, 201) << "a retry of an acknowledged scan: " << r.body;
        }
    }
    restarted->Stop();

    auto db = OpenDirect();
    ASSERT_TRUE(db);
    auto rows = db->ReadValue([](db::Session& s) {
        return s.Query("SELECT resident_id, COUNT(*) FROM samples GROUP BY resident_id");
    });
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    std::set<int64_t> stored;
    for (const db::Row& row : *rows) {
        EXPECT_EQ(row.Int(1), 1) << "resident " << row.Int(0) << " sampled twice";
        stored.insert(row.Int(0));
    }
    for (const auto& [key, scan] : acked) {
        EXPECT_TRUE(stored.count(scan.resident_id)) << "acknowledged but lost: " << key;
    }
    // The live counters and the tubes agree with the samples, after the crash too.
    auto check = db->ReadValue([](db::Session& s) -> Result<std::vector<int64_t>> {
        std::vector<int64_t> v;
        for (const char* sql : {"SELECT COUNT(*) FROM samples",
                                "SELECT COALESCE(SUM(samples), 0) FROM sampling_counters",
                                "SELECT COALESCE(SUM(filled), 0) FROM tubes",
                                "SELECT COUNT(*) FROM sampling_requests WHERE kind = 'scan' "
                                "AND status = 201",
                                "SELECT COUNT(*) FROM audit_log WHERE action = 'sampling.scan' "
                                "AND detail LIKE '%sample_id%'"}) {
            ASSIGN_OR_RETURN(auto row, s.QueryOne(sql));
            v.push_back(row ? row->Int(0) : -1);
        }
        return v;
    });
    ASSERT_TRUE(check.ok()) << check.error().message;
    EXPECT_EQ((*check)[0], static_cast<int64_t>(stored.size()));
    EXPECT_EQ((*check)[1], (*check)[0]) << "live counters";
    EXPECT_EQ((*check)[2], (*check)[0]) << "tube counts";
    EXPECT_EQ((*check)[3], (*check)[0]) << "stored answers";
    EXPECT_EQ((*check)[4], (*check)[0]) << "audit rows of accepted scans";
    db->Close();
}

INSTANTIATE_TEST_SUITE_P(Drivers, SamplingCrashTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark
