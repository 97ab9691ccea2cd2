// Scans applied together (SamplingService::ScansTogether): the answers and rows are those of the
// same scans applied one at a time, on both drivers.
#include "testing/sampling_service.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "auth/account_store.hpp"
#include "auth/audit_key.hpp"
#include "auth/audit_log.hpp"
#include "auth/personal_data.hpp"
#include "db/testing/migrated_database.hpp"
#include "registry/registry_store.hpp"
#include "registry/sampling_access.hpp"
#include "registry/sealing.hpp"
#include "testing/round_store.hpp"
#include "testing/site_store.hpp"
#include "testing/testing_schema.hpp"

namespace bulwark::testing {
namespace {

namespace json = boost::json;

constexpr int64_t kStart = 1'717'200'000'000;  // 2024-06-01 08:00 China time
constexpr int64_t kHour = 3'600'000;

// A community with ten residents, a site with two tables and an open round (pool size 3), on a
// fresh database with one writer (so that what is queued behind a blocked write is one batch).
// Parameter: "sqlite" or "postgres".
class ScansTogetherTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (auto skip = db::testing::MigratedDatabase::SkipReason(GetParam()))
            GTEST_SKIP() << *skip;
        auto database = db::testing::MigratedDatabase::Create(
            GetParam(), "bulwark_scans",
            {auth::AuditLog::Migrations(), auth::AccountMigrations(),
             registry::RegistryStore::Migrations(), Migrations()},
            {.writers = 1});
        ASSERT_TRUE(database.ok()) << database.error().message;
        database_ = std::move(*database);
        db_ = &database_->db();
        auth::AuditLog::UseKey(audit_key_);
        BuildCommunity();
        access_ = std::make_shared<registry::SamplingAccess>(*cipher_, clock_);
        service_ = std::make_unique<SamplingService>(*db_, clock_, access_);
        scanner_.user_id = 7;
        scanner_.username = "scanner";
        scanner_.grants.push_back(
            {{auth::Role::kScanner, {auth::ScopeKind::kCommunity, community_}}, {"sampling.scan"}});
    }

    void TearDown() override {
        service_.reset();
        database_.reset();
    }

    void BuildCommunity() {
        Status built = db_->Write([&](db::Session& s) -> Status {
            ASSIGN_OR_RETURN(auto street, registry::RegistryStore::InsertStreet(
                                              s, {.name = "街道", .district = "区"}, kStart));
            ASSIGN_OR_RETURN(auto c, registry::RegistryStore::InsertCommunity(
                                         s, {.street_id = street.id, .name = "雅仕居"}, kStart));
            community_ = c.id;
            ASSIGN_OR_RETURN(auto grid, registry::RegistryStore::InsertGrid(
                                            s, {.community_id = c.id, .name = "第1网格"}, kStart));
            ASSIGN_OR_RETURN(auto b,
                             registry::RegistryStore::InsertBuilding(s,
                                                                     {.street_id = street.id,
                                                                      .community_id = c.id,
                                                                      .grid_id = grid.id,
                                                                      .name = "3栋"},
                                                                     kStart));
            for (int i = 0; i < 10; ++i) {
                const std::string room = std::to_string(101 + i);
                ASSIGN_OR_RETURN(
                    auto h,
                    registry::RegistryStore::FindOrCreateHousehold(
                        s, {.building_id = b.id, .unit = "1单元", .room = room, .floor = 1}));
                registry::Resident r;
                r.household_id = h.id;
                r.building_id = b.id;
                r.grid_id = grid.id;
                r.community_id = c.id;
                r.street_id = street.id;
                r.name = "居民" + std::to_string(i);
                r.code_token = registry::NewCodeToken();
                r.created_at = r.updated_at = kStart - 100 * kHour;
                ASSIGN_OR_RETURN(int64_t id, registry::RegistryStore::InsertResident(s, r));
                residents_.push_back(id);
                codes_.push_back(r.code_token);
            }
            Site site{.street_id = street.id,
                      .community_id = c.id,
                      .name = "雅仕居采样点",
                      .tables = {{.name = "1号台"}, {.name = "2号台"}},
                      .created_at = kStart,
                      .updated_at = kStart};
            ASSIGN_OR_RETURN(auto site_id, SiteStore::InsertSite(s, site));
            site_ = site_id.value_or(0);
            ASSIGN_OR_RETURN(auto stored, SiteStore::GetSite(s, site_));
            if (!stored || stored->tables.size() != 2) return Internal("site not stored");
            tables_ = {stored->tables[0].id, stored->tables[1].id};
            Round r{.street_id = street.id,
                    .community_id = c.id,
                    .name = "第1轮",
                    .starts_at = kStart - kHour,
                    .ends_at = kStart + 12 * kHour,
                    .pool_size = 3,
                    .site_ids = {site_},
                    .created_at = kStart,
                    .updated_at = kStart};
            ASSIGN_OR_RETURN(round_, RoundStore::Insert(s, r));
            return Ok();
        });
        ASSERT_TRUE(built.ok()) << built.error().message;
    }

