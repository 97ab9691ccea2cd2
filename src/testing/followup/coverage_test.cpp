// The follow-up service over a real database (both drivers): coverage, the missed list and its
// follow-up, home sampling, repeated misses, health codes and what the cache saves.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "auth/account_store.hpp"
#include "registry/coverage_access.hpp"
#include "registry/registry_store.hpp"
#include "registry/sealing.hpp"
#include "testing/followup/followup_service.hpp"
#include "testing/followup/followup_test_fixture.hpp"
#include "testing/round_store.hpp"

namespace bulwark::testing::followup {
namespace {

constexpr int64_t kHour = 3'600'000;

auth::Principal Who(int64_t user_id, auth::Role role, auth::Scope scope,
                    std::vector<std::string> permissions) {
    auth::Principal p;
    p.user_id = user_id;
    p.username = "user" + std::to_string(user_id);
    p.display_name = "用户" + std::to_string(user_id);
    std::sort(permissions.begin(), permissions.end());
    p.grants.push_back({{role, scope}, permissions});
    return p;
}

const std::vector<std::string> kStaffPermissions = {
    "coverage.read",      "followup.read",      "followup.write", "followup.assign",
    "healthcode.request", "healthcode.approve", "reports.read",   "residents.unmask"};
const std::vector<std::string> kGridPermissions = {"coverage.read", "followup.read",
                                                   "followup.write", "healthcode.request"};

class FollowupServiceTest : public FollowupDbTest {
protected:
    void SetUp() override {
        FollowupDbTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        access_ = std::make_shared<registry::CoverageAccess>(*cipher_, clock_);
        service_ = std::make_unique<FollowupService>(*db_, clock_, access_);
        ASSERT_TRUE(
            db_->Write([&](db::Session& s) -> Status {
                   ASSIGN_OR_RETURN(auto street,
                                    registry::RegistryStore::InsertStreet(
                                        s, {.name = "街道", .district = "区"}, kStart));
                   street_ = street.id;
                   ASSIGN_OR_RETURN(auto c,
                                    registry::RegistryStore::InsertCommunity(
                                        s, {.street_id = street_, .name = "雅仕居"}, kStart));
                   community_ = c.id;
                   for (int g = 0; g < 2; ++g) {
                       ASSIGN_OR_RETURN(auto grid,
                                        registry::RegistryStore::InsertGrid(
                                            s,
                                            {.community_id = community_,
                                             .name = "第" + std::to_string(g + 1) + "网格"},
                                            kStart));
                       grids_.push_back(grid.id);
                       ASSIGN_OR_RETURN(auto b, registry::RegistryStore::InsertBuilding(
                                                    s,
                                                    {.street_id = street_,
                                                     .community_id = community_,
                                                     .grid_id = grid.id,
                                                     .name = std::to_string(g + 3) + "栋"},
                                                    kStart));
                       buildings_.push_back(b.id);
                   }
                   auth::UserRecord worker{
                       .username = "grid1",
                       .display_name = "网格员甲",
                       .password_hash = "x",
                       .grants = {{auth::Role::kGridWorker, {auth::ScopeKind::kGrid, grids_[0]}}}};
                   ASSIGN_OR_RETURN(worker_, auth::AccountStore::InsertUser(s, worker));
                   return Ok();
               })
                .ok());
        staff_ = Who(900, auth::Role::kStaff, {auth::ScopeKind::kCommunity, community_},
                     kStaffPermissions);
        staff2_ = Who(901, auth::Role::kStaff, {auth::ScopeKind::kCommunity, community_},
                      kStaffPermissions);
        grid_worker_ = Who(worker_, auth::Role::kGridWorker, {auth::ScopeKind::kGrid, grids_[0]},
                           kGridPermissions);
    }

