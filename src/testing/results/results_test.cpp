// Unit tests of lab results: the pure rules, reading a results file, and the service with the
// pooled-positive procedure on SQLite and (BULWARK_TEST_PG) PostgreSQL.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/account_store.hpp"
#include "auth/audit_log.hpp"
#include "auth/personal_data.hpp"
#include "db/database.hpp"
#include "db/testing/migrated_database.hpp"
#include "registry/registry_service.hpp"
#include "registry/registry_store.hpp"
#include "registry/sampling_access.hpp"
#include "testing/box_store.hpp"
#include "testing/followup/followup_schema.hpp"
#include "testing/results/public_page.hpp"
#include "testing/results/result_file.hpp"
#include "testing/results/results_api.hpp"
#include "testing/round_store.hpp"
#include "testing/sampling_store.hpp"
#include "testing/site_store.hpp"
#include "testing/testing_schema.hpp"

namespace bulwark::testing::results {
namespace {

constexpr int64_t kStart = 1'717'200'000'000;  // 2024-06-01 08:00 China time
constexpr int64_t kMinute = 60'000;

TEST(ResultsModel, WordsTimesAndPercentiles) {
    Outcome o;
    EXPECT_TRUE(ParseOutcome("阴性", &o));
    EXPECT_EQ(o, Outcome::kNegative);
    EXPECT_TRUE(ParseOutcome("Positive", &o));
    EXPECT_EQ(o, Outcome::kPositive);
    EXPECT_TRUE(ParseOutcome("无效", &o));
    EXPECT_EQ(o, Outcome::kInvalid);
    EXPECT_FALSE(ParseOutcome("可疑", &o));

    // China time unless an offset is given; Unix ms as they are.
    EXPECT_EQ(ParseReportedAt("2024-06-01 08:00"), kStart);
    EXPECT_EQ(ParseReportedAt("2024/6/1 08:00:30"), kStart + 30'000);
    EXPECT_EQ(ParseReportedAt("2024-06-01T00:00:00Z"), kStart);
    EXPECT_EQ(ParseReportedAt("2024-06-01T08:00:00+08:00"), kStart);
    EXPECT_EQ(ParseReportedAt(std::to_string(kStart)), kStart);
    // Dots in the date; fractions of a second (ignored), also with a zone.
    EXPECT_EQ(ParseReportedAt("2024.06.01 08:00"), kStart);
    EXPECT_EQ(ParseReportedAt("2024-06-01 08:00:30.876"), kStart + 30'000);
    EXPECT_EQ(ParseReportedAt("2024-06-01T00:00:00.250Z"), kStart);
    EXPECT_EQ(ParseReportedAt("2024-06-01T08:00:00.5+08:00"), kStart);
    EXPECT_FALSE(ParseReportedAt("2024-06-01 08:00:30,876"));
    EXPECT_FALSE(ParseReportedAt("2024-02-30 10:00"));
    EXPECT_FALSE(ParseReportedAt("明天"));
    // Excel: 45444.333333 is 2024-06-01 08:00.
    EXPECT_NEAR(static_cast<double>(FromExcelSerial(45444 + 1.0 / 3)), kStart, 1000);
    EXPECT_EQ(ChinaDate(kStart), "2024-06-01");
    EXPECT_EQ(ChinaDate(kStart + 16 * 60 * kMinute), "2024-06-02");

    EXPECT_EQ(Percentile({}, 50), 0);
    EXPECT_EQ(Percentile({30, 10, 20, 40}, 50), 20);
    EXPECT_EQ(Percentile({30, 10, 20, 40}, 90), 40);
    EXPECT_EQ(TurnaroundMinutes(kStart, kStart + 95 * kMinute), 95);
    EXPECT_FALSE(TurnaroundMinutes(kStart, kStart - 1));
    EXPECT_EQ(ParseCtText(CtText({.orf1ab = 31.5, .n = std::nullopt})).orf1ab, 31.5);
}

TEST(ResultsFile, HeadersRowsAndReasons) {
    const std::string csv =
        "某某检测中心 核酸结果\n"
        "试管条码,检测结果,报告时间,ORF1ab Ct,N Ct\n"
        "T0001,阴性,2024-06-01 10:00,,\n"
        "T0002,阳性,2024-06-01 10:05,31.2,30.1\n"
        ",阴性,2024-06-01 10:00,,\n"
        "T0003,可疑,2024-06-01 10:00,,\n"
        "T0004,阴性,昨天,,\n"
        "T0005,阳性,2024-06-01 10:00,99,\n"
        ",,,,\n";
    auto workbook = registry::ReadCsv(csv, "r.csv");
    ASSERT_TRUE(workbook.ok()) << workbook.error().message;
    auto file = ReadResultFile(*workbook, kStart);
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->rows, 6);
    ASSERT_EQ(file->entries.size(), 2u);
    EXPECT_EQ(file->entries[1].tube_barcode, "T0002");
    EXPECT_EQ(file->entries[1].result, Outcome::kPositive);
    EXPECT_EQ(file->entries[1].ct.n, 30.1);
    EXPECT_EQ(file->entries[1].row, 4);
    ASSERT_EQ(file->errors.size(), 4u);
    EXPECT_EQ(RowErrorText(file->errors[0]), "第 5 行 试管条码: 缺少试管条码");
    EXPECT_EQ(file->errors[1].row, 6);
    EXPECT_EQ(file->errors[1].field, "result");
    EXPECT_EQ(file->errors[2].field, "reported_at");
    EXPECT_EQ(file->errors[3].field, "ct");

    auto english = registry::ReadCsv("tube_barcode,result\nT9,negative\n", "e.csv");
    ASSERT_TRUE(english.ok());
    auto read = ReadResultFile(*english, kStart);
    ASSERT_TRUE(read.ok());
    ASSERT_EQ(read->entries.size(), 1u);
    EXPECT_EQ(read->entries[0].reported_at, kStart) << "no time column: the upload's time";
    auto headless = registry::ReadCsv("a,b\n1,2\n", "x.csv");
    ASSERT_TRUE(headless.ok());
    EXPECT_FALSE(ReadResultFile(*headless, kStart).ok());
}

// A community with ten residents (two households), a site, a round whose tube of ten is closed,
// packed and handed over to a lab; a second lab that got nothing.
class ResultsDbTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (auto skip = db::testing::MigratedDatabase::SkipReason(GetParam()))
            GTEST_SKIP() << *skip;
        auto database = db::testing::MigratedDatabase::Create(
            GetParam(), "bulwark_results",
            {auth::AuditLog::Migrations(), auth::AccountMigrations(),
             registry::RegistryStore::Migrations(), testing::Migrations(), followup::Migrations(),
             Migrations()});
        ASSERT_TRUE(database.ok()) << database.error().message;
        database_ = std::move(*database);
        db_ = &database_->db();
        access_ = std::make_shared<registry::SamplingAccess>(*cipher_, clock_);
        services_ = std::make_unique<ResultsServices>(*db_, clock_, access_,
                                                      PublicLimits{.per_address = 5});
        Seed();
    }