    Answer OpenTube(const std::string& barcode, int table) {
        auto a = service_->OpenTube(scanner_, {.key = "open-" + barcode,
                                               .round_id = round_,
                                               .site_id = site_,
                                               .table_id = tables_[table],
                                               .barcode = barcode});
        EXPECT_TRUE(a.ok() && a->status == 201) << (a.ok() ? a->body : a.error().message);
        return a.ok() ? *a : Answer{};
    }

    // The scans of `sent`, queued while the writer is busy with a write that waits, so that they
    // reach the writer as one batch; their answers, in order.
    std::vector<Answer> QueueTogether(const std::vector<ScanRequest>& sent) {
        return QueueMixed({sent.begin(), sent.end()});
    }
    using Queued = std::variant<ScanRequest, OpenTubeRequest>;
    std::vector<Answer> QueueMixed(const std::vector<Queued>& sent) {
        std::promise<void> release;
        std::shared_future<void> released = release.get_future().share();
        std::promise<void> blocking;
        db_->WriteAsync(
            [&](db::Session&) -> Status {
                blocking.set_value();
                released.wait();
                return Ok();
            },
            [](Status) {});
        blocking.get_future().wait();
        std::mutex mu;
        std::condition_variable cv;
        std::vector<std::optional<Result<Answer>>> answers(sent.size());
        size_t answered = 0;
        for (size_t i = 0; i < sent.size(); ++i) {
            auto done = [&, i](Result<Answer> a) {
                std::lock_guard lock(mu);
                answers[i] = std::move(a);
                ++answered;
                cv.notify_all();
            };
            if (const auto* scan = std::get_if<ScanRequest>(&sent[i])) {
                service_->ScanAsync(scanner_, *scan, done);
            } else {
                service_->OpenTubeAsync(scanner_, std::get<OpenTubeRequest>(sent[i]), done);
            }
        }
        release.set_value();
        std::unique_lock lock(mu);
        EXPECT_TRUE(
            cv.wait_for(lock, std::chrono::seconds(30), [&] { return answered == sent.size(); }));
        std::vector<Answer> out;
        for (auto& a : answers) {
            EXPECT_TRUE(a && a->ok()) << (a && !a->ok() ? a->error().message : "no answer");
            out.push_back(a && a->ok() ? **a : Answer{});
        }
        return out;
    }

    OpenTubeRequest Open(const std::string& barcode, int table) {
        return {.key = "open-" + barcode,
                .round_id = round_,
                .site_id = site_,
                .table_id = tables_[static_cast<size_t>(table)],
                .barcode = barcode};
    }

