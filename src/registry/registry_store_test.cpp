#include "registry/registry_store.hpp"

#include <gtest/gtest.h>

#include "registry/id_number.hpp"
#include "registry/registry_test_fixture.hpp"
#include "registry/sealing.hpp"
#include "registry/synthetic_population.hpp"

namespace bulwark::registry {
namespace {

class RegistryStoreTest : public testing::RegistryDbTest {
protected:
    struct Places {
        Street street;
        Community community;
        Grid grid;
        Building building;
    };

    Places MakePlaces(const std::string& suffix = "") {
        Places p;
        Status s = db_->Write([&](db::Session& s) -> Status {
            ASSIGN_OR_RETURN(p.street,
                             RegistryStore::InsertStreet(
                                 s, {.name = "演示街道" + suffix, .district = "演示区"}, kStart));
            ASSIGN_OR_RETURN(p.community,
                             RegistryStore::InsertCommunity(
                                 s, {.street_id = p.street.id, .name = "雅仕居社区"}, kStart));
            ASSIGN_OR_RETURN(p.grid,
                             RegistryStore::InsertGrid(
                                 s, {.community_id = p.community.id, .name = "第1网格"}, kStart));
            ASSIGN_OR_RETURN(p.building,
                             RegistryStore::InsertBuilding(s,
                                                           {.street_id = p.street.id,
                                                            .community_id = p.community.id,
                                                            .grid_id = p.grid.id,
                                                            .name = "3栋",
                                                            .floors = 18},
                                                           kStart));
            return Ok();
        });
        EXPECT_TRUE(s.ok()) << s.error().message;
        return p;
    }

    Resident NewResident(const Places& p, const std::string& name, const std::string& initials,
                         const std::string& id_number, const std::string& phone,
                         const std::string& room = "1203") {
        Resident r;
        auto household = db_->WriteValue([&](db::Session& s) {
            return RegistryStore::FindOrCreateHousehold(
                s, {.building_id = p.building.id, .unit = "2单元", .room = room, .floor = 12});
        });
        EXPECT_TRUE(household.ok());
        r.household_id = household->id;
        r.building_id = p.building.id;
        r.grid_id = p.grid.id;
        r.community_id = p.community.id;
        r.street_id = p.street.id;
        r.name = name;
        r.name_initials = initials;
        SealDocument(*cipher_, id_number.empty() ? DocType::kNone : DocType::kIdCard, id_number,
                     &r);
        SealPhone(*cipher_, phone, &r);
        if (!id_number.empty()) {
            auto info = ParseIdNumber(id_number);
            EXPECT_TRUE(info.ok()) << id_number;
            r.birth_date = info->birth_date;
            r.sex = info->sex;
        }
        r.code_token = NewCodeToken();
        r.code_issued_at = r.created_at = r.updated_at = kStart;
        return r;
    }

    int64_t Insert(const Resident& r) {
        auto id =
            db_->WriteValue([&](db::Session& s) { return RegistryStore::InsertResident(s, r); });
        EXPECT_TRUE(id.ok()) << id.error().message;
        return id.ok() ? *id : 0;
    }

