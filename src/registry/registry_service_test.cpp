#include "registry/registry_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "registry/id_number.hpp"
#include "registry/registry_test_fixture.hpp"

namespace bulwark::registry {
namespace {

using auth::Principal;
using auth::Role;
using auth::ScopeKind;

Principal Who(Role role, ScopeKind kind, int64_t id, std::vector<std::string> permissions) {
    std::sort(permissions.begin(), permissions.end());
    Principal p;
    p.user_id = 42;
    p.username = "tester";
    p.grants.push_back({.grant = {.role = role, .scope = {kind, id}}, .permissions = permissions});
    return p;
}

const std::vector<std::string> kStaffPermissions = {"residents.read", "residents.write",
                                                    "residents.unmask", "residents.export"};

std::string Id(const std::string& first17) { return first17 + IdCheckCharacter(first17); }

class RegistryServiceTest : public testing::RegistryDbTest {
protected:
    void SetUp() override {
        RegistryDbTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        service_ = std::make_unique<RegistryService>(*db_, *cipher_, clock_);
        auto street = service_->CreateStreet(leader_, "演示街道", "演示区");
        ASSERT_TRUE(street.ok()) << street.error().message;
        street_ = street->id;
        leader_ = Who(Role::kAdministrator, ScopeKind::kStreet, street_, kStaffPermissions);
        auto community = service_->CreateCommunity(leader_, street_, "雅仕居社区");
        ASSERT_TRUE(community.ok()) << community.error().message;
        community_ = community->id;
        auto other = service_->CreateCommunity(leader_, street_, "翠竹社区");
        ASSERT_TRUE(other.ok());
        other_community_ = other->id;
        auto grid = service_->CreateGrid(leader_, community_, "第1网格");
        ASSERT_TRUE(grid.ok()) << grid.error().message;
        grid_ = grid->id;
        auto other_grid = service_->CreateGrid(leader_, other_community_, "第1网格");
        ASSERT_TRUE(other_grid.ok());
        auto building = service_->CreateBuilding(leader_, grid_, "3栋", 18);
        ASSERT_TRUE(building.ok()) << building.error().message;
        building_ = building->id;
        auto other_building = service_->CreateBuilding(leader_, other_grid->id, "1栋", 6);
        ASSERT_TRUE(other_building.ok());
        other_building_ = other_building->id;
        staff_ = Who(Role::kStaff, ScopeKind::kCommunity, community_, kStaffPermissions);
    }

    ResidentInput Person(const std::string& name, const std::string& id_number,
                         const std::string& phone, int64_t building, std::string room = "1203") {
        ResidentInput in;
        in.building_id = building;
        in.unit = "2单元";
        in.room = room;
        in.name = name;
        in.doc_number = id_number;
        in.phone = phone;
        return in;
    }

    int64_t AuditCount(const std::string& action) {
        return CountRows("SELECT COUNT(*) FROM audit_log WHERE action = ?", {action});
    }