    // Tube openings queued between scans: written with them, before them (a scan finds a tube
    // opened beside it), each answered as it would be alone; a refused one hands the group back.
    void RunOpeningsWithScans(bool together) {
        service_->WriteScansTogether(together);
        OpenTube("T0001", 0);
        LearnAuditChain();
        const std::vector<Queued> sent = {
            Scan("T0001", 0, "k0"),
            Open("T0002", 1),
            Scan("T0002", 1, "k1"),  // into the tube opened in this batch
            Scan("T0001", 2, "k2"),
        };
        const std::vector<Answer> a = QueueMixed(sent);
        ASSERT_EQ(a.size(), 4u);
        for (const Answer& x : a) EXPECT_EQ(x.status, 201) << x.body;
        json::value opened = json::parse(a[1].body);
        EXPECT_EQ(opened.at("barcode").as_string(), "T0002");
        EXPECT_EQ(opened.at("status").as_string(), "open");
        EXPECT_EQ(opened.at("count").as_int64(), 0);
        EXPECT_EQ(Tube(a[2]).at("barcode").as_string(), "T0002");
        EXPECT_EQ(Tube(a[2]).at("count").as_int64(), 1);
        EXPECT_EQ(Tube(a[3]).at("count").as_int64(), 2);
        EXPECT_EQ(service_->ScansWrittenTogether(), together ? 3 : 0);
        EXPECT_EQ(One("SELECT SUM(tubes_opened) FROM sampling_counters"), 2);
        EXPECT_EQ(One("SELECT SUM(samples) FROM sampling_counters"), 3);
        EXPECT_EQ(One("SELECT COUNT(*) FROM sampling_requests WHERE kind = 'open_tube'"), 2);

        // A retry of the opening with a scan: its barcode is taken (by itself), so the group is
        // handed back, and alone it gets its first answer back, word for word.
        const std::vector<Answer> again = QueueMixed({Open("T0002", 1), Scan("T0002", 3, "k3")});
        EXPECT_EQ(again[0].status, 201);
        EXPECT_EQ(again[0].body, a[1].body);
        EXPECT_EQ(again[1].status, 201) << again[1].body;
        EXPECT_EQ(Tube(again[1]).at("count").as_int64(), 2);
        EXPECT_EQ(service_->ScansWrittenTogether(), together ? 3 : 0);
        // A refused opening (its table still has an open tube) between scans: each gets its own
        // answer, in queue order.
        const std::vector<Answer> refused =
            QueueMixed({Scan("T0001", 4, "k4"), Open("T0003", 1), Scan("T0002", 5, "k5")});
        EXPECT_EQ(refused[0].status, 201) << refused[0].body;
        EXPECT_EQ(Tube(refused[0]).at("status").as_string(), "closed");
        EXPECT_EQ(refused[1].status, 422) << refused[1].body;
        EXPECT_EQ(Code(refused[1]), "table_has_open_tube");
        EXPECT_EQ(refused[2].status, 201) << refused[2].body;
        EXPECT_EQ(Tube(refused[2]).at("status").as_string(), "closed");
        EXPECT_EQ(service_->ScansWrittenTogether(), together ? 3 : 0);
        EXPECT_EQ(One("SELECT COUNT(*) FROM tubes"), 2);
        EXPECT_EQ(One("SELECT SUM(tubes_opened) FROM sampling_counters"), 2);
        EXPECT_EQ(One("SELECT COUNT(*) FROM samples"), 6);
        ExpectAuditChainIntact();
    }

    // Where the audit chain is, this process learns by an append alone (its hint is per process,
    // and another test's database may have left one): else a group's first append would find
    // the hint stale and hand the group back.
    void LearnAuditChain() {
        Status learnt = db_->Write([&](db::Session& s) {
            auth::AuditEntry e = auth::AuditLog::For(scanner_, "test.chain");
            e.at = kStart;
            return auth::AuditLog::Append(s, e);
        });
        ASSERT_TRUE(learnt.ok()) << learnt.error().message;
    }

    // Several openings in one group: read in one batch and written in one statement, each
    // answered as it would be alone; two at one table hand the group back, and one at a time
    // the second is refused.
    void RunOpeningsTogether(bool together) {
        service_->WriteScansTogether(together);
        LearnAuditChain();
        const std::vector<Answer> a = QueueMixed(
            {Open("T0001", 0), Open("T0002", 1), Scan("T0001", 0, "k0"), Scan("T0002", 1, "k1")});
        ASSERT_EQ(a.size(), 4u);
        for (const Answer& x : a) EXPECT_EQ(x.status, 201) << x.body;
        EXPECT_EQ(json::parse(a[0].body).at("barcode").as_string(), "T0001");
        EXPECT_EQ(json::parse(a[1].body).at("barcode").as_string(), "T0002");
        EXPECT_EQ(json::parse(a[1].body).at("table_id").as_int64(), tables_[1]);
        EXPECT_EQ(Tube(a[2]).at("barcode").as_string(), "T0001");
        EXPECT_EQ(Tube(a[3]).at("barcode").as_string(), "T0002");
        EXPECT_EQ(service_->ScansWrittenTogether(), together ? 2 : 0);
        EXPECT_EQ(One("SELECT SUM(tubes_opened) FROM sampling_counters"), 2);

        // Both tubes fill (three each) and close.
        const std::vector<Answer> filled =
            QueueTogether({Scan("T0001", 2, "k2"), Scan("T0001", 3, "k3"), Scan("T0002", 4, "k4"),
                           Scan("T0002", 5, "k5")});
        EXPECT_EQ(Tube(filled[1]).at("status").as_string(), "closed") << filled[1].body;
        EXPECT_EQ(Tube(filled[3]).at("status").as_string(), "closed") << filled[3].body;
        EXPECT_EQ(service_->ScansWrittenTogether(), together ? 6 : 0);

        const std::vector<Answer> b = QueueMixed(
            {Open("T0003", 0), Open("T0004", 0), Open("T0005", 1), Scan("T0003", 6, "k6")});
        EXPECT_EQ(b[0].status, 201) << b[0].body;
        EXPECT_EQ(b[1].status, 422) << b[1].body;
        EXPECT_EQ(Code(b[1]), "table_has_open_tube");
        EXPECT_EQ(b[2].status, 201) << b[2].body;
        EXPECT_EQ(b[3].status, 201) << b[3].body;
        EXPECT_EQ(Tube(b[3]).at("barcode").as_string(), "T0003");
        EXPECT_EQ(service_->ScansWrittenTogether(), together ? 6 : 0);
        EXPECT_EQ(One("SELECT COUNT(*) FROM tubes"), 4);
        EXPECT_EQ(One("SELECT COUNT(*) FROM tubes WHERE barcode = 'T0004'"), 0);
        EXPECT_EQ(One("SELECT SUM(tubes_opened) FROM sampling_counters"), 4);
        EXPECT_EQ(One("SELECT COUNT(*) FROM samples"), 7);
        ExpectAuditChainIntact();
    }

