#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "registry/model.hpp"

namespace bulwark::registry {

// Checks and normalisation of identity documents and phone numbers, as typed by people and as
// found in spreadsheets. Pure functions; thread-safe. Error messages are zh-CN reasons meant to
// follow a field name ("身份证号: 校验位错误").

// Folds full-width ASCII (U+FF01..U+FF5E) to ASCII and the ideographic space (U+3000) and
// no-break space to a plain space. Leaves every other character as it is.
std::string FoldFullWidth(std::string_view text);

// A document number as stored and indexed: full-width folded, spaces and '-' removed, letters
// upper-cased. "１１０１ ０５…ｘ" -> "110105...X".
std::string NormaliseDocument(std::string_view raw);

// A phone number as stored and indexed: full-width folded, spaces, '-' and brackets removed, a
// leading +86 / 0086 / 86 (before 11 digits) dropped.
std::string NormalisePhone(std::string_view raw);

// A name as stored: full-width folded, trimmed, runs of spaces collapsed, spaces between Chinese
// characters dropped ("张 三" -> "张三"), the middle-dot variants in minority names unified to
// U+00B7 ("阿卜杜•热合曼" -> "阿卜杜·热合曼").
std::string NormaliseName(std::string_view raw);

// ISO 7064 MOD 11-2 check character of the first 17 digits: '0'..'9' or 'X'. `first17` must be
// 17 ASCII digits.
char IdCheckCharacter(std::string_view first17);

// What an 18-character national ID number carries.
struct IdCardInfo {
    int32_t birth_date = 0;   // yyyymmdd
    Sex sex = Sex::kUnknown;  // 17th digit: odd male, even female
    bool synthetic = false;   // region code 99xxxx: test data made by our generator
};

// Checks a normalised national ID number: length, characters, region (a province code, or the
// 99 prefix that marks synthetic test data), birth date (a real date, not after `today` when
// `today` is non-zero, not before 1900) and the check character. On failure kInvalidArgument
// with one of: "长度应为 18 位 (现为 N 位)", "前 17 位应为数字", "最后一位应为数字或 X",
// "地区码无效", "出生日期无效", "校验位错误".
Result<IdCardInfo> ParseIdNumber(std::string_view normalised, int32_t today = 0);

// Checks a normalised document number of `type` (format only, for passports and permits).
// kInvalidArgument with a reason as above; kNone accepts only "".
Status ValidateDocument(DocType type, std::string_view normalised, int32_t today = 0);

// Checks a normalised mainland mobile number: 11 digits starting 13..19.
Status ValidatePhone(std::string_view normalised);

// The last `n` characters (ASCII), or all of it.
std::string Tail(std::string_view s, size_t n = 4);

}  // namespace bulwark::registry