    void TearDown() override {
        services_.reset();
        database_.reset();
    }

    static auth::Principal Admin(int64_t street) {
        auth::Principal p{.user_id = 1, .username = "leader", .display_name = "书记"};
        p.grants.push_back(
            {.grant = {.role = auth::Role::kAdministrator,
                       .scope = {auth::ScopeKind::kStreet, street}},
             .permissions = {"alerts.read", "lab.overview", "pools.read", "residents.read",
                             "residents.write", "results.read", "results.review", "results.write",
                             "rounds.read", "rounds.write"}});
        return p;
    }
    static auth::Principal LabUser(int64_t lab) {
        auth::Principal p{.user_id = 2, .username = "lab", .display_name = "检测员"};
        p.grants.push_back(
            {.grant = {.role = auth::Role::kLab, .scope = {auth::ScopeKind::kLab, lab}},
             .permissions = {"lab.overview", "results.write"}});
        return p;
    }

    void Seed() {
        registry::RegistryService registry(*db_, *cipher_, clock_);
        auto street = registry.CreateStreet(Admin(0), "演示街道", "演示区");
        // A street is created by an administrator of some street; the test's has none yet.
        if (!street.ok()) {
            street = db_->WriteValue([&](db::Session& s) {
                return registry::RegistryStore::InsertStreet(
                    s, {.name = "演示街道", .district = "演示区"}, kStart);
            });
        }
        ASSERT_TRUE(street.ok()) << street.error().message;
        street_ = street->id;
        admin_ = Admin(street_);
        auto community = registry.CreateCommunity(admin_, street_, "雅仕居社区");
        ASSERT_TRUE(community.ok()) << community.error().message;
        community_ = community->id;
        auto grid = registry.CreateGrid(admin_, community_, "第1网格");
        ASSERT_TRUE(grid.ok()) << grid.error().message;
        auto building = registry.CreateBuilding(admin_, grid->id, "3栋", 20);
        ASSERT_TRUE(building.ok()) << building.error().message;
        static const char* kNames[] = {"张一", "张二", "张三", "李四", "王五",
                                       "赵六", "钱七", "孙八", "周九", "吴十"};
        for (int i = 0; i < 10; ++i) {
            auto r = registry.CreateResident(
                admin_, {.building_id = building->id,
                         .room = i < 3 ? std::string("1201") : "13" + std::to_string(i),
                         .name = std::string(kNames[i])});
            ASSERT_TRUE(r.ok()) << r.error().message;
            residents_.push_back(r->detail.resident.id);
        }
        auto seeded = db_->Write([&](db::Session& s) -> Status {
            ASSIGN_OR_RETURN(auto lab, SiteStore::InsertLab(s, "金域检测", kStart));
            ASSIGN_OR_RETURN(auto other, SiteStore::InsertLab(s, "华大检测", kStart));
            lab_ = lab->id;
            other_lab_ = other->id;
            Site site{.street_id = street_,
                      .community_id = community_,
                      .name = "雅仕居采样点",
                      .tables = {{.name = "1号台"}},
                      .created_at = kStart,
                      .updated_at = kStart};
            ASSIGN_OR_RETURN(auto site_id, SiteStore::InsertSite(s, site));
            site_ = *site_id;
            Round round{.street_id = street_,
                        .community_id = community_,
                        .name = "第1轮",
                        .starts_at = kStart - 60 * kMinute,
                        .ends_at = kStart + 600 * kMinute,
                        .pool_size = 10,
                        .site_ids = {site_},
                        .created_at = kStart,
                        .updated_at = kStart};
            ASSIGN_OR_RETURN(round_, RoundStore::Insert(s, round));
            ASSIGN_OR_RETURN(tube_, AddTube(s, "T0001", 10, residents_, kStart));
            ASSIGN_OR_RETURN(single_, AddTube(s, "T0002", 1, {}, kStart,
                                              /*round*/ 0, /*hand over*/ false));
            return Ok();
        });
        ASSERT_TRUE(seeded.ok()) << seeded.error().message;
    }

