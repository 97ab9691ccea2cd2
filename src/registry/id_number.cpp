#include "registry/id_number.hpp"

#include <array>
#include <cctype>
#include <vector>

namespace bulwark::registry {
namespace {

// Decodes one UTF-8 sequence at `s[*i]`, advancing *i; an invalid byte comes back as itself.
char32_t NextCodePoint(std::string_view s, size_t* i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(*i);
    int extra = c < 0x80           ? 0
                : (c >> 5) == 0x6  ? 1
                : (c >> 4) == 0xE  ? 2
                : (c >> 3) == 0x1E ? 3
                                   : -1;
    if (extra <= 0) {
        ++*i;
        return c;
    }
    char32_t cp = c & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
        if (*i + k >= s.size() || (byte(*i + k) & 0xC0) != 0x80) {
            ++*i;
            return c;
        }
        cp = (cp << 6) | (byte(*i + k) & 0x3F);
    }
    *i += extra + 1;
    return cp;
}

void AppendUtf8(char32_t cp, std::string* out) {
    if (cp < 0x80) {
        out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

size_t CountCodePoints(std::string_view s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size();) {
        NextCodePoint(s, &i);
        ++n;
    }
    return n;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

bool IsHan(char32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2FA1F) || (cp >= 0xF900 && cp <= 0xFAFF);
}

// Province-level codes (GB/T 2260 first two digits) that a national ID may start with.
bool IsProvinceCode(int code) {
    static constexpr std::array<int, 35> kCodes = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
                                                   35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                                                   53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83};
    for (int c : kCodes) {
        if (c == code) return true;
    }
    return false;
}

bool AllDigits(std::string_view s) {
    for (char c : s) {
        if (!IsDigit(c)) return false;
    }
    return !s.empty();
}

}  // namespace

std::string FoldFullWidth(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        size_t start = i;
        char32_t cp = NextCodePoint(text, &i);
        if (cp >= 0xFF01 && cp <= 0xFF5E) {
            out.push_back(static_cast<char>(cp - 0xFEE0));
        } else if (cp == 0x3000 || cp == 0x00A0) {
            out.push_back(' ');
        } else {
            out.append(text.substr(start, i - start));
        }
    }
    return out;
}

std::string NormaliseDocument(std::string_view raw) {
    std::string folded = FoldFullWidth(raw);
    std::string out;
    out.reserve(folded.size());
    for (char c : folded) {
        if (IsSpace(c) || c == '-') continue;
        out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    }
    return out;
}

std::string NormalisePhone(std::string_view raw) {
    std::string folded = FoldFullWidth(raw);
    std::string out;
    for (char c : folded) {
        if (IsSpace(c) || c == '-' || c == '(' || c == ')') continue;
        out.push_back(c);
    }
    if (out.size() == 14 && out.rfind("+86", 0) == 0) return out.substr(3);
    if (out.size() == 15 && out.rfind("0086", 0) == 0) return out.substr(4);
    if (out.size() == 13 && out.rfind("86", 0) == 0 && out[2] == '1') return out.substr(2);
    return out;
}

std::string NormaliseName(std::string_view raw) {
    // Work on code points: fold, unify middle dots, then decide which spaces to keep.
    std::string folded = FoldFullWidth(raw);
    std::vector<char32_t> cps;
    for (size_t i = 0; i < folded.size();) {
        char32_t cp = NextCodePoint(folded, &i);
        if (cp == 0x2022 || cp == 0x30FB || cp == 0xFF65 || cp == 0x2027 || cp == 0x2219 ||
            cp == 0x22C5 || cp == 0x0387) {
            cp = 0x00B7;
        }
        if (cp == '\t' || cp == '\r' || cp == '\n') cp = ' ';
        cps.push_back(cp);
    }
    std::string out;
    for (size_t k = 0; k < cps.size(); ++k) {
        if (cps[k] == ' ') {
            // Keep one space only between two non-Chinese characters ("Tom Lee").
            size_t next = k;
            while (next < cps.size() && cps[next] == ' ') ++next;
            bool have_prev = !out.empty();
            bool have_next = next < cps.size();
            if (have_prev && have_next) {
                char32_t prev = cps[k - 1];
                if (!IsHan(prev) && !IsHan(cps[next]) && prev != 0x00B7 && cps[next] != 0x00B7) {
                    out.push_back(' ');
                }
            }
            k = next - 1;
            continue;
        }
        AppendUtf8(cps[k], &out);
    }
    return out;
}

