#include "testing/model.hpp"

#include <gtest/gtest.h>

#include "registry/model.hpp"

namespace bulwark::testing {
namespace {

constexpr int64_t kHour = 3600LL * 1000;
// 2024-06-01 08:00 China time (00:00 UTC), a Saturday.
constexpr int64_t kStart = 1'717'200'000'000;

Round Window(int64_t starts_at, int64_t ends_at) {
    Round r;
    r.name = "第1轮";
    r.community_id = 3;
    r.starts_at = starts_at;
    r.ends_at = ends_at;
    r.site_ids = {1};
    return r;
}

TEST(PoolTest, OnlyTheFourPoolSizes) {
    for (int n : {1, 5, 10, 20}) EXPECT_TRUE(IsValidPoolSize(n)) << n;
    for (int n : {0, 2, 4, 6, 15, 21, 100, -5}) EXPECT_FALSE(IsValidPoolSize(n)) << n;
}

TEST(TubeTest, ClosesByItselfAtItsPoolSize) {
    Tube t;
    t.pool_size = 5;
    for (int i = 0; i < 4; ++i) {
        t.count = i;
        EXPECT_EQ(FillTube(t), TubeFill::kAccepted) << i;
    }
    t.count = 4;
    EXPECT_EQ(FillTube(t), TubeFill::kAcceptedLast);
    EXPECT_TRUE(ClosesAt(5, 5));
    EXPECT_FALSE(ClosesAt(4, 5));
    t.count = 5;
    t.status = TubeStatus::kClosed;
    EXPECT_EQ(FillTube(t), TubeFill::kFull);
}

TEST(TubeTest, SingleTubeTakesOneSwab) {
    Tube t;
    t.pool_size = 1;
    EXPECT_EQ(FillTube(t), TubeFill::kAcceptedLast);
    t.count = 1;
    t.status = TubeStatus::kClosed;
    EXPECT_EQ(FillTube(t), TubeFill::kFull);
}

TEST(TubeTest, ClosedByHandBeforeFull) {
    Tube t;
    t.pool_size = 10;
    t.count = 3;
    t.status = TubeStatus::kClosed;
    EXPECT_EQ(FillTube(t), TubeFill::kClosed);
}

TEST(TubeTest, Barcodes) {
    EXPECT_TRUE(ValidateBarcode("T2024-000001", "barcode").ok());
    EXPECT_FALSE(ValidateBarcode("T1", "barcode").ok());
    EXPECT_FALSE(ValidateBarcode("T 0001", "barcode").ok());
    EXPECT_FALSE(ValidateBarcode(std::string(41, '1'), "barcode").ok());
    EXPECT_EQ(ValidateBarcode("条码0001", "tube_barcode").error().field, "tube_barcode");
}

TEST(SingleTubeTest, PriorityGroupsAndControlAreas) {
    Round r = Window(kStart, kStart + 12 * kHour);
    r.single_tube_tags = registry::tags::kElderly80 | registry::tags::kBedridden;
    EXPECT_TRUE(NeedsSingleTube(r, registry::tags::kElderly60 | registry::tags::kElderly80, false));
    EXPECT_TRUE(NeedsSingleTube(r, registry::tags::kBedridden, false));
    EXPECT_FALSE(NeedsSingleTube(r, registry::tags::kElderly60, false));
    EXPECT_FALSE(NeedsSingleTube(r, 0, true));
    r.single_tube_control_areas = true;
    EXPECT_TRUE(NeedsSingleTube(r, 0, true));
    EXPECT_FALSE(NeedsSingleTube(r, 0, false));
}

TEST(RoundTest, StatusFollowsTheWindowAndTheHandClose) {
    Round r = Window(kStart, kStart + 12 * kHour);
    EXPECT_EQ(StatusAt(r, kStart - 1), RoundStatus::kPlanned);
    EXPECT_EQ(StatusAt(r, kStart), RoundStatus::kOpen);
    EXPECT_EQ(StatusAt(r, kStart + 12 * kHour - 1), RoundStatus::kOpen);
    EXPECT_EQ(StatusAt(r, kStart + 12 * kHour), RoundStatus::kClosed);
    r.closed_at = kStart + 2 * kHour;
    EXPECT_EQ(StatusAt(r, kStart + kHour), RoundStatus::kOpen);
    EXPECT_EQ(StatusAt(r, kStart + 2 * kHour), RoundStatus::kClosed);
    EXPECT_EQ(EffectiveEnd(r), kStart + 2 * kHour);
}

TEST(RoundTest, LateArrivalsOfScansTakenInTheWindow) {
    Round r = Window(kStart, kStart + 12 * kHour);
    const int64_t end = kStart + 12 * kHour;
    EXPECT_TRUE(AcceptsSample(r, kStart, kStart));
    EXPECT_FALSE(AcceptsSample(r, kStart - 1, kStart));
    EXPECT_TRUE(AcceptsSample(r, end - 1, end + kLateArrivalMs));
    EXPECT_FALSE(AcceptsSample(r, end - 1, end + kLateArrivalMs + 1));
    EXPECT_FALSE(AcceptsSample(r, end, end));
    EXPECT_FALSE(AcceptsTube(r, kStart - 1));
    EXPECT_TRUE(AcceptsTube(r, end + kHour));
    EXPECT_FALSE(AcceptsTube(r, end + kLateArrivalMs + 1));
    r.closed_at = kStart + kHour;
    EXPECT_FALSE(AcceptsTube(r, kStart + kHour));
    EXPECT_TRUE(AcceptsSample(r, kStart + kHour - 1, kStart + 2 * kHour));
    EXPECT_FALSE(AcceptsSample(r, kStart + kHour, kStart + kHour));
}

TEST(RoundTest, Validation) {
    Round r = Window(kStart, kStart + 12 * kHour);
    EXPECT_TRUE(ValidateRound(r).ok());
    r.pool_size = 3;
    EXPECT_EQ(ValidateRound(r).error().field, "pool_size");
    r.pool_size = 20;
    r.ends_at = r.starts_at;
    EXPECT_EQ(ValidateRound(r).error().field, "ends_at");
    r.ends_at = r.starts_at + 8 * 24 * kHour;
    EXPECT_EQ(ValidateRound(r).error().field, "ends_at");
    r.ends_at = r.starts_at + kHour;
    r.scope_kind = RoundScopeKind::kGrids;
    EXPECT_EQ(ValidateRound(r).error().field, "scope");
    r.scope_ids = {4};
    EXPECT_TRUE(ValidateRound(r).ok());
    r.site_ids.clear();
    EXPECT_EQ(ValidateRound(r).error().field, "site_ids");
}

TEST(RoundTest, Scope) {
    Round r = Window(kStart, kStart + kHour);
    SubjectPlace here{.community_id = 3, .grid_id = 7, .building_id = 70};
    SubjectPlace elsewhere{.community_id = 4, .grid_id = 8, .building_id = 80};
    EXPECT_TRUE(InRoundScope(r, here, false));
    EXPECT_FALSE(InRoundScope(r, elsewhere, false));
    r.scope_kind = RoundScopeKind::kGrids;
    r.scope_ids = {7, 9};
    EXPECT_TRUE(InRoundScope(r, here, false));
    EXPECT_FALSE(InRoundScope(r, elsewhere, false));
    r.scope_kind = RoundScopeKind::kBuildings;
    r.scope_ids = {80};
    EXPECT_FALSE(InRoundScope(r, here, false));
    EXPECT_TRUE(InRoundScope(r, elsewhere, false));
    r.scope_kind = RoundScopeKind::kPeople;
    EXPECT_TRUE(InRoundScope(r, here, true));
    EXPECT_FALSE(InRoundScope(r, here, false));
}

TEST(SiteTest, AtMostOnePriorityLane) {
    std::vector<SiteTable> tables{{.name = "1号台"}, {.name = "2号台", .priority_lane = true}};
    EXPECT_TRUE(ValidateTables(tables).ok());
    tables.push_back({.name = "3号台", .priority_lane = true});
    EXPECT_EQ(ValidateTables(tables).error().field, "tables");
    tables.back().priority_lane = false;
    tables.back().name = "1号台";
    EXPECT_FALSE(ValidateTables(tables).ok());
    EXPECT_FALSE(ValidateTables({}).ok());
}

TEST(SiteTest, Hours) {
    EXPECT_EQ(ParseClockMinutes("07:00"), 420);
    EXPECT_EQ(ParseClockMinutes("24:00"), 1440);
    EXPECT_FALSE(ParseClockMinutes("7:00"));
    EXPECT_FALSE(ParseClockMinutes("24:30"));
    EXPECT_FALSE(ParseClockMinutes("12:60"));
    EXPECT_EQ(FormatClockMinutes(1260), "21:00");
    EXPECT_TRUE(ValidateHours({{1, 420, 1260}, {7, 480, 720}}).ok());
    EXPECT_FALSE(ValidateHours({{1, 420, 1260}, {1, 480, 720}}).ok());
    EXPECT_FALSE(ValidateHours({{8, 420, 1260}}).ok());
    EXPECT_FALSE(ValidateHours({{2, 720, 480}}).ok());
}

TEST(BoxTest, ReceiptListsTheDifferences) {
    ReceiptComparison c = CompareReceipt({"T1", "T2", "T3", "T4"}, {"T4", "T2", "T9", "T2", "T1"});
    EXPECT_EQ(c.sent, 4);
    EXPECT_EQ(c.received, 4);
    EXPECT_EQ(c.missing, (std::vector<std::string>{"T3"}));
    EXPECT_EQ(c.unexpected, (std::vector<std::string>{"T9"}));
    ReceiptComparison same = CompareReceipt({"A1", "B2"}, {"B2", "A1"});
    EXPECT_TRUE(same.missing.empty());
    EXPECT_TRUE(same.unexpected.empty());
}

TEST(KeysAndTimeTest, RequestKeysAndChinaTime) {
    EXPECT_TRUE(IsValidRequestKey("scan-0123456789ab"));
    EXPECT_TRUE(IsValidRequestKey(std::string(64, 'a')));
    EXPECT_FALSE(IsValidRequestKey("short-key"));
    EXPECT_FALSE(IsValidRequestKey(std::string(65, 'a')));
    EXPECT_FALSE(IsValidRequestKey("scan.0123456789ab"));
    EXPECT_EQ(ClockChina(kStart), "08:00");
    EXPECT_EQ(ClockChina(kStart + 90 * 60 * 1000), "09:30");
    EXPECT_EQ(DayStartChina(kStart), kStart - 8 * kHour);
    EXPECT_EQ(DayStartChina(kStart - 8 * kHour - 1), kStart - 32 * kHour);
    EXPECT_EQ(HourStart(kStart + 59 * 60 * 1000), kStart);
    EXPECT_EQ(WeekdayChina(kStart), 6);
    EXPECT_EQ(WeekdayChina(kStart + 16 * kHour), 7);
    EXPECT_EQ(WeekdayChina(kStart + 40 * kHour), 1);
}

TEST(WarningsTest, NeverNameThePriorityGroup) {
    auto w =
        WarningsOf(warnings::kOutsideScope | warnings::kMovedOut | warnings::kSingleTubeRequired);
    ASSERT_EQ(w.size(), 3u);
    EXPECT_EQ(w[0].code, "outside_scope");
    EXPECT_EQ(w[1].code, "moved_out");
    EXPECT_EQ(w[2].code, "single_tube_required");
    for (const char* word : {"残疾", "孕", "卧床", "80"}) {
        EXPECT_EQ(w[2].message.find(word), std::string::npos) << word;
    }
}

}  // namespace
}  // namespace bulwark::testing