    // A closed tube of `people` sampled at `at`, packed into its own box and (unless told)
    // handed over to the lab.
    Result<int64_t> AddTube(db::Session& s, const std::string& barcode, int pool,
                            const std::vector<int64_t>& people, int64_t at, int64_t round = 0,
                            bool hand_over = true) {
        if (round == 0) round = round_;
        Tube t{.round_id = round,
               .site_id = site_,
               .table_id = 1000 + static_cast<int64_t>(++serial_),
               .barcode = barcode,
               .pool_size = pool,
               .opened_at = at};
        ASSIGN_OR_RETURN(auto id, SamplingStore::InsertTube(s, t));
        if (!id) return Internal("tube not inserted");
        for (int64_t person : people) {
            ASSIGN_OR_RETURN(auto sample, SamplingStore::InsertSample(s, {.round_id = round,
                                                                          .resident_id = person,
                                                                          .tube_id = *id,
                                                                          .site_id = site_,
                                                                          .table_id = t.table_id,
                                                                          .scanned_at = at,
                                                                          .received_at = at}));
            if (!sample) return Internal("sample not inserted");
            ASSIGN_OR_RETURN(auto count, SamplingStore::AddSwab(s, *id));
            (void)count;
        }
        ASSIGN_OR_RETURN(bool closed, SamplingStore::CloseTube(s, *id, at + kMinute));
        (void)closed;
        Box box{.round_id = round, .site_id = site_, .barcode = "BOX-" + barcode};
        ASSIGN_OR_RETURN(auto box_id, BoxStore::InsertBox(s, box, 1));
        if (!box_id) return Internal("box not inserted");
        ASSIGN_OR_RETURN(bool packed, BoxStore::PackTube(s, *box_id, *id));
        ASSIGN_OR_RETURN(bool sealed, BoxStore::Seal(s, *box_id, at + 2 * kMinute));
        if (!packed || !sealed) return Internal("box not sealed");
        if (hand_over) {
            ASSIGN_OR_RETURN(bool handed, BoxStore::HandOver(s, *box_id, lab_, at + 3 * kMinute));
            if (!handed) return Internal("box not handed over");
        }
        return *id;
    }