    ScanRequest Scan(const std::string& tube, int resident, const std::string& key) {
        return {.key = key, .tube_barcode = tube, .code = codes_[static_cast<size_t>(resident)]};
    }

    static std::string Code(const Answer& a) {
        json::value v = json::parse(a.body);
        if (const json::value* e = v.as_object().if_contains("error")) {
            return std::string(e->at("code").as_string());
        }
        return "";
    }
    static json::value Tube(const Answer& a) { return json::parse(a.body).at("tube"); }

    int64_t One(const std::string& sql, const db::Params& params = {}) {
        auto row = db_->ReadValue([&](db::Session& s) { return s.QueryOne(sql, params); });
        EXPECT_TRUE(row.ok()) << row.error().message;
        return row.ok() && *row ? (**row).Int(0) : -1;
    }

    // Everything a mixed batch can meet, in one batch: a tube that fills and closes, a scan
    // after it closed, a person sampled earlier in the batch and one sampled before it, an
    // unknown code; then the answers, the rows, the counters and the audit chain.
    void RunMixedBatch(bool together) {
        service_->WriteScansTogether(together);
        OpenTube("T0001", 0);
        OpenTube("T0002", 1);
        // Before the batch: resident 6 in T0002 (one of three).
        auto before = service_->Scan(scanner_, Scan("T0002", 6, "k-before"));
        ASSERT_TRUE(before.ok() && before->status == 201);
        const std::vector<ScanRequest> sent = {
            Scan("T0001", 0, "k0"),
            Scan("T0001", 1, "k1"),
            Scan("T0002", 0, "k2"),  // sampled two scans ago, in this batch
            Scan("T0001", 2, "k3"),  // the third: T0001 closes
            Scan("T0001", 3, "k4"),  // T0001 is full
            Scan("T0002", 6, "k5"),  // sampled before the batch
            {.key = "k6", .tube_barcode = "T0002", .code = "no-such-code-000000000000"},
            Scan("T0002", 4, "k7"),
            Scan("T0002", 5, "k8"),  // the third in T0002: it closes
        };
        const std::vector<Answer> a = QueueTogether(sent);
        ASSERT_EQ(a.size(), 9u);
        for (size_t i : {0u, 1u, 3u, 7u, 8u}) EXPECT_EQ(a[i].status, 201) << i << a[i].body;
        EXPECT_EQ(Tube(a[0]).at("count").as_int64(), 1);
        EXPECT_EQ(Tube(a[1]).at("count").as_int64(), 2);
        EXPECT_EQ(Tube(a[3]).at("count").as_int64(), 3);
        EXPECT_EQ(Tube(a[3]).at("status").as_string(), "closed");
        EXPECT_EQ(Tube(a[7]).at("count").as_int64(), 2);
        EXPECT_EQ(Tube(a[8]).at("status").as_string(), "closed");
        EXPECT_EQ(Code(a[2]), "already_sampled") << a[2].body;
        EXPECT_NE(a[2].body.find("1号台"), std::string::npos) << "where: " << a[2].body;
        EXPECT_EQ(Code(a[4]), "tube_full") << a[4].body;
        EXPECT_EQ(Code(a[5]), "already_sampled") << a[5].body;
        EXPECT_NE(a[5].body.find("2号台"), std::string::npos) << "where: " << a[5].body;
        EXPECT_EQ(Code(a[6]), "not_found") << a[6].body;
        EXPECT_EQ(service_->ScansWrittenTogether(), together ? 9 : 0);

        // Each answer is stored under its key: a retry gets it back, word for word, whether it
        // comes alone or with others (then the group replays it).
        for (size_t i = 0; i < a.size(); ++i) {
            auto retry = service_->Scan(scanner_, sent[i]);
            ASSERT_TRUE(retry.ok()) << retry.error().message;
            EXPECT_EQ(retry->status, a[i].status) << i;
            EXPECT_EQ(retry->body, a[i].body) << i;
        }
        const std::vector<Answer> retries = QueueTogether(sent);
        for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(retries[i].body, a[i].body) << i;
        EXPECT_EQ(service_->ScansWrittenTogether(), together ? 18 : 0);
        EXPECT_EQ(One("SELECT COUNT(*) FROM samples"), 6);
        EXPECT_EQ(One("SELECT COUNT(*) FROM sampling_requests"), 9 + 1 + 2);
        EXPECT_EQ(One("SELECT filled FROM tubes WHERE barcode = 'T0001'"), 3);
        EXPECT_EQ(One("SELECT filled FROM tubes WHERE barcode = 'T0002'"), 3);
        EXPECT_EQ(One("SELECT COUNT(*) FROM tubes WHERE status = 'closed' AND closed_at > 0"), 2);
        EXPECT_EQ(One("SELECT SUM(samples) FROM sampling_counters"), 6);
        EXPECT_EQ(One("SELECT SUM(tubes_closed) FROM sampling_counters"), 2);
        // An audit row for each person shown: six accepted, two already sampled.
        EXPECT_EQ(One("SELECT COUNT(*) FROM audit_log WHERE action = 'sampling.scan'"), 8);
        EXPECT_EQ(One("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%already_sampled%'"), 2);
        ExpectAuditChainIntact();
    }

