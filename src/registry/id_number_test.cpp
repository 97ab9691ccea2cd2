#include "registry/id_number.hpp"

#include <gtest/gtest.h>

namespace bulwark::registry {
namespace {

// Well-known sample numbers that pass the check (GB 11643 examples and their like).
TEST(IdNumberTest, ValidNumbersPass) {
    auto a = ParseIdNumber("11010519491231002X");
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_EQ(a->birth_date, 19491231);
    EXPECT_EQ(a->sex, Sex::kFemale);
    EXPECT_FALSE(a->synthetic);

    std::string first17 = "44030419800101001";
    auto b = ParseIdNumber(first17 + IdCheckCharacter(first17));
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_EQ(b->birth_date, 19800101);
    EXPECT_EQ(b->sex, Sex::kMale);
    // Born before 1900: not a living person's number.
    EXPECT_EQ(ParseIdNumber("440524188001010014").error().message, "出生日期无效");
}

TEST(IdNumberTest, CheckCharacterIncludingX) {
    EXPECT_EQ(IdCheckCharacter("11010519491231002"), 'X');
    EXPECT_EQ(IdCheckCharacter("44052418800101001"), '4');
    // Every check value 0..10 maps to its character.
    EXPECT_EQ(IdCheckCharacter("00000000000000000"), '1');
}

TEST(IdNumberTest, PreciseReasons) {
    EXPECT_EQ(ParseIdNumber("110105194912310021").error().message, "校验位错误");
    EXPECT_EQ(ParseIdNumber("11010519491231002").error().message, "长度应为 18 位 (现为 17 位)");
    EXPECT_EQ(ParseIdNumber("1101051949123100211").error().message, "长度应为 18 位 (现为 19 位)");
    EXPECT_EQ(ParseIdNumber("11010519490231002X").error().message, "出生日期无效");
    EXPECT_EQ(ParseIdNumber("110105194913010020").error().message, "出生日期无效");
    EXPECT_EQ(ParseIdNumber("1101051949123100A1").error().message, "前 17 位应为数字");
    EXPECT_EQ(ParseIdNumber("11010519491231002Y").error().message, "最后一位应为数字或 X");
    EXPECT_EQ(ParseIdNumber("00010519491231002X").error().message, "地区码无效");
    // A birth date after today is invalid.
    std::string first17 = "11010520300101001";
    std::string future = first17 + IdCheckCharacter(first17);
    EXPECT_TRUE(ParseIdNumber(future).ok());
    EXPECT_EQ(ParseIdNumber(future, 20240101).error().message, "出生日期无效");
    // Leap day.
    std::string leap17 = "11010520000229001";
    EXPECT_TRUE(ParseIdNumber(leap17 + IdCheckCharacter(leap17)).ok());
    std::string bad_leap17 = "11010519000229001";
    EXPECT_EQ(ParseIdNumber(bad_leap17 + IdCheckCharacter(bad_leap17)).error().message,
              "出生日期无效");
}

TEST(IdNumberTest, SyntheticRegionIsAcceptedAndMarked) {
    std::string first17 = "99012319900101001";
    auto info = ParseIdNumber(first17 + IdCheckCharacter(first17));
    ASSERT_TRUE(info.ok());
    EXPECT_TRUE(info->synthetic);
    EXPECT_EQ(info->sex, Sex::kMale);
}

TEST(IdNumberTest, FullWidthDigitsAndSpacesAreNormalised) {
    // Full-width digits, a full-width x, ideographic and plain spaces, a hyphen.
    std::string typed = "１１０１０５ １９４９１２３１　００２ｘ";
    EXPECT_EQ(NormaliseDocument(typed), "11010519491231002X");
    EXPECT_TRUE(ParseIdNumber(NormaliseDocument(typed)).ok());
    EXPECT_EQ(NormaliseDocument(" e12-345 678 "), "E12345678");
    EXPECT_EQ(FoldFullWidth("ＡＢＣ１２３　张三"), "ABC123 张三");
}

TEST(IdNumberTest, Phones) {
    EXPECT_EQ(NormalisePhone("１３８ ００１３-８０００"), "13800138000");
    EXPECT_EQ(NormalisePhone("+86 138 0013 8000"), "13800138000");
    EXPECT_EQ(NormalisePhone("0086-13800138000"), "13800138000");
    EXPECT_TRUE(ValidatePhone("13800138000").ok());
    EXPECT_TRUE(ValidatePhone("19900123456").ok());
    EXPECT_EQ(ValidatePhone("1380013800").error().message, "手机号应为 11 位数字");
    EXPECT_EQ(ValidatePhone("12800138000").error().message, "手机号应以 13 至 19 开头");
    EXPECT_EQ(ValidatePhone("1380013800a").error().message, "手机号应为 11 位数字");
}

TEST(IdNumberTest, OtherDocuments) {
    EXPECT_TRUE(ValidateDocument(DocType::kPassport, "E12345678").ok());
    EXPECT_TRUE(ValidateDocument(DocType::kPassport, "X1234567").ok());
    EXPECT_FALSE(ValidateDocument(DocType::kPassport, "ABC").ok());
    EXPECT_FALSE(ValidateDocument(DocType::kPassport, "ABCDEFGH").ok());
    EXPECT_TRUE(ValidateDocument(DocType::kHkMacau, "H12345678").ok());
    EXPECT_TRUE(ValidateDocument(DocType::kHkMacau, "M1234567890").ok());
    EXPECT_FALSE(ValidateDocument(DocType::kHkMacau, "C12345678").ok());
    EXPECT_TRUE(ValidateDocument(DocType::kTaiwan, "12345678").ok());
    EXPECT_TRUE(ValidateDocument(DocType::kTaiwan, "1234567890B").ok());
    EXPECT_FALSE(ValidateDocument(DocType::kTaiwan, "1234567").ok());
    EXPECT_TRUE(ValidateDocument(DocType::kNone, "").ok());
    EXPECT_FALSE(ValidateDocument(DocType::kNone, "123").ok());
    EXPECT_EQ(ValidateDocument(DocType::kIdCard, "110105194912310021").error().message,
              "校验位错误");
}

TEST(IdNumberTest, Names) {
    EXPECT_EQ(NormaliseName("  张 三 "), "张三");
    EXPECT_EQ(NormaliseName("Tom   Lee"), "Tom Lee");
    EXPECT_EQ(NormaliseName("阿卜杜•热合曼"), "阿卜杜·热合曼");
    EXPECT_EQ(NormaliseName("阿卜杜 · 热合曼"), "阿卜杜·热合曼");
    EXPECT_EQ(NormaliseName("ＬＩ　Ｍｉｎｇ"), "LI Ming");
}

TEST(IdNumberTest, Tail) {
    EXPECT_EQ(Tail("11010519491231002X"), "002X");
    EXPECT_EQ(Tail("123"), "123");
}

}  // namespace
}  // namespace bulwark::registry
