#include "registry/model.hpp"

#include <gtest/gtest.h>

#include "registry/pinyin.hpp"

namespace bulwark::registry {
namespace {

TEST(ModelTest, Dates) {
    EXPECT_TRUE(IsValidDate(20000229));
    EXPECT_FALSE(IsValidDate(19000229));
    EXPECT_FALSE(IsValidDate(20230431));
    EXPECT_EQ(AgeOn(19900615, 20240614), 33);
    EXPECT_EQ(AgeOn(19900615, 20240615), 34);
    EXPECT_EQ(FormatDate(19900102), "1990-01-02");
    EXPECT_EQ(ParseDate("1990-1-2"), 19900102);
    EXPECT_EQ(ParseDate("1990/01/02"), 19900102);
    EXPECT_EQ(ParseDate("19900102"), 19900102);
    EXPECT_FALSE(ParseDate("1990-02-30"));
    EXPECT_FALSE(ParseDate("abc"));
    // 2024-01-01T00:00:00+08:00 is 2023-12-31T16:00Z.
    EXPECT_EQ(DateFromMillis(1704038400000LL), 20240101);
    EXPECT_EQ(DateFromMillis(1704038400000LL - 1), 20231231);
    EXPECT_EQ(DateFromMillis(0), 19700101);
}

TEST(ModelTest, DerivedTags) {
    uint32_t t = EffectiveTags(tags::kDisabled, 19400101, 20240101);
    EXPECT_EQ(t, tags::kDisabled | tags::kElderly60 | tags::kElderly80);
    EXPECT_EQ(EffectiveTags(0, 19640102, 20240101), 0u);
    EXPECT_EQ(EffectiveTags(0, 19640101, 20240101), tags::kElderly60);
    EXPECT_EQ(TagNames(tags::kPregnant | tags::kElderly60),
              (std::vector<std::string>{"pregnant", "elderly_60"}));
    EXPECT_EQ(TagBit("bedridden"), tags::kBedridden);
    EXPECT_EQ(TagBit("nope"), 0u);
}

TEST(ModelTest, ScannerViewShowsOnlyWhatASiteNeeds) {
    ResidentDetail d;
    d.resident.id = 7;
    d.resident.name = "张三丰";
    d.resident.tags = tags::kDisabled | tags::kPregnant;
    d.resident.notes = "行动不便";
    d.building = "3栋";
    d.unit = "2单元";
    d.room = "1203";
    ScannerResidentView v = ScannerView(d);
    EXPECT_EQ(v.resident_id, 7);
    EXPECT_EQ(v.masked_name, "**丰");
    EXPECT_EQ(v.building, "3栋");
    EXPECT_EQ(v.room, "1203");
    EXPECT_FALSE(v.moved_out);
}

TEST(PinyinTest, Initials) {
    EXPECT_EQ(PinyinInitials("张三"), "zs");
    EXPECT_EQ(PinyinInitials("欧阳娜娜"), "oynn");
    EXPECT_EQ(PinyinInitials("Tom Lee"), "tl");
    EXPECT_EQ(Pinyin("重庆"), "chong qing");
}

}  // namespace
}  // namespace bulwark::registry
