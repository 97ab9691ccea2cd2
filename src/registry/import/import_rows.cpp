#include "registry/import/import_rows.hpp"

#include <array>

#include "registry/import/cell_text.hpp"
#include "registry/model.hpp"

namespace bulwark::registry {
namespace {

struct Synonym {
    std::string_view text;
    std::string_view key;
};

constexpr std::array kDocTypes = {
    Synonym{"身份证", "id_card"},
    Synonym{"居民身份证", "id_card"},
    Synonym{"二代身份证", "id_card"},
    Synonym{"身份证号", "id_card"},
    Synonym{"护照", "passport"},
    Synonym{"外国护照", "passport"},
    Synonym{"中国护照", "passport"},
    Synonym{"港澳通行证", "hk_macau"},
    Synonym{"港澳居民来往内地通行证", "hk_macau"},
    Synonym{"回乡证", "hk_macau"},
    Synonym{"港澳居民居住证", "hk_macau"},
    Synonym{"台胞证", "taiwan"},
    Synonym{"台湾居民来往大陆通行证", "taiwan"},
    Synonym{"台湾居民居住证", "taiwan"},
    Synonym{"无", "none"},
    Synonym{"无证件", "none"},
};
constexpr std::array kSexes = {
    Synonym{"男", "male"},     Synonym{"女", "female"}, Synonym{"男性", "male"},
    Synonym{"女性", "female"}, Synonym{"m", "male"},    Synonym{"f", "female"},
};
constexpr std::array kResidencies = {
    Synonym{"常住", "permanent"},    Synonym{"常住人口", "permanent"},
    Synonym{"户籍", "permanent"},    Synonym{"户籍人口", "permanent"},
    Synonym{"本地", "permanent"},    Synonym{"流动", "floating"},
    Synonym{"流动人口", "floating"}, Synonym{"外来", "floating"},
    Synonym{"外来人口", "floating"}, Synonym{"暂住", "floating"},
    Synonym{"租户", "tenant"},       Synonym{"租住", "tenant"},
    Synonym{"租赁", "tenant"},       Synonym{"租房", "tenant"},
};
constexpr std::array kPresences = {
    Synonym{"在住", "present"},     Synonym{"在家", "present"},   Synonym{"是", "present"},
    Synonym{"在", "present"},       Synonym{"外出", "away"},      Synonym{"不在", "away"},
    Synonym{"否", "away"},          Synonym{"离开", "away"},      Synonym{"迁出", "moved_out"},
    Synonym{"已迁出", "moved_out"}, Synonym{"搬离", "moved_out"}, Synonym{"已搬离", "moved_out"},
};
constexpr std::array kTags = {
    Synonym{"残疾", "disabled"},   Synonym{"残疾人", "disabled"},    Synonym{"孕妇", "pregnant"},
    Synonym{"孕产妇", "pregnant"}, Synonym{"婴儿", "infant"},        Synonym{"婴幼儿", "infant"},
    Synonym{"卧床", "bedridden"},  Synonym{"长期卧床", "bedridden"}, Synonym{"慢性病", "chronic"},
    Synonym{"慢病", "chronic"},    Synonym{"慢性病患者", "chronic"},
};
// Derived from the birth date, never stored: accepted in the sheet and ignored.
constexpr std::array<std::string_view, 8> kDerivedTags = {
    "60岁以上", "80岁以上", "60+", "80+", "老人", "老年人", "elderly_60", "elderly_80"};

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
}

// The API key for `text`: a synonym, or the key itself; nullopt if neither.
template <size_t N>
std::optional<std::string> Translate(std::string_view text, const std::array<Synonym, N>& table) {
    std::string lower = Lower(text);
    for (const Synonym& s : table) {
        if (s.text == lower || s.key == lower) return std::string(s.key);
    }
    return std::nullopt;
}

bool IsDigits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Splits "残疾、孕妇; 慢性病" on 、 , ; / and spaces.
std::vector<std::string> SplitList(const std::string& text) {
    std::vector<std::string> out;
    std::string current;
    auto flush = [&] {
        if (!current.empty()) out.push_back(std::move(current));
        current.clear();
    };
    for (size_t i = 0; i < text.size();) {
        if (text.compare(i, 3, "、") == 0) {
            flush();
            i += 3;
        } else if (text[i] == ',' || text[i] == ';' || text[i] == '/' || text[i] == ' ' ||
                   text[i] == '|') {
            flush();
            ++i;
        } else {
            current += text[i++];
        }
    }
    flush();
    return out;
}

bool IsNoteLine(const std::vector<Cell>& cells) {
    const Cell* only = nullptr;
    for (const Cell& c : cells) {
        if (c.empty()) continue;
        if (only != nullptr) return false;
        only = &c;
    }
    if (only == nullptr || only->kind != Cell::Kind::kText) return false;
    std::string text = CleanCellText(only->text);
    for (std::string_view prefix : {"注", "说明", "合计", "共", "导出人", "填表"}) {
        if (text.compare(0, prefix.size(), prefix) == 0) return true;
    }
    return false;
}

}  // namespace

std::string RowMessage(int row, std::string_view label_and_reason) {
    return "第 " + std::to_string(row) + " 行 " + std::string(label_and_reason);
}

std::string BuildingName(std::string_view text) {
    std::string name = CleanCellText(text);
    return IsDigits(name) ? name + "栋" : name;
}