    // The audit chain verifies with the test's key.
    void ExpectAuditChainIntact() {
        auto problem =
            db_->ReadValue([&](db::Session& s) { return auth::AuditLog::Verify(s, audit_key_); });
        ASSERT_TRUE(problem.ok()) << problem.error().message;
        EXPECT_FALSE(problem->has_value()) << (*problem)->what << " at " << (*problem)->seq;
    }

    void KeyTwiceInABatch(const std::string& tube, int first);

    FakeClock clock_{kStart};
    auth::AuditKey audit_key_ = auth::AuditKey::ForTesting(3);
    std::unique_ptr<auth::PersonalDataCipher> cipher_ = auth::PersonalDataCipher::ForTesting(9);
    std::unique_ptr<db::testing::MigratedDatabase> database_;
    db::Database* db_ = nullptr;  // database_'s
    std::shared_ptr<registry::SamplingAccess> access_;
    std::unique_ptr<SamplingService> service_;
    auth::Principal scanner_;
    int64_t community_ = 0, site_ = 0, round_ = 0;
    std::vector<int64_t> tables_, residents_;
    std::vector<std::string> codes_;
};

TEST_P(ScansTogetherTest, AMixedBatchTogetherAnswersAsOneAtATime) { RunMixedBatch(true); }

TEST_P(ScansTogetherTest, AMixedBatchOneAtATime) { RunMixedBatch(false); }

TEST_P(ScansTogetherTest, TubeOpeningsBetweenScansAreWrittenWithThem) {
    RunOpeningsWithScans(true);
}

TEST_P(ScansTogetherTest, TubeOpeningsBetweenScansOneAtATime) { RunOpeningsWithScans(false); }

TEST_P(ScansTogetherTest, SeveralTubeOpeningsInOneGroup) { RunOpeningsTogether(true); }

TEST_P(ScansTogetherTest, SeveralTubeOpeningsOneAtATime) { RunOpeningsTogether(false); }

// A key sent twice in one batch (a retry that overtook the first send): the group hands the
// scans back, and one at a time the copy replays the first answer.
TEST_P(ScansTogetherTest, AKeyTwiceInABatchIsAnsweredOnce) { KeyTwiceInABatch("T0001", 0); }