    int64_t AddResident(int building_index, const std::string& room, const std::string& name,
                        registry::Presence presence = registry::Presence::kPresent,
                        int64_t created_at = kStart - 100 * kHour, const std::string& phone = "") {
        int64_t id = 0;
        EXPECT_TRUE(db_->Write([&](db::Session& s) -> Status {
                           ASSIGN_OR_RETURN(auto h,
                                            registry::RegistryStore::FindOrCreateHousehold(
                                                s, {.building_id = buildings_[building_index],
                                                    .unit = "1单元",
                                                    .room = room,
                                                    .floor = std::stoi(room) / 100}));
                           registry::Resident r;
                           r.household_id = h.id;
                           r.building_id = buildings_[building_index];
                           r.grid_id = grids_[building_index];
                           r.community_id = community_;
                           r.street_id = street_;
                           r.name = name;
                           r.presence = presence;
                           r.code_token = registry::NewCodeToken();
                           r.created_at = r.updated_at = created_at;
                           if (!phone.empty()) registry::SealPhone(*cipher_, phone, &r);
                           ASSIGN_OR_RETURN(id, registry::RegistryStore::InsertResident(s, r));
                           return Ok();
                       })
                        .ok());
        return id;
    }

    int64_t AddRound(const std::string& name, int64_t starts_at, int64_t ends_at,
                     RoundScopeKind kind = RoundScopeKind::kCommunity,
                     std::vector<int64_t> scope = {}) {
        Round r;
        r.street_id = street_;
        r.community_id = community_;
        r.name = name;
        r.scope_kind = kind;
        r.scope_ids = std::move(scope);
        r.starts_at = starts_at;
        r.ends_at = ends_at;
        r.created_at = r.updated_at = starts_at;
        auto id = db_->WriteValue([&](db::Session& s) { return RoundStore::Insert(s, r); });
        EXPECT_TRUE(id.ok()) << id.error().message;
        return id.ok() ? *id : 0;
    }

    void Sample(int64_t round_id, int64_t resident_id, int64_t at) {
        static int tube = 0;
        ASSERT_TRUE(
            db_->Write([&](db::Session& s) -> Status {
                   ASSIGN_OR_RETURN(
                       auto row,
                       s.QueryOne("INSERT INTO tubes (round_id, site_id, table_id, barcode, "
                                  "pool_size, filled, status, opened_at, closed_at, "
                                  "opened_by) VALUES (?, 1, 1, ?, 1, 1, 'closed', ?, ?, 1) "
                                  "RETURNING id",
                                  {round_id, "T" + std::to_string(++tube), at, at}));
                   ASSIGN_OR_RETURN(
                       int64_t n, s.Exec("INSERT INTO samples (round_id, resident_id, tube_id, "
                                         "site_id, table_id, scanned_at, received_at, scanned_by, "
                                         "warnings) VALUES (?, ?, ?, 1, 1, ?, ?, 1, 0)",
                                         {round_id, resident_id, row->Int(0), at, at}));
                   (void)n;
                   return Ok();
               })
                .ok());
    }

    json::object Totals(int64_t round_id, const auth::Principal& who) {
        auto c = service_->Coverage(who, round_id, "community", 0);
        EXPECT_TRUE(c.ok()) << c.error().message;
        return c.ok() ? (*c)["totals"].as_object() : json::object{};
    }

    Result<Answer> Attempt(int64_t round_id, int64_t resident, const std::string& outcome,
                           const auth::Principal& who, const std::string& place = "",
                           int64_t tested_at = 0) {
        static int n = 0;
        AttemptInput in{.key = "attempt-key-000000" + std::to_string(++n),
                        .outcome = outcome,
                        .note = "电话联系",
                        .place = place,
                        .tested_at = tested_at};
        return service_->RecordAttempt(who, round_id, resident, in);
    }