    // The street's leadership creates the street with a street-level grant over a street that
    // does not exist yet (id 0 is never a scope, so use any street grant).
    Principal leader_ = Who(Role::kAdministrator, ScopeKind::kStreet, 999, kStaffPermissions);
    Principal staff_;
    std::unique_ptr<RegistryService> service_;
    int64_t street_ = 0, community_ = 0, other_community_ = 0, grid_ = 0, building_ = 0,
            other_building_ = 0;
};

TEST_P(RegistryServiceTest, CreateMasksAndDerivesFromTheIdNumber) {
    std::string id = Id("99000119500315002");  // born 1950-03-15, female
    ResidentInput in = Person("  王 芳 ", "９９０００１１９５００３１５００２" + id.substr(17),
                              "138 0013 8000", building_);
    in.tags = std::vector<std::string>{"disabled"};
    auto created = service_->CreateResident(staff_, in);
    ASSERT_TRUE(created.ok()) << created.error().message;
    const MaskedResident& m = *created;
    EXPECT_EQ(m.detail.resident.name, "王芳");
    EXPECT_EQ(m.detail.resident.name_initials, "wf");
    EXPECT_EQ(m.detail.resident.birth_date, 19500315);
    EXPECT_EQ(m.detail.resident.sex, Sex::kFemale);
    EXPECT_EQ(m.doc_number_masked, "990001********" + id.substr(14));
    EXPECT_EQ(m.phone_masked, "138****8000");
    EXPECT_EQ(m.age, 74);
    EXPECT_EQ(m.tags, tags::kDisabled | tags::kElderly60);
    EXPECT_EQ(m.detail.room, "1203");
    EXPECT_EQ(AuditCount("resident.create"), 1);

    // Disagreeing birth date or sex, a bad check digit, a bad phone: precise field errors.
    ResidentInput bad = Person("李四", Id("99000119800101001"), "", building_);
    bad.birth_date = "1980-01-02";
    auto e1 = service_->CreateResident(staff_, bad);
    ASSERT_FALSE(e1.ok());
    EXPECT_EQ(e1.error().field, "birth_date");
    EXPECT_EQ(e1.error().message, "出生日期: 与身份证号不一致");
    std::string wrong = Id("99000119800101001");
    wrong[17] = wrong[17] == '0' ? '1' : '0';
    auto e2 = service_->CreateResident(staff_, Person("李四", wrong, "", building_));
    ASSERT_FALSE(e2.ok());
    EXPECT_EQ(e2.error().message, "身份证号: 校验位错误");
    EXPECT_EQ(e2.error().field, "doc_number");
    auto e3 = service_->CreateResident(staff_, Person("李四", "", "1380013800", building_));
    ASSERT_FALSE(e3.ok());
    EXPECT_EQ(e3.error().field, "phone");
    // The same document twice.
    auto e4 = service_->CreateResident(staff_, Person("王芳", id, "", building_, "101"));
    ASSERT_FALSE(e4.ok());
    EXPECT_EQ(e4.error().code, ErrorCode::kAlreadyExists);
    // A building outside the caller's scope looks missing.
    auto e5 = service_->CreateResident(staff_, Person("赵六", "", "", other_building_));
    ASSERT_FALSE(e5.ok());
    EXPECT_EQ(e5.error().code, ErrorCode::kNotFound);
}

TEST_P(RegistryServiceTest, ReadsAreScopedAndAudited) {
    auto mine = service_->CreateResident(
        staff_, Person("张三", Id("99000119900101001"), "19900001234", building_));
    ASSERT_TRUE(mine.ok()) << mine.error().message;
    auto theirs = service_->CreateResident(
        leader_, Person("钱七", Id("99000119900101010"), "", other_building_));
    ASSERT_TRUE(theirs.ok()) << theirs.error().message;

    auto got = service_->GetResident(staff_, mine->detail.resident.id);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(AuditCount("resident.read"), 1);
    auto hidden = service_->GetResident(staff_, theirs->detail.resident.id);
    ASSERT_FALSE(hidden.ok());
    EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(hidden.error().message, "未找到");
    auto missing = service_->GetResident(staff_, 999999);
    EXPECT_EQ(missing.error().message, hidden.error().message);

    auto page = service_->ListResidents(staff_, {});
    ASSERT_TRUE(page.ok()) << page.error().message;
    EXPECT_EQ(page->total, 1);
    ASSERT_EQ(page->items.size(), 1u);
    EXPECT_EQ(page->items[0].phone_masked, "199****1234");
    auto leader_page = service_->ListResidents(leader_, {});
    EXPECT_EQ(leader_page->total, 2);
    EXPECT_EQ(AuditCount("resident.search"), 2);

    // Search by the last four digits, by initials, by the whole number (audited without it).
    EXPECT_EQ(service_->ListResidents(staff_, {.q = "1234"})->total, 1);
    EXPECT_EQ(service_->ListResidents(staff_, {.q = "ZS"})->total, 1);
    EXPECT_EQ(service_->ListResidents(staff_, {.q = "张"})->total, 1);
    EXPECT_EQ(service_->ListResidents(staff_, {.q = Id("99000119900101001")})->total, 1);
    EXPECT_EQ(service_->ListResidents(staff_, {.q = Id("99000119900101010")})->total, 0);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM audit_log WHERE detail LIKE ?",
                        {"%" + Id("99000119900101001") + "%"}),
              0);
    EXPECT_EQ(service_->ListResidents(staff_, {.tag = "elderly_60"})->total, 0);
    EXPECT_FALSE(service_->ListResidents(staff_, {.tag = "nonsense"}).ok());