    int64_t Count(const std::string& sql, const db::Params& params = {}) {
        auto row = db_->ReadValue([&](db::Session& s) { return s.QueryOne(sql, params); });
        EXPECT_TRUE(row.ok()) << row.error().message;
        return row.ok() && *row ? (**row).Int(0) : -1;
    }

    ResultEntry Entry(const std::string& barcode, Outcome result, int64_t at) {
        return {.tube_barcode = barcode, .result = result, .reported_at = at};
    }

    FakeClock clock_{kStart + 240 * kMinute};
    std::unique_ptr<auth::PersonalDataCipher> cipher_ = auth::PersonalDataCipher::ForTesting(7);
    db::Database* db_ = nullptr;  // database_'s
    std::shared_ptr<registry::SamplingAccess> access_;
    std::unique_ptr<ResultsServices> services_;
    auth::Principal admin_;
    int64_t street_ = 0, community_ = 0, site_ = 0, round_ = 0, lab_ = 0, other_lab_ = 0;
    int64_t tube_ = 0, single_ = 0;
    int serial_ = 0;
    std::vector<int64_t> residents_;

private:
    std::unique_ptr<db::testing::MigratedDatabase> database_;
};

TEST_P(ResultsDbTest, ChecksEveryEntryAndWritesAllOrNothing) {
    ResultsService& results = services_->results;
    const int64_t at = kStart + 200 * kMinute;
    // The lab sees only tubes handed to it: T0002 was never handed over, T9999 does not exist.
    auto checked = results.Check(
        LabUser(lab_), 0,
        {Entry("T0001", Outcome::kNegative, at), Entry("T0002", Outcome::kNegative, at),
         Entry("T9999", Outcome::kNegative, at), Entry("T0001", Outcome::kPositive, at)});
    ASSERT_TRUE(checked.ok()) << checked.error().message;
    ASSERT_EQ(checked->errors.size(), 3u);
    EXPECT_EQ(checked->errors[0].message, "未知试管条码");
    EXPECT_EQ(checked->errors[1].message, "未知试管条码");
    EXPECT_EQ(checked->errors[2].field, "result") << "the same tube with another result";
    // Another lab's user, and a lab the caller may not load for.
    auto other = results.Check(LabUser(other_lab_), 0, {Entry("T0001", Outcome::kNegative, at)});
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(other->errors.size(), 1u);
    EXPECT_EQ(results.Check(LabUser(lab_), other_lab_, {}).error().code, ErrorCode::kNotFound);
    // The administrator sees T0002, which was not sent to this lab.
    auto admin = results.Check(admin_, lab_, {Entry("T0002", Outcome::kNegative, at)});
    ASSERT_TRUE(admin.ok());
    ASSERT_EQ(admin->errors.size(), 1u);
    EXPECT_NE(admin->errors[0].message.find("尚未交接"), std::string::npos);

    // A load with a bad entry writes nothing.
    auto refused = results.Load(
        LabUser(lab_), lab_,
        {Entry("T0001", Outcome::kNegative, at), Entry("T9999", Outcome::kNegative, at)}, "r.csv");
    ASSERT_TRUE(refused.ok());
    EXPECT_EQ(refused->errors.size(), 1u);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM test_results"), 0);

    // Loaded, then loaded again: nothing changes.
    auto loaded = results.Load(LabUser(lab_), 0, {Entry("T0001", Outcome::kNegative, at)}, "a");
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded->summary.created, 1);
    auto again = results.Load(LabUser(lab_), 0, {Entry("T0001", Outcome::kNegative, at)}, "a");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->summary.created, 0);
    EXPECT_EQ(again->summary.unchanged, 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM test_results"), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'result.record'"), 1);

    // A resident's result, with the turnaround from sampling.
    auto mine = results.ResidentResults(admin_, residents_[3]);
    ASSERT_TRUE(mine.ok()) << mine.error().message;
    ASSERT_EQ(mine->size(), 1u);
    EXPECT_EQ((*mine)[0].result, Outcome::kNegative);
    EXPECT_EQ((*mine)[0].turnaround_minutes, 200);
    EXPECT_EQ(results.ResidentResults(LabUser(lab_), residents_[3]).error().code,
              ErrorCode::kNotFound);

    // The lab's overview: one box, nothing pending, the turnaround.
    auto overview = results.Overview(LabUser(lab_), 0, 7);
    ASSERT_TRUE(overview.ok()) << overview.error().message;
    EXPECT_EQ(overview->boxes.size(), 1u);
    EXPECT_EQ(overview->pending_tubes, 0);
    EXPECT_EQ(overview->p50_minutes, 200);
    EXPECT_EQ(results.Overview(LabUser(lab_), other_lab_, 7).error().code, ErrorCode::kNotFound);
}