std::string UnitName(std::string_view text) {
    std::string name = CleanCellText(text);
    return IsDigits(name) ? name + "单元" : name;
}

std::string RoomName(std::string_view text) {
    std::string name = CleanCellText(text);
    for (std::string_view suffix : {"室", "号", "房"}) {
        if (EndsWith(name, suffix) && IsDigits(name.substr(0, name.size() - suffix.size()))) {
            return name.substr(0, name.size() - suffix.size());
        }
    }
    return name;
}

std::string BuildingKey(std::string_view raw) {
    std::string name = CleanCellText(raw);
    std::string_view n = name;
    if (n.size() > 1 && n[0] == '#') n.remove_prefix(1);
    for (std::string_view suffix : {"号楼", "栋", "幢", "座", "楼", "号"}) {
        if (EndsWith(n, suffix)) {
            n.remove_suffix(suffix.size());
            break;
        }
    }
    if (IsDigits(n)) {
        size_t first = n.find_first_not_of('0');
        return "#" + std::string(first == std::string_view::npos ? "0" : n.substr(first));
    }
    return name;
}

ExtractedRows ExtractRows(const Workbook& workbook, int sheet_index, int header_row,
                          const ColumnMapping& mapping,
                          const std::function<void(int, int)>& progress) {
    ExtractedRows out;
    if (sheet_index < 0 || static_cast<size_t>(sheet_index) >= workbook.sheets.size()) return out;
    const Sheet& sheet = workbook.sheets[static_cast<size_t>(sheet_index)];
    const int total = static_cast<int>(sheet.rows.size());
    out.rows.reserve(static_cast<size_t>(std::max(0, total - header_row)));
    for (int r = std::max(header_row, 0); r < total; ++r) {
        if (progress && r % 5000 == 0) progress(r, total);
        const std::vector<Cell>& cells = sheet.rows[static_cast<size_t>(r)];
        bool blank = true;
        for (const Cell& c : cells) blank = blank && c.empty();
        if (blank || IsNoteLine(cells)) continue;
        ++out.rows_total;
        ImportRow row;
        row.row = r + 1;
        bool row_ok = true;
        auto fail = [&](ImportField f, const std::string& reason) {
            out.errors.push_back(
                {.row = row.row,
                 .column = mapping[f],
                 .field = std::string(ImportFieldKey(f)),
                 .message = RowMessage(row.row, std::string(ImportFieldLabel(f)) + ": " + reason)});
            row_ok = false;
        };
        for (ImportField f : kImportFields) {
            int c = mapping[f];
            if (c < 0 || static_cast<size_t>(c) >= cells.size()) continue;
            Result<std::string> text =
                CellText(cells[static_cast<size_t>(c)], f, workbook.date1904);
            if (!text.ok()) {
                fail(f, text.error().message);
                continue;
            }
            if (text->empty()) continue;
            ResidentInput& in = row.input;
            switch (f) {
                case ImportField::kName:
                    in.name = *text;
                    break;
                case ImportField::kDocType:
                    if (auto key = Translate(*text, kDocTypes)) {
                        in.doc_type = *key;
                    } else {
                        fail(f,
                             "无法识别「" + *text + "」(应为身份证、护照、港澳通行证、台胞证或无)");
                    }
                    break;
                case ImportField::kDocNumber:
                    in.doc_number = *text;
                    break;
                case ImportField::kPhone:
                    in.phone = *text;
                    break;
                case ImportField::kSex:
                    if (auto key = Translate(*text, kSexes)) {
                        in.sex = *key;
                    } else {
                        fail(f, "无法识别「" + *text + "」(应为男或女)");
                    }
                    break;
                case ImportField::kBirthDate:
                    in.birth_date = *text;
                    break;
                case ImportField::kGrid:
                    row.grid = *text;
                    break;
                case ImportField::kBuilding:
                    row.building = BuildingName(*text);
                    break;
                case ImportField::kUnit:
                    row.unit = UnitName(*text);
                    break;
                case ImportField::kRoom:
                    row.room = RoomName(*text);
                    break;
                case ImportField::kResidency:
                    if (auto key = Translate(*text, kResidencies)) {
                        in.residency = *key;
                    } else {
                        fail(f, "无法识别「" + *text + "」(应为常住、流动或租户)");
                    }
                    break;
                case ImportField::kPresence:
                    if (auto key = Translate(*text, kPresences)) {
                        in.presence = *key;
                    } else {
                        fail(f, "无法识别「" + *text + "」(应为在住、外出或迁出)");
                    }
                    break;
                case ImportField::kTags: {
                    std::vector<std::string> keys;
                    for (const std::string& item : SplitList(*text)) {
                        if (auto key = Translate(item, kTags)) {
                            keys.push_back(*key);
                        } else if (std::find(kDerivedTags.begin(), kDerivedTags.end(),
                                             Lower(item)) == kDerivedTags.end()) {
                            fail(f, "无法识别「" + item + "」(可填残疾、孕妇、婴儿、卧床、慢性病)");
                        }
                    }
                    in.tags = std::move(keys);
                    break;
                }
                case ImportField::kNotes:
                    in.notes = *text;
                    break;
            }
        }
        if (row_ok) out.rows.push_back(std::move(row));
    }
    if (progress) progress(total, total);
    return out;
}

}  // namespace bulwark::registry