    // A grid worker of another grid sees nothing of this one.
    Principal grid_worker =
        Who(Role::kGridWorker, ScopeKind::kGrid, grid_ + 1000, {"residents.read"});
    EXPECT_EQ(service_->ListResidents(grid_worker, {})->total, 0);
    Principal own_grid = Who(Role::kGridWorker, ScopeKind::kGrid, grid_, {"residents.read"});
    EXPECT_EQ(service_->ListResidents(own_grid, {})->total, 1);
    auto tree = service_->Places(own_grid);
    ASSERT_TRUE(tree.ok());
    ASSERT_EQ(tree->streets.size(), 1u);
    ASSERT_EQ(tree->streets[0].communities.size(), 1u);
    ASSERT_EQ(tree->streets[0].communities[0].grids.size(), 1u);
    ASSERT_EQ(tree->streets[0].communities[0].grids[0].buildings.size(), 1u);
    EXPECT_EQ(tree->streets[0].communities[0].grids[0].buildings[0].residents, 1);
    auto full_tree = service_->Places(leader_);
    EXPECT_EQ(full_tree->streets[0].communities.size(), 2u);
}

TEST_P(RegistryServiceTest, UnmaskNeedsPermissionAndReasonAndIsAudited) {
    std::string id = Id("99000119900101001");
    auto r = service_->CreateResident(staff_, Person("张三", id, "19900001234", building_));
    ASSERT_TRUE(r.ok());
    int64_t rid = r->detail.resident.id;
    auto no_reason = service_->Unmask(staff_, rid, "  ");
    ASSERT_FALSE(no_reason.ok());
    EXPECT_EQ(no_reason.error().field, "reason");
    auto shown = service_->Unmask(staff_, rid, "核对身份");
    ASSERT_TRUE(shown.ok()) << shown.error().message;
    EXPECT_EQ(shown->doc_number, id);
    EXPECT_EQ(shown->phone, "19900001234");
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.unmask' AND "
                        "reason = ? AND subject_id = ?",
                        {"核对身份", rid}),
              1);
    Principal reader = Who(Role::kGridWorker, ScopeKind::kGrid, grid_, {"residents.read"});
    auto denied = service_->Unmask(reader, rid, "好奇");
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    Principal outsider =
        Who(Role::kStaff, ScopeKind::kCommunity, other_community_, kStaffPermissions);
    EXPECT_EQ(service_->Unmask(outsider, rid, "好奇").error().code, ErrorCode::kNotFound);
}

