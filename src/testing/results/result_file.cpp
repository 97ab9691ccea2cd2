#include "testing/results/result_file.hpp"

#include <cmath>
#include <cstdio>

#include "registry/import/cell_text.hpp"

namespace bulwark::testing::results {
namespace {

enum Column { kTube, kResult, kTime, kOrf1ab, kN, kLab, kColumns };

// The column a header names, or -1. Spaces, case and a required mark are ignored.
int ColumnOf(const std::string& header) {
    std::string h;
    for (char c : registry::CleanCellText(header)) {
        if (c == ' ' || c == '*' || c == '_' || c == '-') continue;
        h += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (h == "试管条码" || h == "条码" || h == "试管编号" || h == "样本条码" || h == "管码" ||
        h == "tubebarcode" || h == "barcode" || h == "tube") {
        return kTube;
    }
    if (h == "检测结果" || h == "结果" || h == "核酸结果" || h == "result") return kResult;
    if (h == "检测时间" || h == "报告时间" || h == "出具时间" || h == "reportedat" ||
        h == "reporttime" || h == "time") {
        return kTime;
    }
    if (h == "orf1abct" || h == "orf1ab" || h == "orf1ab基因ct" || h == "orf1ab基因") {
        return kOrf1ab;
    }
    if (h == "nct" || h == "n基因ct" || h == "n基因" || h == "n") return kN;
    if (h == "实验室" || h == "检测机构" || h == "lab") return kLab;
    return -1;
}

std::string Text(const registry::Cell& cell) {
    if (cell.kind == registry::Cell::Kind::kText) return registry::CleanCellText(cell.text);
    if (cell.kind == registry::Cell::Kind::kNumber) {
        if (!cell.text.empty()) return cell.text;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.15g", cell.number);
        return buf;
    }
    return "";
}

const registry::Cell* At(const std::vector<registry::Cell>& row, int column) {
    if (column < 0 || static_cast<size_t>(column) >= row.size()) return nullptr;
    return &row[static_cast<size_t>(column)];
}

}  // namespace

Result<ResultFile> ReadResultFile(const registry::Workbook& workbook, int64_t now) {
    for (const registry::Sheet& sheet : workbook.sheets) {
        int columns[kColumns];
        int header_row = 0;
        for (size_t r = 0; r < sheet.rows.size() && r < 30 && header_row == 0; ++r) {
            std::fill(std::begin(columns), std::end(columns), -1);
            for (size_t c = 0; c < sheet.rows[r].size(); ++c) {
                const int col = ColumnOf(Text(sheet.rows[r][c]));
                if (col >= 0 && columns[col] < 0) columns[col] = static_cast<int>(c);
            }
            if (columns[kTube] >= 0 && columns[kResult] >= 0) header_row = static_cast<int>(r) + 1;
        }
        if (header_row == 0) continue;

        ResultFile out;
        for (size_t r = static_cast<size_t>(header_row); r < sheet.rows.size(); ++r) {
            const auto& row = sheet.rows[r];
            const int line = static_cast<int>(r) + 1;
            bool blank = true;
            for (const registry::Cell& cell : row) blank = blank && cell.empty();
            if (blank) continue;
            ++out.rows;
            auto fail = [&](const char* field, std::string message) {
                out.errors.push_back({.row = line, .field = field, .message = std::move(message)});
            };
            ResultEntry e{.row = line};
            const registry::Cell* tube = At(row, columns[kTube]);
            e.tube_barcode = tube ? Text(*tube) : "";
            const registry::Cell* result = At(row, columns[kResult]);
            const std::string word = result ? Text(*result) : "";
            if (e.tube_barcode.empty()) {
                fail("tube_barcode", "缺少试管条码");
                continue;
            }
            if (word.empty()) {
                fail("result", "缺少检测结果");
                continue;
            }
            if (!ParseOutcome(word, &e.result)) {
                fail("result", "无法识别的结果「" + word + "」(应为阴性、阳性或无效)");
                continue;
            }
            e.reported_at = columns[kTime] < 0 ? now : 0;
            if (const registry::Cell* time = At(row, columns[kTime]); time && !time->empty()) {
                if (time->kind == registry::Cell::Kind::kNumber && time->number > 20000 &&
                    time->number < 80000) {
                    e.reported_at = FromExcelSerial(time->number);
                } else {
                    e.reported_at = ParseReportedAt(Text(*time)).value_or(-1);
                }
                if (e.reported_at < 0) {
                    fail("reported_at", "无法识别的时间「" + Text(*time) + "」");
                    continue;
                }
            }
            bool ct_ok = true;
            for (int col : {kOrf1ab, kN}) {
                const registry::Cell* cell = At(row, columns[col]);
                if (!cell || cell->empty()) continue;
                const std::string text = Text(*cell);
                char* end = nullptr;
                const double v = std::strtod(text.c_str(), &end);
                if (end == text.c_str() || *end != '\0' || !ValidCt(v)) {
                    fail("ct", "Ct 值应为 0 到 50 的数「" + text + "」");
                    ct_ok = false;
                    break;
                }
                (col == kOrf1ab ? e.ct.orf1ab : e.ct.n) = v;
            }
            if (!ct_ok) continue;
            out.entries.push_back(std::move(e));
        }
        return out;
    }
    return InvalidArgument("未找到表头: 需要「试管条码」和「检测结果」两列");
}

}  // namespace bulwark::testing::results