    static std::string Id(const std::string& first17) {
        return first17 + IdCheckCharacter(first17);
    }
};

TEST_P(RegistryStoreTest, ResidentRoundTrip) {
    Places p = MakePlaces();
    Resident r = NewResident(p, "张三", "zs", Id("99000119900101001"), "19900001234");
    r.tags = tags::kDisabled | tags::kChronic;
    r.notes = "轮椅";
    r.presence = Presence::kAway;
    r.residency = Residency::kTenant;
    int64_t id = Insert(r);
    ASSERT_GT(id, 0);

    auto got = db_->ReadValue([&](db::Session& s) { return RegistryStore::GetResident(s, id); });
    ASSERT_TRUE(got.ok()) << got.error().message;
    ASSERT_TRUE(got->has_value());
    const ResidentDetail& d = **got;
    EXPECT_EQ(d.resident.name, "张三");
    EXPECT_EQ(d.resident.doc_type, DocType::kIdCard);
    EXPECT_EQ(d.resident.doc_enc, r.doc_enc);
    EXPECT_EQ(d.resident.doc_idx, r.doc_idx);
    EXPECT_EQ(d.resident.doc_tail, "0013");
    EXPECT_EQ(d.resident.phone_tail, "1234");
    EXPECT_EQ(d.resident.birth_date, 19900101);
    EXPECT_EQ(d.resident.sex, Sex::kMale);
    EXPECT_EQ(d.resident.tags, tags::kDisabled | tags::kChronic);
    EXPECT_EQ(d.resident.presence, Presence::kAway);
    EXPECT_EQ(d.resident.residency, Residency::kTenant);
    EXPECT_EQ(d.resident.notes, "轮椅");
    EXPECT_EQ(d.resident.code_token, r.code_token);
    EXPECT_EQ(d.resident.version, 1);
    EXPECT_EQ(d.street, "演示街道");
    EXPECT_EQ(d.community, "雅仕居社区");
    EXPECT_EQ(d.grid, "第1网格");
    EXPECT_EQ(d.building, "3栋");
    EXPECT_EQ(d.unit, "2单元");
    EXPECT_EQ(d.room, "1203");
    auto plain = Unseal(*cipher_, d.resident);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->doc_number, Id("99000119900101001"));
    EXPECT_EQ(plain->phone, "19900001234");

    auto by_index = db_->ReadValue([&](db::Session& s) {
        return RegistryStore::FindIdByDocIndex(s, cipher_->BlindIndex(Id("99000119900101001")));
    });
    ASSERT_TRUE(by_index.ok());
    EXPECT_EQ(by_index->value_or(0), id);
    auto by_code = db_->ReadValue(
        [&](db::Session& s) { return RegistryStore::FindByCodeToken(s, r.code_token); });
    ASSERT_TRUE(by_code.ok());
    ASSERT_TRUE(by_code->has_value());
    EXPECT_EQ((*by_code)->resident.id, id);

    // The same document again is refused by the unique index.
    Resident twin = NewResident(p, "张三", "zs", Id("99000119900101001"), "");
    auto dup =
        db_->WriteValue([&](db::Session& s) { return RegistryStore::InsertResident(s, twin); });
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);

    // No document and no phone are stored as NULL, and several such residents coexist.
    int64_t baby1 = Insert(NewResident(p, "张小一", "zxy", "", ""));
    int64_t baby2 = Insert(NewResident(p, "张小二", "zxe", "", ""));
    ASSERT_GT(baby1, 0);
    ASSERT_GT(baby2, 0);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM residents WHERE doc_enc IS NULL AND doc_idx IS NULL "
                        "AND phone_enc IS NULL AND phone_idx IS NULL"),
              2);
}

TEST_P(RegistryStoreTest, UpdateChecksVersion) {
    Places p = MakePlaces();
    Resident r = NewResident(p, "李四", "ls", Id("99000119850505002"), "19900005678");
    r.id = Insert(r);
    r.name = "李思";
    r.updated_at = kStart + 1;
    auto ok =
        db_->WriteValue([&](db::Session& s) { return RegistryStore::UpdateResident(s, r, 1); });
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_TRUE(*ok);
    auto stale =
        db_->WriteValue([&](db::Session& s) { return RegistryStore::UpdateResident(s, r, 1); });
    ASSERT_TRUE(stale.ok());
    EXPECT_FALSE(*stale);
    auto got = db_->ReadValue([&](db::Session& s) { return RegistryStore::GetResident(s, r.id); });
    EXPECT_EQ((*got)->resident.name, "李思");
    EXPECT_EQ((*got)->resident.version, 2);

    std::string old_token = r.code_token;
    auto replaced = db_->WriteValue([&](db::Session& s) {
        return RegistryStore::ReplaceCodeToken(s, r.id, "newtoken", kStart + 2);
    });
    ASSERT_TRUE(replaced.ok());
    EXPECT_TRUE(*replaced);
    auto old = db_->ReadValue(
        [&](db::Session& s) { return RegistryStore::FindByCodeToken(s, old_token); });
    ASSERT_TRUE(old.ok());
    EXPECT_FALSE(old->has_value());
}