TEST_P(RegistryServiceTest, EditsCheckTheVersion) {
    auto r =
        service_->CreateResident(staff_, Person("张三", Id("99000119900101001"), "", building_));
    ASSERT_TRUE(r.ok());
    int64_t rid = r->detail.resident.id;
    ResidentInput edit;
    edit.presence = "away";
    edit.phone = "13900139000";
    edit.room = "1505";
    auto edited = service_->UpdateResident(staff_, rid, 1, edit);
    ASSERT_TRUE(edited.ok()) << edited.error().message;
    EXPECT_EQ(edited->detail.resident.version, 2);
    EXPECT_EQ(edited->detail.resident.presence, Presence::kAway);
    EXPECT_EQ(edited->detail.room, "1505");
    EXPECT_EQ(edited->phone_masked, "139****9000");
    EXPECT_EQ(edited->detail.resident.name, "张三");
    auto stale = service_->UpdateResident(staff_, rid, 1, edit);
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(stale.error().field, "version");
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.update' AND "
                        "detail LIKE '%presence%'"),
              1);
    // Moving someone into a building outside one's scope is refused as missing.
    ResidentInput move;
    move.building_id = other_building_;
    EXPECT_EQ(service_->UpdateResident(staff_, rid, 2, move).error().code, ErrorCode::kNotFound);

    auto before =
        db_->ReadValue([&](db::Session& s) { return RegistryStore::GetResident(s, rid); });
    auto reissued = service_->ReissueCode(staff_, rid);
    ASSERT_TRUE(reissued.ok()) << reissued.error().message;
    EXPECT_NE(reissued->code_token, (*before)->resident.code_token);
    auto by_new = service_->ResidentByCode(reissued->code_token);
    ASSERT_TRUE(by_new.ok()) << by_new.error().message;
    EXPECT_EQ(ScannerView(*by_new).masked_name, "*三");
    EXPECT_EQ(ScannerView(*by_new).room, "1505");
    EXPECT_EQ(service_->ResidentByCode((*before)->resident.code_token).error().code,
              ErrorCode::kNotFound);
    EXPECT_GE(reissued->code_token.size(), 20u);
    auto old = db_->ReadValue([&](db::Session& s) {
        return RegistryStore::FindByCodeToken(s, (*before)->resident.code_token);
    });
    EXPECT_FALSE(old->has_value());
}

TEST_P(RegistryServiceTest, DuplicatesAreListedMasked) {
    ResidentInput a = Person("刘一", "", "", building_, "101");
    a.birth_date = "1980-01-01";
    ResidentInput b = Person("刘一", Id("99000119800101004"), "", building_, "102");
    ASSERT_TRUE(service_->CreateResident(staff_, a).ok());
    ASSERT_TRUE(service_->CreateResident(staff_, b).ok());
    auto groups = service_->Duplicates(staff_);
    ASSERT_TRUE(groups.ok()) << groups.error().message;
    ASSERT_EQ(groups->size(), 1u);
    EXPECT_EQ((*groups)[0].members.size(), 2u);
    EXPECT_EQ(AuditCount("resident.duplicates"), 1);
}