void ScansTogetherTest::KeyTwiceInABatch(const std::string& tube, int first) {
    const int64_t samples = One("SELECT COUNT(*) FROM samples");
    const int64_t audited = One("SELECT COUNT(*) FROM audit_log WHERE action = 'sampling.scan'");
    OpenTube(tube, first == 0 ? 0 : 1);
    const std::vector<Answer> a =
        QueueTogether({Scan(tube, first, "same-" + tube), Scan(tube, first, "same-" + tube),
                       Scan(tube, first + 1, "other-" + tube)});
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].status, 201) << a[0].body;
    EXPECT_EQ(a[1].body, a[0].body);
    EXPECT_EQ(a[2].status, 201) << a[2].body;
    EXPECT_EQ(Tube(a[2]).at("count").as_int64(), 2);
    EXPECT_EQ(service_->ScansWrittenTogether(), 0);
    EXPECT_EQ(One("SELECT COUNT(*) FROM samples"), samples + 2);
    EXPECT_EQ(One("SELECT filled FROM tubes WHERE barcode = ?", {tube}), 2);
    EXPECT_EQ(One("SELECT COUNT(*) FROM audit_log WHERE action = 'sampling.scan'"), audited + 2);
}

// Two servers on one PostgreSQL database scanning into the same tube at once: their groups race
// on the tube's count, then on (round, resident), and whichever loses is handed back and run
// one scan at a time. Every person is sampled once and every swab counted
// once.
TEST_P(ScansTogetherTest, TwoServersRacingOnOneTubeCountEverySwabOnce) {
    if (GetParam() != "postgres") GTEST_SKIP() << "one SQLite file has one server";
    auto opened = db::Open({.url = database_->url(), .writers = 1});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    std::unique_ptr<db::Database> other_db = std::move(*opened);
    SamplingService other(*other_db, clock_, access_);
    auto tube = service_->OpenTube(scanner_, {.key = "open-race",
                                              .round_id = round_,
                                              .site_id = site_,
                                              .table_id = tables_[0],
                                              .barcode = "T0100",
                                              .pool_size = 20});
    ASSERT_TRUE(tube.ok() && tube->status == 201) << (tube.ok() ? tube->body : "");
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Answer> answers;
    for (int round = 0; round < 3; ++round) {
        answers.clear();
        std::vector<std::thread> servers;
        int half = 0;
        for (SamplingService* server : {service_.get(), &other}) {
            // First each server its own five people (the tube's count is what they race on),
            // then both everyone (the samples too).
            servers.emplace_back([&, server, round, half] {
                const int people = round == 0 ? 5 : 10;
                for (int i = 0; i < people; ++i) {
                    const int person = round == 0 ? half * 5 + i : (i + round * 3) % 10;
                    server->ScanAsync(
                        scanner_,
                        Scan("T0100", person,
                             "race-" + std::to_string(round) + "-" +
                                 std::to_string(reinterpret_cast<uintptr_t>(server)) + "-" +
                                 std::to_string(i)),
                        [&](Result<Answer> a) {
                            std::lock_guard lock(mu);
                            answers.push_back(a.ok() ? *a : Answer{500, a.error().message});
                            cv.notify_all();
                        });
                }
            });
            ++half;
        }
        for (std::thread& t : servers) t.join();
        const size_t sent = round == 0 ? 10 : 20;
        std::unique_lock lock(mu);
        ASSERT_TRUE(
            cv.wait_for(lock, std::chrono::seconds(30), [&] { return answers.size() == sent; }));
        if (round == 0) {
            for (const Answer& a : answers) EXPECT_EQ(a.status, 201) << a.body;
        }
    }
    other_db->Close();
    // The last round's answers: everyone was sampled in the first.
    for (const Answer& a : answers) EXPECT_EQ(Code(a), "already_sampled") << a.body;
    EXPECT_EQ(One("SELECT COUNT(*) FROM samples"), 10);
    EXPECT_EQ(One("SELECT COUNT(DISTINCT resident_id) FROM samples"), 10);
    EXPECT_EQ(One("SELECT filled FROM tubes WHERE barcode = 'T0100'"), 10);
    EXPECT_EQ(One("SELECT SUM(samples) FROM sampling_counters"), 10);
    EXPECT_EQ(One("SELECT COUNT(*) FROM sampling_requests WHERE kind = 'scan' AND status = 201"),
              10);
    auto problem =
        db_->ReadValue([&](db::Session& s) { return auth::AuditLog::Verify(s, audit_key_); });
    ASSERT_TRUE(problem.ok()) << problem.error().message;
    EXPECT_FALSE(problem->has_value());
}

