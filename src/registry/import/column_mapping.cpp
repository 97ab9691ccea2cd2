#include "registry/import/column_mapping.hpp"

#include "registry/import/cell_text.hpp"

namespace bulwark::registry {
namespace {

struct FieldNames {
    ImportField field;
    const char* key;
    const char* label;
    std::vector<std::string_view> headers;  // normalised (see HeaderKey)
};

const std::vector<FieldNames>& Names() {
    static const std::vector<FieldNames> names = {
        {ImportField::kName, "name", "姓名", {"姓名", "名字", "居民姓名", "人员姓名", "name"}},
        {ImportField::kDocType,
         "doc_type",
         "证件类型",
         {"证件类型", "证件种类", "证件类别", "doc_type"}},
        {ImportField::kDocNumber,
         "doc_number",
         "证件号码",
         {"身份证号", "身份证号码", "身份证", "证件号码", "证件号", "公民身份号码", "身份证件号码",
          "证件号码(身份证号)", "doc_number"}},
        {ImportField::kPhone,
         "phone",
         "联系电话",
         {"联系电话", "手机号", "手机号码", "电话", "联系方式", "手机", "电话号码",
          "联系电话(手机)", "phone"}},
        {ImportField::kSex, "sex", "性别", {"性别", "sex"}},
        {ImportField::kBirthDate,
         "birth_date",
         "出生日期",
         {"出生日期", "出生年月", "出生年月日", "生日", "birth_date"}},
        {ImportField::kGrid, "grid", "网格", {"网格", "所属网格", "网格名称", "grid"}},
        {ImportField::kBuilding,
         "building",
         "楼栋",
         {"楼栋", "楼号", "楼栋号", "栋", "幢", "楼宇", "楼栋名称", "所在楼栋", "building"}},
        {ImportField::kUnit, "unit", "单元", {"单元", "单元号", "unit"}},
        {ImportField::kRoom,
         "room",
         "房号",
         {"房号", "房间号", "门牌号", "室", "房屋号", "户室号", "房间", "room"}},
        {ImportField::kResidency,
         "residency",
         "居住类型",
         {"居住类型", "户籍类型", "户籍", "人员类型", "人口类型", "居住性质", "户籍/居住类型",
          "residency"}},
        {ImportField::kPresence,
         "presence",
         "在住状态",
         {"在住状态", "居住状态", "是否在住", "状态", "presence"}},
        {ImportField::kTags,
         "tags",
         "重点人群",
         {"重点人群", "人群分类", "特殊人群", "标签", "重点人群标签", "tags"}},
        {ImportField::kNotes, "notes", "备注", {"备注", "说明", "notes"}},
    };
    return names;
}

// A header as compared: cleaned, lower case, without spaces, '*' and ':', and without a final
// parenthesised remark unless the whole header is one ("联系电话 (必填)" -> "联系电话").
std::string HeaderKey(std::string_view raw) {
    std::string text = CleanCellText(raw);
    std::string out;
    for (char c : text) {
        if (c == ' ' || c == '*' || c == ':') continue;
        out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (!out.empty() && out.back() == ')') {
        size_t open = out.rfind('(');
        if (open != std::string::npos && open > 0) {
            std::string stripped = out.substr(0, open);
            for (const FieldNames& n : Names()) {
                for (std::string_view h : n.headers) {
                    if (h == out) return out;  // a listed header with its remark
                }
            }
            return stripped;
        }
    }
    return out;
}

const FieldNames& NamesOf(ImportField f) { return Names()[static_cast<size_t>(f)]; }

std::string CellHeaderText(const Cell& cell) {
    if (cell.kind == Cell::Kind::kText) return cell.text;
    return {};
}

}  // namespace

std::string_view ImportFieldKey(ImportField f) { return NamesOf(f).key; }
std::string_view ImportFieldLabel(ImportField f) { return NamesOf(f).label; }

bool ParseImportFieldKey(std::string_view key, ImportField* out) {
    for (const FieldNames& n : Names()) {
        if (key == n.key) {
            *out = n.field;
            return true;
        }
    }
    return false;
}

std::optional<ImportField> RecogniseHeader(std::string_view header) {
    std::string key = HeaderKey(header);
    if (key.empty()) return std::nullopt;
    for (const FieldNames& n : Names()) {
        for (std::string_view h : n.headers) {
            if (h == key) return n.field;
        }
    }
    return std::nullopt;
}

std::optional<ImportField> ColumnMapping::FieldOf(int column_index) const {
    for (ImportField f : kImportFields) {
        if ((*this)[f] == column_index) return f;
    }
    return std::nullopt;
}

int ColumnMapping::recognised() const {
    int n = 0;
    for (int c : column) n += c >= 0;
    return n;
}

ColumnMapping MapHeaderRow(const Sheet& sheet, int header_row) {
    ColumnMapping mapping;
    if (header_row < 1 || static_cast<size_t>(header_row) > sheet.rows.size()) return mapping;
    const std::vector<Cell>& cells = sheet.rows[static_cast<size_t>(header_row - 1)];
    for (size_t c = 0; c < cells.size(); ++c) {
        std::optional<ImportField> f = RecogniseHeader(CellHeaderText(cells[c]));
        if (f && mapping[*f] < 0) mapping[*f] = static_cast<int>(c);
    }
    return mapping;
}

HeaderGuess GuessHeaderInSheet(const Workbook& workbook, int sheet) {
    HeaderGuess best{.sheet = sheet};
    if (sheet < 0 || static_cast<size_t>(sheet) >= workbook.sheets.size()) return best;
    const Sheet& s = workbook.sheets[static_cast<size_t>(sheet)];
    int best_score = 0;
    for (int row = 1; row <= 30 && static_cast<size_t>(row) <= s.rows.size(); ++row) {
        ColumnMapping m = MapHeaderRow(s, row);
        int score = m.recognised() * 2 + (m[ImportField::kName] >= 0 ? 1 : 0);
        if (m.recognised() >= 2 && score > best_score) {
            best_score = score;
            best.header_row = row;
            best.mapping = m;
        }
    }
    return best;
}

HeaderGuess GuessHeader(const Workbook& workbook) {
    HeaderGuess best;
    int best_score = -1;
    for (size_t i = 0; i < workbook.sheets.size(); ++i) {
        HeaderGuess g = GuessHeaderInSheet(workbook, static_cast<int>(i));
        int score = g.header_row == 0
                        ? 0
                        : g.mapping.recognised() * 2 + (g.mapping[ImportField::kName] >= 0 ? 1 : 0);
        if (score > best_score) {
            best_score = score;
            best = g;
        }
    }
    return best;
}

std::string ColumnLetter(int column) {
    std::string out;
    int n = column + 1;
    while (n > 0) {
        int rem = (n - 1) % 26;
        out.insert(out.begin(), static_cast<char>('A' + rem));
        n = (n - 1) / 26;
    }
    return out;
}

}  // namespace bulwark::registry