TEST_P(RegistryStoreTest, ListsFilterSearchSortAndScope) {
    Places a = MakePlaces();
    Places b = MakePlaces("二");
    Insert(NewResident(a, "王五", "ww", Id("99000119700101003"), "19900000001", "302"));
    Insert(NewResident(a, "赵六", "zl", Id("99000119700101011"), "19900000002", "1203"));
    Insert(NewResident(a, "张三", "zs", Id("99000119700101029"), "19900004321", "1203"));
    Insert(NewResident(b, "钱七", "qq", Id("99000119700101037"), "19900000003", "101"));

    ResidentFilter f;
    f.scope.streets = {a.street.id};
    auto list = db_->ReadValue([&](db::Session& s) { return RegistryStore::ListResidents(s, f); });
    ASSERT_TRUE(list.ok()) << list.error().message;
    ASSERT_EQ(list->size(), 3u);
    // Room 302 (floor 3) before 1203; within a room in pinyin order: zhang before zhao (by
    // initials alone, zl would have come before zs).
    EXPECT_EQ((*list)[0].resident.name, "王五");
    EXPECT_EQ((*list)[1].resident.name, "张三");
    EXPECT_EQ((*list)[2].resident.name, "赵六");
    auto count =
        db_->ReadValue([&](db::Session& s) { return RegistryStore::CountResidents(s, f); });
    EXPECT_EQ(*count, 3);

    auto search = [&](ResidentFilter filter) {
        auto r =
            db_->ReadValue([&](db::Session& s) { return RegistryStore::ListResidents(s, filter); });
        EXPECT_TRUE(r.ok()) << r.error().message;
        std::vector<std::string> names;
        for (const auto& d : *r) names.push_back(d.resident.name);
        return names;
    };
    ResidentFilter by_tail = f;
    by_tail.tail = "4321";
    EXPECT_EQ(search(by_tail), std::vector<std::string>{"张三"});
    ResidentFilter by_initials = f;
    by_initials.initials_prefix = "z";
    EXPECT_EQ(search(by_initials), (std::vector<std::string>{"张三", "赵六"}));
    ResidentFilter by_name = f;
    by_name.name_like = "六";
    EXPECT_EQ(search(by_name), std::vector<std::string>{"赵六"});
    ResidentFilter by_index = f;
    by_index.blind_index = cipher_->BlindIndex(Id("99000119700101003"));
    EXPECT_EQ(search(by_index), std::vector<std::string>{"王五"});
    ResidentFilter by_phone = f;
    by_phone.blind_index = cipher_->BlindIndex("19900000002");
    EXPECT_EQ(search(by_phone), std::vector<std::string>{"赵六"});
    ResidentFilter wildcard = f;
    wildcard.name_like = "%";
    EXPECT_TRUE(search(wildcard).empty());

    // Another street's resident is outside the scope even when searched for exactly.
    ResidentFilter outside = f;
    outside.blind_index = cipher_->BlindIndex(Id("99000119700101037"));
    EXPECT_TRUE(search(outside).empty());
    ResidentFilter grid_scope;
    grid_scope.scope.grids = {b.grid.id};
    EXPECT_EQ(search(grid_scope), std::vector<std::string>{"钱七"});
    ResidentFilter nothing;
    EXPECT_TRUE(search(nothing).empty());

    ResidentFilter paged = f;
    paged.limit = 2;
    paged.offset = 2;
    EXPECT_EQ(search(paged), std::vector<std::string>{"赵六"});

    auto counts =
        db_->ReadValue([&](db::Session& s) { return RegistryStore::CountByBuilding(s, f.scope); });
    ASSERT_TRUE(counts.ok());
    ASSERT_EQ(counts->size(), 1u);
    EXPECT_EQ((*counts)[0].residents, 3);
    EXPECT_EQ((*counts)[0].households, 2);
}