// Another server's writer stores a row this group's read could not see yet (its transaction is
// still open): the group's INSERT waits for it, then fails on the unique constraint, and its
// scans are handed back and run one at a time. First the person's sample, then a key.
TEST_P(ScansTogetherTest, ARowAnotherServerHeldHandsTheGroupBack) {
    if (GetParam() != "postgres") GTEST_SKIP() << "one SQLite file has one writer";
    auto opened = db::Open({.url = database_->url(), .writers = 1});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    std::unique_ptr<db::Database> other_db = std::move(*opened);
    OpenTube("T0300", 0);
    const int64_t tube = One("SELECT id FROM tubes WHERE barcode = 'T0300'");
    const int64_t together = service_->ScansWrittenTogether();
    // Runs `insert` in a transaction of the other writer, kept open until a backend waits on a
    // lock (this group's INSERT), while `queue` runs; then commits.
    auto race = [&](const std::string& insert, const db::Params& params, auto queue) {
        std::promise<void> inserted;
        std::thread other([&] {
            bool told = false;
            Status held = other_db->Write([&](db::Session& s) -> Status {
                ASSIGN_OR_RETURN(int64_t rows, s.Exec(insert, params));
                if (rows != 1) return Internal("the held row was not inserted");
                inserted.set_value();
                told = true;
                for (int i = 0; i < 2000; ++i) {
                    if (One("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = "
                            "'Lock' AND datname = current_database()") > 0) {
                        return Ok();
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
                return Internal("no INSERT waited for the held row");
            });
            EXPECT_TRUE(held.ok()) << held.error().message;
            if (!told) inserted.set_value();  // failed: the group runs without a held row
        });
        inserted.get_future().wait();
        auto answers = queue();
        other.join();
        return answers;
    };
    std::vector<Answer> a = race(
        "INSERT INTO samples (round_id, resident_id, tube_id, site_id, table_id, scanned_at, "
        "received_at, scanned_by, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
        {round_, residents_[7], tube, site_, tables_[0], kStart, kStart, scanner_.user_id}, [&] {
            return QueueTogether({Scan("T0300", 7, "held-7"), Scan("T0300", 8, "held-8")});
        });
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(Code(a[0]), "already_sampled") << a[0].body;
    EXPECT_EQ(a[1].status, 201) << a[1].body;
    a = race(
        "INSERT INTO sampling_requests (request_key, user_id, kind, request_hash, status, body, "
        "created_at) VALUES ('held-key', ?, 'scan', ?, 201, '{}', 0)",
        {scanner_.user_id, db::Blob{std::string(16, 'x')}}, [&] {
            return QueueTogether({Scan("T0300", 9, "held-key"), Scan("T0300", 6, "held-6")});
        });
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].status, 422) << a[0].body;
    EXPECT_EQ(Code(a[0]), "idempotency_key_reused");
    EXPECT_EQ(a[1].status, 201) << a[1].body;
    other_db->Close();
    EXPECT_EQ(service_->ScansWrittenTogether(), together);
    EXPECT_EQ(One("SELECT COUNT(*) FROM samples"), 3);
    EXPECT_EQ(One("SELECT COUNT(*) FROM samples WHERE resident_id = ?", {residents_[9]}), 0);
    EXPECT_EQ(One("SELECT filled FROM tubes WHERE id = ?", {tube}), 2);
    EXPECT_EQ(One("SELECT SUM(samples) FROM sampling_counters"), 2);
    EXPECT_EQ(One("SELECT COUNT(*) FROM sampling_requests WHERE kind = 'scan'"), 4);
    ExpectAuditChainIntact();
}