    std::unique_ptr<auth::PersonalDataCipher> cipher_ = auth::PersonalDataCipher::ForTesting(9);
    std::shared_ptr<registry::CoverageAccess> access_;
    std::unique_ptr<FollowupService> service_;
    int64_t street_ = 0, community_ = 0, worker_ = 0;
    std::vector<int64_t> grids_, buildings_;
    auth::Principal staff_, staff2_, grid_worker_;
};

TEST_P(FollowupServiceTest, CoverageMissedListAndFollowUp) {
    const int64_t a = AddResident(0, "101", "张三", registry::Presence::kPresent,
                                  kStart - 100 * kHour, "13800138000");
    const int64_t b = AddResident(0, "102", "李四");
    const int64_t c = AddResident(0, "201", "王五");
    const int64_t d = AddResident(1, "101", "赵六");
    const int64_t moved = AddResident(1, "102", "钱七", registry::Presence::kMovedOut);
    const int64_t round = AddRound("第1轮", kStart, kStart + 12 * kHour);
    clock_.Advance(1 * kHour);
    Sample(round, a, kStart + 30 * 60'000);

    json::object t = Totals(round, staff_);
    EXPECT_EQ(t["in_scope"].as_int64(), 4) << "the moved-out person is out of scope";
    EXPECT_EQ(t["sampled"].as_int64(), 1);
    EXPECT_EQ(t["missed"].as_int64(), 3);
    EXPECT_DOUBLE_EQ(t["percent"].as_double(), 25.0);

    // The grid worker of grid 1 sees grid 1 only, and is assigned its missed residents.
    json::object g = Totals(round, grid_worker_);
    EXPECT_EQ(g["in_scope"].as_int64(), 3);
    auto by_grid = service_->Coverage(staff_, round, "grid", 0);
    ASSERT_TRUE(by_grid.ok());
    ASSERT_EQ((*by_grid)["rows"].as_array().size(), 2u);
    EXPECT_EQ((*by_grid)["rows"].at(1).at("missed").as_int64(), 1);
    EXPECT_EQ(service_->Coverage(grid_worker_, round, "building", grids_[1]).error().code,
              ErrorCode::kNotFound);
    auto mine = service_->Mine(grid_worker_, round, {});
    ASSERT_TRUE(mine.ok()) << mine.error().message;
    EXPECT_EQ((*mine)["total"].as_int64(), 2);  // b and c
    auto missed = service_->Missed(staff_, round, {}, {});
    ASSERT_TRUE(missed.ok());
    EXPECT_EQ((*missed)["total"].as_int64(), 3);
    const json::value& first = (*missed)["items"].at(0);
    EXPECT_EQ(first.at("name").as_string(), "*四");
    EXPECT_EQ(first.at("assigned_to").at("id").as_int64(), worker_);
    EXPECT_TRUE((*missed)["items"].at(2).at("assigned_to").is_null()) << "grid 2 has no worker";

    // Reassigning d to the grid worker; an unknown user is not found.
    EXPECT_EQ(service_->Assign(staff_, round, {d}, 4242).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(service_->Assign(staff_, round, {d}, worker_).error().code,
              ErrorCode::kInvalidArgument)
        << "d lives outside the worker's grid";
    ASSERT_TRUE(service_->Assign(staff_, round, {b}, worker_).ok());
    EXPECT_EQ((*service_->Mine(grid_worker_, round, {}))["total"].as_int64(), 2);
    EXPECT_EQ(service_->Assign(grid_worker_, round, {d}, worker_).error().code,
              ErrorCode::kNotFound);

    // Attempts: tested elsewhere needs place and time; an exempting outcome counts at once.
    EXPECT_EQ(Attempt(round, b, "tested_elsewhere", grid_worker_).error().field, "place");
    auto away = Attempt(round, b, "tested_elsewhere", grid_worker_, "市人民医院", kStart);
    ASSERT_TRUE(away.ok()) << away.error().message;
    EXPECT_EQ(away->status, 201) << away->body;
    EXPECT_NE(away->body.find("\"missed_total\":2"), std::string::npos) << away->body;
    t = Totals(round, staff_);
    EXPECT_EQ(t["exempt"].as_int64(), 1);
    EXPECT_EQ(t["missed"].as_int64(), 2);
    EXPECT_DOUBLE_EQ(t["percent"].as_double(), 33.3);
    // The grid worker may not act on grid 2's residents.
    EXPECT_EQ(Attempt(round, d, "away", grid_worker_).error().code, ErrorCode::kNotFound);

    // Unreachable keeps them missed; bedridden adds them to the home-sampling list.
    ASSERT_EQ(Attempt(round, c, "unreachable", grid_worker_)->status, 201);
    ASSERT_EQ(Attempt(round, c, "bedridden", grid_worker_)->status, 201);
    EXPECT_EQ(Totals(round, staff_)["missed"].as_int64(), 2);
    auto home = service_->HomeSamplingList(staff_, community_, "open", {});
    ASSERT_TRUE(home.ok()) << home.error().message;
    ASSERT_EQ((*home)["total"].as_int64(), 1);
    EXPECT_EQ((*home)["items"].at(0).at("reason").as_string(), "bedridden");
    auto detail = service_->Detail(grid_worker_, round, c);
    ASSERT_TRUE(detail.ok());
    EXPECT_EQ((*detail)["attempts"].as_array().size(), 2u);
    EXPECT_TRUE((*detail)["resident"].at("home_sampling").as_bool());

    // Sampled at home: the entry is done, and coverage moves.
    clock_.Advance(10 * 60'000);
    Sample(round, c, clock_.NowMillis());
    home = service_->HomeSamplingList(staff_, community_, "open", {});
    EXPECT_EQ((*home)["total"].as_int64(), 0);
    auto done = service_->HomeSamplingList(staff_, community_, "done", {});
    ASSERT_EQ((*done)["total"].as_int64(), 1);
    EXPECT_FALSE((*done)["items"].at(0).at("sample").at("tube_barcode").as_string().empty());
    t = Totals(round, staff_);
    EXPECT_EQ(t["sampled"].as_int64(), 2);
    EXPECT_EQ(t["missed"].as_int64(), 1);

    // Moved out through follow-up: the registry's presence changes, and d is exempt.
    ASSERT_EQ(Attempt(round, d, "moved_out", staff_)->status, 201);
    auto person = db_->ReadValue([&](db::Session& s) { return access_->Person(s, d); });
    ASSERT_TRUE(person.ok() && *person);
    EXPECT_EQ((*person)->presence, registry::Presence::kMovedOut);
    t = Totals(round, staff_);
    EXPECT_EQ(t["exempt"].as_int64(), 2);
    EXPECT_EQ(t["missed"].as_int64(), 0);
    EXPECT_DOUBLE_EQ(t["percent"].as_double(), 100.0);

    // The phone for a call, unmasked and audited.
    auto phone = service_->RevealPhone(grid_worker_, round, a);
    ASSERT_TRUE(phone.ok()) << phone.error().message;
    EXPECT_EQ((*phone)["phone"].as_string(), "13800138000");
    auto audited = db_->ReadValue([&](db::Session& s) {
        return s.QueryOne("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.phone_reveal'");
    });
    EXPECT_EQ((**audited).Int(0), 1);
    (void)moved;
}

TEST_P(FollowupServiceTest, FloatingPeopleAndMovedMidRound) {
    const int64_t a = AddResident(0, "101", "张三");
    const int64_t round =
        AddRound("第1轮", kStart, kStart + 12 * kHour, RoundScopeKind::kGrids, {grids_[0]});
    // Registered at the site during the round, in the other grid, and sampled: counts.
    const int64_t floating =
        AddResident(1, "999", "孙八", registry::Presence::kPresent, kStart + kHour);
    Sample(round, floating, kStart + kHour + 1);
    // Moved out mid-round before being sampled: out of scope.
    const int64_t leaving = AddResident(0, "102", "周九");
    clock_.Advance(2 * kHour);
    EXPECT_EQ(Totals(round, staff_)["in_scope"].as_int64(), 3);
    ASSERT_TRUE(db_->Write([&](db::Session& s) -> Status {
                       ASSIGN_OR_RETURN(bool moved, access_->MarkMovedOut(s, leaving));
                       return moved ? Ok() : Internal("not moved");
                   })
                    .ok());
    json::object t = Totals(round, staff_);
    EXPECT_EQ(t["in_scope"].as_int64(), 2);
    EXPECT_EQ(t["sampled"].as_int64(), 1);
    EXPECT_EQ(t["missed"].as_int64(), 1);
    (void)a;
}

TEST_P(FollowupServiceTest, RepeatedMissesAcrossClosedRounds) {
    const int64_t a = AddResident(0, "101", "张三");
    const int64_t b = AddResident(0, "102", "李四");
    const int64_t c = AddResident(1, "101", "王五");
    const int64_t r1 = AddRound("第1轮", kStart, kStart + 12 * kHour);
    const int64_t r2 = AddRound("第2轮", kStart + 24 * kHour, kStart + 36 * kHour);
    const int64_t r3 = AddRound("第3轮", kStart + 48 * kHour, kStart + 60 * kHour);
    Sample(r1, a, kStart + kHour);  // a: missed r2, r3 (2 in a row)
    Sample(r2, b, kStart + 25 * kHour);
    Sample(r3, b, kStart + 49 * kHour);  // b: never missed... except r1 (not consecutive)
    // c missed all three.
    clock_.Advance(70 * kHour);
    auto list = service_->RepeatedMisses(staff_, community_, 2, {});
    ASSERT_TRUE(list.ok()) << list.error().message;
    ASSERT_EQ((*list)["total"].as_int64(), 2);
    EXPECT_EQ((*list)["items"].at(0).at("resident_id").as_int64(), c);
    EXPECT_EQ((*list)["items"].at(0).at("missed_rounds").as_int64(), 3);
    EXPECT_EQ((*list)["items"].at(1).at("resident_id").as_int64(), a);
    EXPECT_EQ((*list)["items"].at(1).at("rounds").at(0).at("id").as_int64(), r3);
    EXPECT_EQ((*service_->RepeatedMisses(staff_, community_, 3, {}))["total"].as_int64(), 1);
    // The grid worker of grid 1 sees only a.
    EXPECT_EQ((*service_->RepeatedMisses(grid_worker_, community_, 2, {}))["total"].as_int64(), 1);
}

TEST_P(FollowupServiceTest, HealthCodeNeedsASecondPerson) {
    const int64_t a = AddResident(0, "101", "张三");
    auto request = service_->RequestHealthCode(grid_worker_, a, "green", "两次阴性", "报告 2 份");
    ASSERT_TRUE(request.ok()) << request.error().message;
    const int64_t id = (*request)["id"].as_int64();
    EXPECT_EQ((*request)["from_status"].as_string(), "unknown");
    EXPECT_EQ((*service_->HealthCodeOf(staff_, a))["status"].as_string(), "unknown")
        << "a request changes nothing";
    EXPECT_EQ(service_->RequestHealthCode(grid_worker_, a, "blue", "x", "y").error().field,
              "to_status");

    auto own = service_->RequestHealthCode(staff_, a, "red", "阳性", "报告");
    ASSERT_TRUE(own.ok());
    auto same = service_->DecideHealthCode(staff_, (*own)["id"].as_int64(), true, "");
    ASSERT_FALSE(same.ok());
    EXPECT_EQ(same.error().field, "same_person");

    auto approved = service_->DecideHealthCode(staff_, id, true, "核实无误");
    ASSERT_TRUE(approved.ok()) << approved.error().message;
    EXPECT_EQ((*approved)["status"].as_string(), "approved");
    auto code = service_->HealthCodeOf(staff_, a);
    EXPECT_EQ((*code)["status"].as_string(), "green");
    EXPECT_EQ((*code)["history"].as_array().size(), 1u);
    EXPECT_EQ(service_->DecideHealthCode(staff2_, id, false, "").error().code,
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(service_->DecideHealthCode(staff_, id, false, "").error().code,
              ErrorCode::kFailedPrecondition)
        << "the approver cannot turn it into a rejection";
    ASSERT_TRUE(service_->DecideHealthCode(staff_, id, true, "").ok()) << "a retry";
    ASSERT_TRUE(
        service_->DecideHealthCode(staff2_, (*own)["id"].as_int64(), false, "证据不足").ok());
    EXPECT_EQ((*service_->HealthCodeOf(staff_, a))["status"].as_string(), "green");
    auto audited = db_->ReadValue([&](db::Session& s) {
        return s.QueryOne(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('healthcode.request', "
            "'healthcode.approve', 'healthcode.reject')");
    });
    EXPECT_EQ((**audited).Int(0), 5);
}

// What coverage costs for a community of 6,000 (printed; the cached answer must be cheaper).
TEST_P(FollowupServiceTest, CostFor6000Residents) {
    ASSERT_TRUE(
        db_->Write([&](db::Session& s) -> Status {
               for (int i = 0; i < 6000; ++i) {
                   const int building = i % 2;
                   ASSIGN_OR_RETURN(auto h, registry::RegistryStore::FindOrCreateHousehold(
                                                s, {.building_id = buildings_[building],
                                                    .unit = std::to_string(i % 4 + 1) + "单元",
                                                    .room = std::to_string(100 + i / 8),
                                                    .floor = 1 + i / 800}));
                   registry::Resident r;
                   r.household_id = h.id;
                   r.building_id = buildings_[building];
                   r.grid_id = grids_[building];
                   r.community_id = community_;
                   r.street_id = street_;
                   r.name = "居民" + std::to_string(i);
                   r.code_token = registry::NewCodeToken();
                   r.created_at = r.updated_at = kStart - kHour;
                   ASSIGN_OR_RETURN(int64_t id, registry::RegistryStore::InsertResident(s, r));
                   (void)id;
               }
               return Ok();
           })
            .ok());
    const int64_t round = AddRound("第1轮", kStart, kStart + 12 * kHour);
    ASSERT_TRUE(db_->Write([&](db::Session& s) -> Status {
                       return s.Exec(
                                   "INSERT INTO samples (round_id, resident_id, tube_id, site_id, "
                                   "table_id, scanned_at, received_at, scanned_by, warnings) "
                                   "SELECT CAST(? AS BIGINT), id, 1, 1, 1, CAST(? AS BIGINT), "
                                   "CAST(? AS BIGINT), 1, 0 FROM residents WHERE id % 3 <> 0",
                                   {round, kStart + kHour, kStart + kHour})
                                      .ok()
                                  ? Ok()
                                  : Internal("insert");
                   })
                    .ok());
    clock_.Advance(2 * kHour);
    using Clock = std::chrono::steady_clock;
    auto t0 = Clock::now();
    json::object first = Totals(round, staff_);
    auto t1 = Clock::now();
    json::object again = Totals(round, staff_);
    auto t2 = Clock::now();
    EXPECT_EQ(first["in_scope"].as_int64(), 6000);
    EXPECT_EQ(first["sampled"].as_int64(), 4000);
    EXPECT_EQ(again["missed"].as_int64(), 2000);
    EXPECT_EQ(service_->cache().computations(), 1) << "the second answer came from the cache";
    const double computed_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    const double cached_ms = std::chrono::duration<double, std::milli>(t2 - t1).count();
    std::printf(
        "[ figures  ] %s: coverage of 6,000 residents computed in %.1f ms, from the "
        "cache in %.1f ms\n",
        GetParam().c_str(), computed_ms, cached_ms);
    EXPECT_LT(cached_ms, computed_ms);
    // A new sample is taken into the last coverage without reading everyone again.
    Sample(round, 3, kStart + kHour + 5);
    auto t3 = Clock::now();
    json::object moved = Totals(round, staff_);
    auto t4 = Clock::now();
    EXPECT_EQ(moved["sampled"].as_int64(), 4001);
    EXPECT_EQ(moved["missed"].as_int64(), 1999);
    EXPECT_EQ(service_->cache().computations(), 1);
    EXPECT_EQ(service_->cache().updates(), 1);
    std::printf("[ figures  ] %s: after one more scan, updated in %.1f ms\n", GetParam().c_str(),
                std::chrono::duration<double, std::milli>(t4 - t3).count());
    // A new resident makes it compute again.
    AddResident(0, "999", "新居民");
    EXPECT_EQ(Totals(round, staff_)["in_scope"].as_int64(), 6001);
    EXPECT_EQ(service_->cache().computations(), 2);
}

BULWARK_FOLLOWUP_DB_TEST_SUITE(FollowupServiceTest);

}  // namespace
}  // namespace bulwark::testing::followup