TEST_P(RegistryStoreTest, Duplicates) {
    Places p = MakePlaces();
    Resident one = NewResident(p, "刘一", "ly", Id("99000119800101004"), "");
    Resident two = NewResident(p, "刘一", "ly", "", "", "505");
    two.birth_date = 19800101;
    Insert(one);
    Insert(two);
    Insert(NewResident(p, "刘二", "le", Id("99000119800101012"), ""));
    ScopeFilter scope{.streets = {p.street.id}};
    auto groups =
        db_->ReadValue([&](db::Session& s) { return RegistryStore::ListDuplicates(s, scope, 10); });
    ASSERT_TRUE(groups.ok()) << groups.error().message;
    ASSERT_EQ(groups->size(), 1u);
    EXPECT_EQ((*groups)[0].name, "刘一");
    EXPECT_EQ((*groups)[0].members.size(), 2u);
}

TEST_P(RegistryStoreTest, LoadsTheDemoCommunityOnceAndIdsContinueAfterIt) {
    PopulationOptions options{.scale = Scale::kCommunity, .seed = 11, .reference_date = 20240601};
    int calls = 0;
    auto report =
        LoadPopulation(*db_, *cipher_, clock_, options, [&](const LoadReport&) { ++calls; });
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->streets, 1);
    EXPECT_EQ(report->communities, 1);
    EXPECT_GE(report->grids, 3);
    EXPECT_GE(calls, report->buildings);
    EXPECT_GT(report->residents, 5000);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM residents"), report->residents);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM households"), report->households);
    EXPECT_EQ(CountRows("SELECT COUNT(DISTINCT code_token) FROM residents"), report->residents);
    // The unique indexes are back after the load.
    Status dup = db_->Write([&](db::Session& s) -> Status {
        return s.Exec(
                    "INSERT INTO residents (household_id, building_id, grid_id, community_id, "
                    "street_id, name, name_initials, doc_type, doc_tail, phone_tail, sex, "
                    "birth_date, residency, presence, tags, notes, code_token, code_issued_at, "
                    "created_at, updated_at, version) SELECT household_id, building_id, grid_id, "
                    "community_id, street_id, name, name_initials, doc_type, doc_tail, "
                    "phone_tail, sex, birth_date, residency, presence, tags, notes, code_token, "
                    "code_issued_at, created_at, updated_at, version FROM residents WHERE id = 1")
                       .ok()
                   ? Ok()
                   : Status(AlreadyExists("refused"));
    });
    EXPECT_FALSE(dup.ok()) << "code_token must be unique again";
    // The planner has statistics of what was loaded (the scans' lookups rely on them).
    EXPECT_GT(CountRows(db_->dialect() == db::Dialect::kPostgres
                            ? "SELECT COUNT(DISTINCT tablename) FROM pg_stats WHERE tablename IN "
                              "('residents', 'households', 'buildings')"
                            : "SELECT COUNT(DISTINCT tbl) FROM sqlite_stat1 WHERE tbl IN "
                              "('residents', 'households', 'buildings')"),
              2);

    // New rows get ids after the loaded ones (PostgreSQL's sequence was moved on).
    auto building =
        db_->ReadValue([&](db::Session& s) { return RegistryStore::GetBuilding(s, 1); });
    ASSERT_TRUE(building.ok() && building->has_value());
    Places p{.street = {.id = (*building)->street_id},
             .community = {.id = (*building)->community_id},
             .grid = {.id = (*building)->grid_id},
             .building = **building};
    int64_t id = Insert(NewResident(p, "新人", "xr", Id("99000120000101005"), "", "9901"));
    // (PostgreSQL's failed insert above used up one value of the sequence.)
    EXPECT_GT(id, report->residents);
    EXPECT_LE(id, report->residents + 2);

    auto again = LoadPopulation(*db_, *cipher_, clock_, options);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
}

BULWARK_REGISTRY_DB_TEST_SUITE(RegistryStoreTest);

}  // namespace
}  // namespace bulwark::registry