// A group reads its rounds' scope lists and people named by id (no code) in its one batch of
// reads: a grid round keeps everyone of its grid in scope, a building round of another building
// warns for everyone, and a person sampled before, named by id, is found sampled.
TEST_P(ScansTogetherTest, ScopeListsAndPeopleNamedByIdAreReadWithTheGroup) {
    const int64_t grid = One("SELECT grid_id FROM residents WHERE id = ?", {residents_[0]});
    const int64_t street = One("SELECT street_id FROM rounds WHERE id = ?", {round_});
    int64_t grid_round = 0, building_round = 0;
    Status made = db_->Write([&](db::Session& s) -> Status {
        Round r{.street_id = street,
                .community_id = community_,
                .name = "网格轮",
                .scope_kind = RoundScopeKind::kGrids,
                .scope_ids = {grid},
                .starts_at = kStart - kHour,
                .ends_at = kStart + 12 * kHour,
                .pool_size = 5,
                .site_ids = {site_},
                .created_at = kStart,
                .updated_at = kStart};
        ASSIGN_OR_RETURN(grid_round, RoundStore::Insert(s, r));
        r.name = "楼栋轮";
        r.scope_kind = RoundScopeKind::kBuildings;
        r.scope_ids = {999999};
        ASSIGN_OR_RETURN(building_round, RoundStore::Insert(s, r));
        return Ok();
    });
    ASSERT_TRUE(made.ok()) << made.error().message;
    auto open = [&](const std::string& barcode, int64_t round, size_t table) {
        auto opened = service_->OpenTube(scanner_, {.key = "open-" + barcode,
                                                    .round_id = round,
                                                    .site_id = site_,
                                                    .table_id = tables_[table],
                                                    .barcode = barcode});
        ASSERT_TRUE(opened.ok() && opened->status == 201)
            << (opened.ok() ? opened->body : opened.error().message);
    };
    open("G0001", grid_round, 0);
    open("B0001", building_round, 1);
    auto before = service_->Scan(
        scanner_, {.key = "by-id-before", .tube_barcode = "G0001", .resident_id = residents_[2]});
    ASSERT_TRUE(before.ok() && before->status == 201)
        << (before.ok() ? before->body : before.error().message);

    const std::vector<Answer> a = QueueTogether({
        {.key = "g-id", .tube_barcode = "G0001", .resident_id = residents_[2]},
        Scan("G0001", 0, "g-code"),
        Scan("B0001", 1, "b-code"),
        {.key = "b-id", .tube_barcode = "B0001", .resident_id = residents_[3]},
    });
    ASSERT_EQ(a.size(), 4u);
    EXPECT_EQ(service_->ScansWrittenTogether(), 4);
    EXPECT_EQ(Code(a[0]), "already_sampled") << a[0].body;
    EXPECT_EQ(a[1].status, 201) << a[1].body;
    EXPECT_EQ(a[1].body.find("outside_scope"), std::string::npos) << a[1].body;
    for (size_t i : {2u, 3u}) {
        EXPECT_EQ(a[i].status, 201) << i << a[i].body;
        EXPECT_NE(a[i].body.find("outside_scope"), std::string::npos) << i << a[i].body;
    }
    EXPECT_EQ(One("SELECT COUNT(*) FROM samples WHERE round_id = ?", {grid_round}), 2);
    EXPECT_EQ(One("SELECT COUNT(*) FROM samples WHERE round_id = ?", {building_round}), 2);
}

// PostgreSQL: the tubes' pages keep room for the rewrites of their counts (migration testing/3),
// so that most of them leave the tubes' indexes alone; and the keys a scan writes or looks up
// compare byte by byte (testing/4, registry/4, audit/3), not through the language collation.
TEST_P(ScansTogetherTest, PostgresStorageSuitsTheScans) {
    if (GetParam() != "postgres") GTEST_SKIP() << "PostgreSQL storage settings";
    auto text = [&](const std::string& sql) {
        auto row = db_->ReadValue([&](db::Session& s) { return s.QueryOne(sql); });
        EXPECT_TRUE(row.ok()) << row.error().message;
        return row.ok() && *row && !(**row).IsNull(0) ? (**row).Text(0) : std::string("(none)");
    };
    EXPECT_EQ(text("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'tubes'"),
              "fillfactor=50");
    for (const auto& [table, column] : {std::pair{"sampling_requests", "request_key"},
                                        {"residents", "code_token"},
                                        {"audit_log", "action"}}) {
        EXPECT_EQ(text(std::string("SELECT collation_name FROM information_schema.columns WHERE "
                                   "table_name = '") +
                       table + "' AND column_name = '" + column + "'"),
                  "C")
            << table << "." << column;
    }
    // A stored answer has one index, its key's (testing/5).
    EXPECT_EQ(text("SELECT string_agg(indexdef, '; ') FROM pg_indexes WHERE tablename = "
                   "'sampling_requests'"),
              "CREATE UNIQUE INDEX sampling_requests_pkey ON public.sampling_requests USING btree "
              "(request_key)");
}

INSTANTIATE_TEST_SUITE_P(Drivers, ScansTogetherTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark::testing