TEST_P(RegistryServiceTest, ListsFilterByPlaceAndRoomAndSortInPinyinOrder) {
    // Pinyin order is not code point order: 阿 (ā) < 白 (bái) < 陈 (chén) < 张 (zhāng), while
    // their code points run 张 5F20 < 白 767D < 阿 963F < 陈 9648: only a collation gets it.
    for (const auto& [name, room] : std::vector<std::pair<std::string, std::string>>{
             {"张伟", "101"}, {"白雪", "1203"}, {"陈静", "102"}, {"阿芳", "1203"}}) {
        auto created = service_->CreateResident(staff_, Person(name, "", "", building_, room));
        ASSERT_TRUE(created.ok()) << created.error().message;
    }
    ASSERT_TRUE(
        service_->CreateResident(leader_, Person("艾米", "", "", other_building_, "1203")).ok());

    auto names = [](const ResidentPage& page) {
        std::vector<std::string> out;
        for (const MaskedResident& m : page.items) out.push_back(m.detail.resident.name);
        return out;
    };
    auto by_name = service_->ListResidents(staff_, {.sort = "name"});
    ASSERT_TRUE(by_name.ok()) << by_name.error().message;
    EXPECT_EQ(names(*by_name), (std::vector<std::string>{"阿芳", "白雪", "陈静", "张伟"}));
    // Address order: rooms by number (101, 102, 1203), then names in pinyin order.
    auto by_address = service_->ListResidents(staff_, {});
    ASSERT_TRUE(by_address.ok());
    EXPECT_EQ(names(*by_address), (std::vector<std::string>{"张伟", "陈静", "阿芳", "白雪"}));
    // Renaming moves a person in the order.
    auto zhang = by_name->items.back();
    ResidentInput rename;
    rename.name = "安然";
    ASSERT_TRUE(service_
                    ->UpdateResident(staff_, zhang.detail.resident.id,
                                     zhang.detail.resident.version, rename)
                    .ok());
    EXPECT_EQ(names(*service_->ListResidents(staff_, {.sort = "name"})),
              (std::vector<std::string>{"阿芳", "安然", "白雪", "陈静"}));
    EXPECT_FALSE(service_->ListResidents(staff_, {.sort = "age"}).ok());

    // Room: exact, as typed with full-width digits or a 室.
    EXPECT_EQ(service_->ListResidents(staff_, {.room = "1203"})->total, 2);
    EXPECT_EQ(service_->ListResidents(staff_, {.room = " １２０３室"})->total, 2);
    EXPECT_EQ(service_->ListResidents(staff_, {.room = "120"})->total, 0);
    EXPECT_EQ(service_->ListResidents(leader_, {.room = "1203"})->total, 3);
    // Street and community: the street's leader narrows to one community; staff of one
    // community asking for another's get nothing (scope still applies).
    EXPECT_EQ(service_->ListResidents(leader_, {.street_id = street_})->total, 5);
    EXPECT_EQ(service_->ListResidents(leader_, {.community_id = other_community_})->total, 1);
    EXPECT_EQ(service_->ListResidents(leader_, {.community_id = community_})->total, 4);
    EXPECT_EQ(service_->ListResidents(staff_, {.community_id = other_community_})->total, 0);
    EXPECT_EQ(service_->ListResidents(leader_, {.street_id = street_ + 1000})->total, 0);
}

TEST_P(RegistryServiceTest, SortKeysOfOlderRowsAreFilledAtStart) {
    for (const char* name : {"张伟", "白雪"}) {
        ASSERT_TRUE(service_->CreateResident(staff_, Person(name, "", "", building_)).ok());
    }
    // As a database written before registry migration 3 looks.
    ASSERT_TRUE(db_->Write([](db::Session& s) -> Status {
                       RETURN_IF_ERROR(s.Exec("UPDATE residents SET name_sort = NULL"));
                       RETURN_IF_ERROR(
                           s.Exec("INSERT INTO registry_pending_work (name) VALUES ('name_sort')"));
                       return Ok();
                   })
                    .ok());
    ASSERT_TRUE(*db_->ReadValue([](db::Session& s) { return RegistryStore::NameSortPending(s); }));
    auto last =
        db_->WriteValue([](db::Session& s) { return RegistryStore::FillNameSortKeys(s, 0, 1); });
    ASSERT_TRUE(last.ok()) << last.error().message;
    EXPECT_GT(*last, 0);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM residents WHERE name_sort IS NULL"), 1);
    auto rest = db_->WriteValue(
        [&](db::Session& s) { return RegistryStore::FillNameSortKeys(s, *last, 10); });
    ASSERT_TRUE(rest.ok());
    auto none = db_->WriteValue(
        [&](db::Session& s) { return RegistryStore::FillNameSortKeys(s, *rest, 10); });
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(*none, 0);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM residents WHERE name_sort IS NULL"), 0);
    EXPECT_FALSE(*db_->ReadValue([](db::Session& s) { return RegistryStore::NameSortPending(s); }));
    std::vector<std::string> order;
    auto page = service_->ListResidents(staff_, {.sort = "name"});
    ASSERT_TRUE(page.ok());
    for (const MaskedResident& m : page->items) {
        order.push_back(m.detail.resident.name);
    }
    EXPECT_EQ(order, (std::vector<std::string>{"白雪", "张伟"}));
}

BULWARK_REGISTRY_DB_TEST_SUITE(RegistryServiceTest);

}  // namespace
}  // namespace bulwark::registry
