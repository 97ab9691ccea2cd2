// ReadCsv: comma-, semicolon- or tab-separated text in UTF-8 (with or without BOM), UTF-16 with
// BOM (Excel's "Unicode text") or GB18030 (what Chinese Excel and WPS save as "CSV"), converted
// to UTF-8 with ICU. Every cell is text: CSV has no types.
#include <unicode/ucnv.h>

#include <algorithm>

#include "registry/import/workbook.hpp"

namespace bulwark::registry {
namespace {

constexpr size_t kMaxRows = 1'048'576;
constexpr size_t kMaxColumns = 256;

bool ValidUtf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80           ? 1
                   : (c >> 5) == 0x6  ? 2
                   : (c >> 4) == 0xE  ? 3
                   : (c >> 3) == 0x1E ? 4
                                      : 0;
        if (n == 0 || i + n > s.size()) return false;
        if (n == 2 && c < 0xC2) return false;  // overlong
        for (size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        }
        i += n;
    }
    return true;
}

Result<std::string> ToUtf8(std::string_view bytes, const char* charset) {
    UErrorCode status = U_ZERO_ERROR;
    UConverter* from = ucnv_open(charset, &status);
    UConverter* to = ucnv_open("UTF-8", &status);
    std::string out;
    if (U_SUCCESS(status)) {
        ucnv_setToUCallBack(from, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
        out.resize(bytes.size() * 2 + 16);
        char* target = out.data();
        const char* source = bytes.data();
        ucnv_convertEx(to, from, &target, out.data() + out.size(), &source,
                       bytes.data() + bytes.size(), nullptr, nullptr, nullptr, nullptr, true, true,
                       &status);
        out.resize(static_cast<size_t>(target - out.data()));
    }
    if (from) ucnv_close(from);
    if (to) ucnv_close(to);
    if (U_FAILURE(status)) {
        return InvalidArgument(std::string("无法读取 CSV 文件: 不是有效的 ") + charset + " 文本",
                               "file");
    }
    return out;
}

// The separator used by the first line: the most frequent of tab, ';' and ',' outside quotes.
char DetectSeparator(std::string_view text) {
    size_t counts[3] = {0, 0, 0};
    bool quoted = false;
    for (char c : text) {
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        if (c == '\n' || c == '\r') break;
        counts[0] += c == ',';
        counts[1] += c == '\t';
        counts[2] += c == ';';
    }
    if (counts[1] > counts[0] && counts[1] >= counts[2]) return '\t';
    if (counts[2] > counts[0]) return ';';
    return ',';
}

}  // namespace

std::string_view DetectCsvEncoding(std::string_view bytes) {
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") return "UTF-8 BOM";
    if (bytes.substr(0, 2) == "\xFF\xFE") return "UTF-16LE";
    if (bytes.substr(0, 2) == "\xFE\xFF") return "UTF-16BE";
    if (ValidUtf8(bytes)) return "UTF-8";
    return "GB18030";
}

Result<Workbook> ReadCsv(std::string_view bytes, std::string_view sheet_name) {
    Workbook out;
    out.format = "csv";
    out.encoding = std::string(DetectCsvEncoding(bytes));
    std::string text;
    if (out.encoding == "UTF-8 BOM") {
        text = std::string(bytes.substr(3));
    } else if (out.encoding == "UTF-8") {
        text = std::string(bytes);
    } else {
        std::string_view body = out.encoding == "GB18030" ? bytes : bytes.substr(2);
        ASSIGN_OR_RETURN(text, ToUtf8(body, out.encoding.c_str()));
    }

    Sheet sheet;
    sheet.name = std::string(sheet_name);
    const char separator = DetectSeparator(text);
    std::vector<Cell> row;
    std::string field;
    bool quoted = false, was_quoted = false;
    auto end_field = [&] {
        if (row.size() < kMaxColumns) {
            Cell cell;
            cell.kind = field.empty() ? Cell::Kind::kEmpty : Cell::Kind::kText;
            cell.text = std::move(field);
            row.push_back(std::move(cell));
        }
        field.clear();
        was_quoted = false;
    };
    auto end_row = [&]() -> Status {
        end_field();
        while (!row.empty() && row.back().empty()) row.pop_back();
        if (sheet.rows.size() >= kMaxRows) {
            return InvalidArgument("无法读取 CSV 文件: 行数超过 1048576", "file");
        }
        sheet.rows.push_back(std::move(row));
        row.clear();
        return Ok();
    };
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == '"' && field.empty() && !was_quoted) {
            quoted = was_quoted = true;
        } else if (c == separator) {
            end_field();
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            RETURN_IF_ERROR(end_row());
        } else {
            field += c;
        }
    }
    if (!field.empty() || !row.empty() || was_quoted) RETURN_IF_ERROR(end_row());
    while (!sheet.rows.empty() && sheet.rows.back().empty()) sheet.rows.pop_back();
    out.sheets.push_back(std::move(sheet));
    return out;
}

}  // namespace bulwark::registry