TEST_P(ResultsDbTest, AConflictIsHeldThenResolved) {
    ResultsService& results = services_->results;
    const int64_t at = kStart + 200 * kMinute;
    ASSERT_TRUE(results.Load(LabUser(lab_), 0, {Entry("T0001", Outcome::kNegative, at)}, "a").ok());
    auto held = results.Load(LabUser(lab_), 0, {Entry("T0001", Outcome::kInvalid, at + 1)}, "b");
    ASSERT_TRUE(held.ok()) << held.error().message;
    EXPECT_EQ(held->summary.conflicts, 1);
    ASSERT_EQ(held->summary.held.size(), 1u);
    EXPECT_EQ(held->summary.held[0].recorded, Outcome::kNegative);
    // The same contradiction again holds nothing new; the recorded result stays.
    ASSERT_TRUE(results.Load(LabUser(lab_), 0, {Entry("T0001", Outcome::kInvalid, at)}, "b").ok());
    EXPECT_EQ(Count("SELECT COUNT(*) FROM result_conflicts"), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM test_results WHERE result = 'negative'"), 1);
    auto alerts = results.Alerts(admin_, 0);
    ASSERT_TRUE(alerts.ok());
    ASSERT_EQ(alerts->size(), 1u);
    EXPECT_EQ((*alerts)[0].kind, "result_conflict");

    auto open = results.Conflicts(admin_, true, 1, 50);
    ASSERT_TRUE(open.ok());
    ASSERT_EQ(open->total, 1);
    const int64_t id = open->items[0].id;
    EXPECT_EQ(results.Resolve(admin_, id, "maybe", "").error().code, ErrorCode::kInvalidArgument);
    auto replaced = results.Resolve(admin_, id, "replace", "实验室来电更正");
    ASSERT_TRUE(replaced.ok()) << replaced.error().message;
    EXPECT_FALSE(replaced->open);
    EXPECT_EQ(replaced->resolution, "replace");
    EXPECT_EQ(results.Resolve(admin_, id, "keep", "").error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM test_results WHERE result = 'invalid'"), 1);
    // The replacement ran the consequences of an invalid tube: ten to sample again.
    auto invalid = results.InvalidMembers(admin_, round_);
    ASSERT_TRUE(invalid.ok()) << invalid.error().message;
    EXPECT_EQ(invalid->total, 10);
    EXPECT_FALSE(invalid->items[0].resampled);
    EXPECT_EQ(invalid->items[0].member.name.find("张"), std::string::npos) << "masked";
}

TEST_P(ResultsDbTest, APooledPositiveRunsToTheEnd) {
    ResultsService& results = services_->results;
    auto opened = results.Load(LabUser(lab_), 0,
                               {Entry("T0001", Outcome::kPositive, kStart + 200 * kMinute)}, "a");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    auto pools = results.Pools(admin_, true, 0, 1, 50);
    ASSERT_TRUE(pools.ok());
    ASSERT_EQ(pools->total, 1);
    const Pool pool = pools->items[0];
    EXPECT_EQ(pool.members_total, 10);
    EXPECT_EQ(pool.pending, 10);
    ASSERT_GT(pool.retest_round_id, 0);
    auto round =
        db_->ReadValue([&](db::Session& s) { return RoundStore::Get(s, pool.retest_round_id); });
    ASSERT_TRUE(round.ok() && *round);
    EXPECT_EQ((*round)->name, "混管复核 T0001");
    EXPECT_EQ((*round)->pool_size, 1);
    EXPECT_EQ((*round)->scope_kind, RoundScopeKind::kPeople);
    EXPECT_EQ((*round)->scope_ids.size(), 10u);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM home_sampling WHERE urgent = 1"), 10);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'pool.%'"), 5);
    // Loading the same positive again opens nothing more.
    ASSERT_TRUE(results
                    .Load(LabUser(lab_), 0,
                          {Entry("T0001", Outcome::kPositive, kStart + 200 * kMinute)}, "a")
                    .ok());
    EXPECT_EQ(Count("SELECT COUNT(*) FROM result_pools"), 1);

    // Ten single tubes in the follow-up round; nine negative, one positive.
    clock_.Advance(60 * kMinute);
    const int64_t retest_at = clock_.NowMillis();
    std::vector<ResultEntry> entries;
    auto made = db_->Write([&](db::Session& s) -> Status {
        for (size_t i = 0; i < residents_.size(); ++i) {
            const std::string barcode = "S00" + std::to_string(i);
            ASSIGN_OR_RETURN(int64_t id, AddTube(s, barcode, 1, {residents_[i]}, retest_at,
                                                 pool.retest_round_id));
            (void)id;
            entries.push_back(Entry(barcode, i == 4 ? Outcome::kPositive : Outcome::kNegative,
                                    retest_at + 90 * kMinute));
        }
        return Ok();
    });
    ASSERT_TRUE(made.ok()) << made.error().message;
    clock_.Advance(120 * kMinute);
    auto retests = results.Load(LabUser(lab_), 0, entries, "retest.xlsx");
    ASSERT_TRUE(retests.ok()) << retests.error().message;
    EXPECT_TRUE(retests->errors.empty());
    auto detail = results.PoolById(admin_, pool.id);
    ASSERT_TRUE(detail.ok()) << detail.error().message;
    EXPECT_EQ(detail->pool.cleared, 9);
    EXPECT_EQ(detail->pool.cases, 1);
    EXPECT_EQ(detail->pool.pending, 0);
    EXPECT_GT(detail->pool.closed_at, 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM cases WHERE resident_id = ? AND pool_id = ?",
                    {residents_[4], pool.id}),
              1);
    EXPECT_EQ(detail->events.back().action, "pool.closed");
    EXPECT_EQ(detail->members[4].second.status, MemberStatus::kCase);
    EXPECT_EQ(detail->members[4].second.retest_barcode, "S004");

    // The public page: the resident and their household (masked), by the code token only.
    auto token = db_->ReadValue([&](db::Session& s) {
        return s.QueryOne("SELECT code_token FROM residents WHERE id = ?", {residents_[0]});
    });
    ASSERT_TRUE(token.ok() && *token);
    auto page = services_->page.Results((**token).Text(0), "10.0.0.1", "req-1");
    ASSERT_TRUE(page.ok()) << page.error().message;
    ASSERT_FALSE(page->not_found);
    EXPECT_EQ(page->value.name, "*一");
    EXPECT_EQ(page->value.results.size(), 2u);
    EXPECT_EQ(page->value.status, MemberStatus::kCleared);
    EXPECT_EQ(page->value.household.size(), 2u) << "the two others of room 1201";
    EXPECT_TRUE(services_->page.Results("WRONG-TOKEN", "10.0.0.1", "req-2")->not_found);
    // Five calls a minute per address in this fixture: the sixth is refused, another address
    // is not.
    for (int i = 0; i < 3; ++i) services_->page.Results("x", "10.0.0.1", "r").value();
    auto limited = services_->page.Results((**token).Text(0), "10.0.0.1", "req-3");
    ASSERT_TRUE(limited.ok());
    EXPECT_GT(limited->retry_after_seconds, 0);
    EXPECT_LE(limited->retry_after_seconds, 60);
    EXPECT_EQ(services_->page.Results((**token).Text(0), "10.0.0.2", "r")->retry_after_seconds, 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'public.results'"), 2);
}

