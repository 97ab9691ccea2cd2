#include "registry/import/cell_text.hpp"

#include <cmath>
#include <cstdio>

#include "registry/id_number.hpp"
#include "registry/model.hpp"

namespace bulwark::registry {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v'; }

// Zero-width space, joiners and the byte-order mark (U+200B..U+200D, U+2060, U+FEFF) in UTF-8.
size_t InvisibleAt(std::string_view s, size_t i) {
    const unsigned char lead = static_cast<unsigned char>(s[i]);
    if (lead != 0xE2 && lead != 0xEF) return 0;
    if (s.compare(i, 3, "\xEF\xBB\xBF") == 0 || s.compare(i, 3, "\xE2\x81\xA0") == 0) return 3;
    if (s.compare(i, 2, "\xE2\x80") == 0 && i + 2 < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i + 2]);
        if (c >= 0x8B && c <= 0x8D) return 3;
    }
    return 0;
}

std::string Digits(double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
}

// "1.10105E+17" and the like, as Excel shows (and saves to CSV) a long number.
bool IsScientific(std::string_view s) {
    size_t e = s.find_first_of("eE");
    if (e == std::string_view::npos || e == 0 || e + 1 >= s.size()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        bool ok = (c >= '0' && c <= '9') || (c == '.' && i < e) || i == e ||
                  ((c == '+' || c == '-') && i == e + 1);
        if (!ok) return false;
    }
    return true;
}

constexpr const char* kLostDigits =
    "Excel 只保留 15 位有效数字, 后几位已丢失; 请把该列设为文本格式后重新录入";

std::string FormatYmd(int32_t ymd) { return FormatDate(ymd); }

// "1990年1月2日", "1990.1.2", "1990/01/02" -> "1990-1-2"-like text ParseDate accepts.
std::string DateText(std::string text) {
    std::string out;
    for (size_t i = 0; i < text.size();) {
        if (text.compare(i, 3, "年") == 0 || text.compare(i, 3, "月") == 0) {
            out += '-';
            i += 3;
        } else if (text.compare(i, 3, "日") == 0 || text.compare(i, 3, "号") == 0) {
            i += 3;
        } else {
            char c = text[i++];
            out += c == '.' || c == '/' ? '-' : c;
        }
    }
    // A time after the date ("1990-01-02 00:00:00") is not part of a birth date.
    size_t space = out.find(' ');
    if (space != std::string::npos) out.resize(space);
    std::optional<int32_t> date = ParseDate(out);
    return date ? FormatYmd(*date) : text;
}

}  // namespace

std::string CleanCellText(std::string_view raw) {
    std::string folded = FoldFullWidth(raw);
    std::string out;
    out.reserve(folded.size());
    bool pending_space = false;
    for (size_t i = 0; i < folded.size();) {
        if (size_t n = InvisibleAt(folded, i)) {
            i += n;
            continue;
        }
        char c = folded[i++];
        if (IsSpace(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
    }
    if (!out.empty() && out[0] == '\'') out.erase(0, 1);
    return out;
}

Result<std::string> CellText(const Cell& cell, ImportField field, bool date1904) {
    const bool date_field = field == ImportField::kBirthDate;
    if (cell.kind == Cell::Kind::kEmpty) return std::string();
    if (cell.kind == Cell::Kind::kText) {
        std::string text = CleanCellText(cell.text);
        if (field == ImportField::kDocNumber && IsScientific(text)) {
            return InvalidArgument(std::string("显示为科学计数法 (") + text + "), " + kLostDigits);
        }
        if ((field == ImportField::kDocNumber || field == ImportField::kPhone) &&
            text.find('*') != std::string::npos) {
            return InvalidArgument("是脱敏后的号码 (含 *), 不能导入; 请填写完整号码");
        }
        if (date_field && !text.empty()) return DateText(std::move(text));
        return text;
    }
    const double v = cell.number;
    if (date_field) {
        if (cell.date || (v >= 1 && v < 80000)) {
            int32_t ymd = DateFromSerial(v, date1904);
            if (ymd == 0) return InvalidArgument("日期无效");
            return FormatYmd(ymd);
        }
        std::string digits = Digits(v);  // 19900102 typed as a number
        return DateText(digits);
    }
    if (cell.date) {
        int32_t ymd = DateFromSerial(v, date1904);
        if (ymd != 0) return FormatYmd(ymd);
    }
    const bool integral = std::floor(v) == v && std::fabs(v) < 1e21;
    std::string digits;
    if (!cell.text.empty() && cell.text.find_first_not_of("0123456789") == std::string::npos) {
        digits = cell.text;  // the file kept every digit
    } else if (integral) {
        digits = Digits(v);
    }
    if (field == ImportField::kDocNumber) {
        if (!integral) return InvalidArgument(std::string("以数字格式保存, ") + kLostDigits);
        // More than 15 significant digits cannot have survived Excel's double; a writer that
        // kept them (a script) is trusted no more: the sheet was a number column all the same.
        if (digits.size() > 15) {
            return InvalidArgument(std::string("以数字格式保存, ") + kLostDigits);
        }
        return digits;
    }
    if (!digits.empty()) return digits;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return std::string(buf);
}

}  // namespace bulwark::registry