char IdCheckCharacter(std::string_view first17) {
    static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                     3, 7, 9,  10, 5, 8, 4, 2};
    static constexpr char kCheck[] = "10X98765432";
    int sum = 0;
    for (size_t i = 0; i < 17 && i < first17.size(); ++i) sum += (first17[i] - '0') * kWeights[i];
    return kCheck[sum % 11];
}

Result<IdCardInfo> ParseIdNumber(std::string_view id, int32_t today) {
    if (id.size() != 18 || CountCodePoints(id) != 18) {
        return InvalidArgument("长度应为 18 位 (现为 " + std::to_string(CountCodePoints(id)) +
                               " 位)");
    }
    if (!AllDigits(id.substr(0, 17))) return InvalidArgument("前 17 位应为数字");
    if (!IsDigit(id[17]) && id[17] != 'X') return InvalidArgument("最后一位应为数字或 X");
    IdCardInfo info;
    int province = (id[0] - '0') * 10 + (id[1] - '0');
    if (province == 99) {
        info.synthetic = true;
    } else if (!IsProvinceCode(province)) {
        return InvalidArgument("地区码无效");
    }
    int32_t birth = 0;
    for (size_t i = 6; i < 14; ++i) birth = birth * 10 + (id[i] - '0');
    if (!IsValidDate(birth) || birth < 19000101 || (today != 0 && birth > today)) {
        return InvalidArgument("出生日期无效");
    }
    if (IdCheckCharacter(id.substr(0, 17)) != id[17]) return InvalidArgument("校验位错误");
    info.birth_date = birth;
    info.sex = ((id[16] - '0') % 2 == 1) ? Sex::kMale : Sex::kFemale;
    return info;
}

Status ValidateDocument(DocType type, std::string_view doc, int32_t today) {
    switch (type) {
        case DocType::kNone:
            if (!doc.empty()) return InvalidArgument("证件类型为无时不应填写证件号码");
            return Ok();
        case DocType::kIdCard: {
            auto parsed = ParseIdNumber(doc, today);
            if (!parsed.ok()) return std::move(parsed).error();
            return Ok();
        }
        case DocType::kPassport: {
            // Passports of every country: 5 to 20 letters and digits, with at least one digit.
            bool has_digit = false;
            for (char c : doc) {
                if (!IsDigit(c) && !IsUpper(c)) return InvalidArgument("护照号码只能含字母和数字");
                has_digit = has_digit || IsDigit(c);
            }
            if (doc.size() < 5 || doc.size() > 20)
                return InvalidArgument("护照号码应为 5 到 20 位");
            if (!has_digit) return InvalidArgument("护照号码应含数字");
            return Ok();
        }
        case DocType::kHkMacau: {
            // H (Hong Kong) or M (Macau) followed by 8 or 10 digits.
            bool ok = (doc.size() == 9 || doc.size() == 11) && (doc[0] == 'H' || doc[0] == 'M') &&
                      AllDigits(doc.substr(1));
            if (!ok) return InvalidArgument("港澳通行证号码应为 H 或 M 加 8 位或 10 位数字");
            return Ok();
        }
        case DocType::kTaiwan: {
            // 8 digits (since 2015), or the older 10 digits with an optional letter.
            bool ok = (doc.size() == 8 && AllDigits(doc)) || (doc.size() == 10 && AllDigits(doc)) ||
                      (doc.size() == 11 && AllDigits(doc.substr(0, 10)) && IsUpper(doc[10]));
            if (!ok) return InvalidArgument("台胞证号码应为 8 位或 10 位数字");
            return Ok();
        }
    }
    return InvalidArgument("未知证件类型");
}

Status ValidatePhone(std::string_view phone) {
    if (phone.size() != 11 || !AllDigits(phone)) {
        return InvalidArgument("手机号应为 11 位数字");
    }
    if (phone[0] != '1' || phone[1] < '3') return InvalidArgument("手机号应以 13 至 19 开头");
    return Ok();
}

std::string Tail(std::string_view s, size_t n) {
    return std::string(s.size() <= n ? s : s.substr(s.size() - n));
}

}  // namespace bulwark::registry