TEST_P(ResultsDbTest, AnInvalidRetestKeepsTheMarkUntilASecondOne) {
    ResultsService& results = services_->results;
    ASSERT_TRUE(results
                    .Load(LabUser(lab_), 0,
                          {Entry("T0001", Outcome::kPositive, kStart + 200 * kMinute)}, "a")
                    .ok());
    auto pools = results.Pools(admin_, true, 0, 1, 50);
    ASSERT_TRUE(pools.ok() && pools->total == 1);
    const Pool pool = pools->items[0];
    clock_.Advance(30 * kMinute);
    const int64_t at = clock_.NowMillis();
    int64_t second_round = 0;
    auto made = db_->Write([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(int64_t id,
                         AddTube(s, "S100", 1, {residents_[0]}, at, pool.retest_round_id));
        (void)id;
        // The resident's next sample is in another round (one sample per round).
        Round round{.street_id = street_,
                    .community_id = community_,
                    .name = "上门采样",
                    .kind = RoundKind::kFollowUp,
                    .starts_at = at,
                    .ends_at = at + 600 * kMinute,
                    .pool_size = 1,
                    .site_ids = {site_},
                    .created_at = at,
                    .updated_at = at};
        ASSIGN_OR_RETURN(second_round, RoundStore::Insert(s, round));
        ASSIGN_OR_RETURN(id, AddTube(s, "S101", 1, {residents_[0]}, at + kMinute, second_round));
        return Ok();
    });
    ASSERT_TRUE(made.ok()) << made.error().message;
    clock_.Advance(60 * kMinute);
    auto invalid =
        results.Load(LabUser(lab_), 0, {Entry("S100", Outcome::kInvalid, clock_.NowMillis())}, "r");
    ASSERT_TRUE(invalid.ok()) << invalid.error().message;
    auto detail = results.PoolById(admin_, pool.id);
    ASSERT_TRUE(detail.ok());
    EXPECT_EQ(detail->pool.pending, 10) << "an invalid retest keeps the mark";
    EXPECT_EQ(detail->members[0].second.retest_result, Outcome::kInvalid);
    EXPECT_EQ(detail->events.back().action, "member.retest_invalid");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM home_sampling WHERE resident_id = ? AND reason = "
                    "'pooled_positive'",
                    {residents_[0]}),
              1)
        << "on the list (once while the entry is open)";
    EXPECT_EQ(Count("SELECT COUNT(*) FROM home_sampling WHERE reason = 'invalid_tube'"), 0)
        << "a retest's member is on the list for the procedure, not twice";
    auto cleared = results.Load(LabUser(lab_), 0,
                                {Entry("S101", Outcome::kNegative, clock_.NowMillis())}, "r");
    ASSERT_TRUE(cleared.ok()) << cleared.error().message;
    detail = results.PoolById(admin_, pool.id);
    ASSERT_TRUE(detail.ok());
    EXPECT_EQ(detail->pool.cleared, 1);
    EXPECT_EQ(detail->members[0].second.retest_barcode, "S101");
    EXPECT_EQ(detail->pool.closed_at, 0) << "nine still wait";
}

INSTANTIATE_TEST_SUITE_P(Drivers, ResultsDbTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark::testing::results
