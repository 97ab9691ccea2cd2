// ReadXlsx: an Office Open XML workbook (Excel, WPS, LibreOffice, openpyxl) read with libzip and
// pugixml: the sheet list, shared strings, number formats (to tell dates from numbers), and each
// sheet's cells (shared, inline and formula strings, numbers with their stored digits).
#include <zip.h>

#include <charconv>
#include <cstdlib>
#include <memory>
#include <optional>
#include <pugixml.hpp>
#include <unordered_map>

#include "registry/import/workbook.hpp"

namespace bulwark::registry {
namespace {

// A part larger than this (uncompressed) is refused: a zip bomb, not a register of residents.
constexpr zip_uint64_t kMaxPartBytes = 1ull << 30;
constexpr size_t kMaxRows = 1'048'576;  // Excel's own limit
constexpr size_t kMaxColumns = 256;

Error Unreadable(const std::string& why) {
    return InvalidArgument("无法读取 Excel 文件 (.xlsx): " + why, "file");
}

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

// The part `name` ("xl/workbook.xml"), case-insensitively; nullopt if absent.
Result<std::optional<std::string>> ReadPart(zip_t* zip, const std::string& name) {
    zip_int64_t index = zip_name_locate(zip, name.c_str(), ZIP_FL_NOCASE);
    if (index < 0) return std::optional<std::string>();
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip, static_cast<zip_uint64_t>(index), 0, &st) != 0 ||
        !(st.valid & ZIP_STAT_SIZE)) {
        return Unreadable(name + " 损坏");
    }
    if (st.size > kMaxPartBytes) return Unreadable(name + " 过大");
    zip_file_t* file = zip_fopen_index(zip, static_cast<zip_uint64_t>(index), 0);
    if (file == nullptr) return Unreadable(name + " 无法解压");
    std::string out(static_cast<size_t>(st.size), '\0');
    zip_int64_t got = zip_fread(file, out.data(), st.size);
    zip_fclose(file);
    if (got < 0 || static_cast<zip_uint64_t>(got) != st.size) return Unreadable(name + " 解压失败");
    return std::optional<std::string>(std::move(out));
}

Result<pugi::xml_document> ParseXml(const std::string& text, const std::string& name) {
    pugi::xml_document doc;
    pugi::xml_parse_result parsed = doc.load_buffer(text.data(), text.size(), pugi::parse_default);
    if (!parsed) return Unreadable(name + " 不是有效的 XML");
    return doc;
}

// Local name of an element, without a namespace prefix ("x:row" -> "row": some writers prefix).
std::string_view Local(const pugi::xml_node& node) {
    std::string_view name = node.name();
    size_t colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& node, std::string_view local) {
    for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
        if (Local(c) == local) return c;
    }
    return {};
}

// The text of a string item (<si> or <is>): its <t>, or the <t> of each rich-text run <r>;
// phonetic runs (<rPh>, Japanese furigana) are not part of the value.
std::string StringItem(const pugi::xml_node& item) {
    std::string out;
    for (pugi::xml_node c = item.first_child(); c; c = c.next_sibling()) {
        std::string_view local = Local(c);
        if (local == "t") {
            out += c.text().get();
        } else if (local == "r") {
            if (pugi::xml_node t = Child(c, "t")) out += t.text().get();
        }
    }
    return out;
}

// Whether an Excel number format code shows a date: a d, m or y outside quoted text, escapes
// and [...] sections ("[$-804]yyyy\"年\"m\"月\"d\"日\"" is a date, "0.00" and "@" are not).
bool IsDateFormatCode(std::string_view code) {
    bool quoted = false, bracket = false, escape = false;
    for (char c : code) {
        if (escape) {
            escape = false;
        } else if (quoted) {
            quoted = c != '"';
        } else if (bracket) {
            bracket = c != ']';
        } else if (c == '"') {
            quoted = true;
        } else if (c == '[') {
            bracket = true;
        } else if (c == '\\' || c == '_' || c == '*') {
            escape = true;
        } else if (c == 'd' || c == 'D' || c == 'y' || c == 'Y' || c == 'm' || c == 'M') {
            return true;
        }
    }
    return false;
}

// Built-in number formats that show dates (ECMA-376 18.8.30, with the CJK ids 27-36, 50-58).
bool IsBuiltinDateFormat(int id) {
    return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

// For each cell style (index into cellXfs), whether it shows a date.
std::vector<bool> DateStyles(const pugi::xml_document& styles) {
    pugi::xml_node root = styles.document_element();
    std::unordered_map<int, bool> custom;
    if (pugi::xml_node fmts = Child(root, "numFmts")) {
        for (pugi::xml_node f = fmts.first_child(); f; f = f.next_sibling()) {
            if (Local(f) != "numFmt") continue;
            custom[f.attribute("numFmtId").as_int(-1)] =
                IsDateFormatCode(f.attribute("formatCode").as_string());
        }
    }
    std::vector<bool> out;
    if (pugi::xml_node xfs = Child(root, "cellXfs")) {
        for (pugi::xml_node xf = xfs.first_child(); xf; xf = xf.next_sibling()) {
            if (Local(xf) != "xf") continue;
            int id = xf.attribute("numFmtId").as_int(0);
            auto it = custom.find(id);
            out.push_back(it != custom.end() ? it->second : IsBuiltinDateFormat(id));
        }
    }
    return out;
}

// "C12" -> column 2 (0-based), row 12; false if malformed.
bool ParseRef(std::string_view ref, size_t* column, size_t* row) {
    size_t i = 0, col = 0;
    while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z') {
        col = col * 26 + static_cast<size_t>(ref[i] - 'A' + 1);
        if (col > 16384) return false;
        ++i;
    }
    if (i == 0 || i == ref.size()) return false;
    size_t r = 0;
    auto [end, ec] = std::from_chars(ref.data() + i, ref.data() + ref.size(), r);
    if (ec != std::errc() || end != ref.data() + ref.size() || r == 0) return false;
    *column = col - 1;
    *row = r;
    return true;
}

Cell NumberCell(std::string_view v, bool date) {
    Cell cell;
    cell.kind = Cell::Kind::kNumber;
    cell.date = date;
    cell.text = std::string(v);
    cell.number = std::strtod(cell.text.c_str(), nullptr);
    return cell;
}

Cell TextCell(std::string text) {
    Cell cell;
    cell.kind = text.empty() ? Cell::Kind::kEmpty : Cell::Kind::kText;
    cell.text = std::move(text);
    return cell;
}

Cell ReadCell(const pugi::xml_node& c, const std::vector<std::string>& shared,
              const std::vector<bool>& date_styles) {
    std::string_view type = c.attribute("t").as_string();
    pugi::xml_node v = Child(c, "v");
    if (type == "inlineStr") {
        pugi::xml_node is = Child(c, "is");
        return TextCell(is ? StringItem(is) : std::string(v.text().get()));
    }
    if (!v) return Cell{};
    std::string_view value = v.text().get();
    if (type == "s") {
        size_t index = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), index);
        if (ec != std::errc() || index >= shared.size()) return Cell{};
        return TextCell(shared[index]);
    }
    if (type == "str" || type == "e" || type == "d") return TextCell(std::string(value));
    if (type == "b") return TextCell(value == "1" ? "TRUE" : "FALSE");
    size_t style = c.attribute("s").as_uint(0);
    return NumberCell(value, style < date_styles.size() && date_styles[style]);
}

Result<Sheet> ReadSheet(const pugi::xml_document& doc, const std::vector<std::string>& shared,
                        const std::vector<bool>& date_styles) {
    Sheet sheet;
    pugi::xml_node data = Child(doc.document_element(), "sheetData");
    size_t next_row = 1;
    for (pugi::xml_node row = data.first_child(); row; row = row.next_sibling()) {
        if (Local(row) != "row") continue;
        size_t number = row.attribute("r").as_uint(0);
        if (number == 0) number = next_row;
        if (number > kMaxRows) return Unreadable("行数超过 1048576");
        next_row = number + 1;
        if (sheet.rows.size() < number) sheet.rows.resize(number);
        std::vector<Cell>& cells = sheet.rows[number - 1];
        size_t next_column = 0;
        for (pugi::xml_node c = row.first_child(); c; c = c.next_sibling()) {
            if (Local(c) != "c") continue;
            size_t column = next_column, ref_row = number;
            if (const char* ref = c.attribute("r").as_string(nullptr)) {
                if (!ParseRef(ref, &column, &ref_row)) column = next_column;
            }
            next_column = column + 1;
            if (column >= kMaxColumns) continue;
            Cell cell = ReadCell(c, shared, date_styles);
            if (cell.empty()) continue;
            if (cells.size() <= column) cells.resize(column + 1);
            cells[column] = std::move(cell);
        }
    }
    while (!sheet.rows.empty() && sheet.rows.back().empty()) sheet.rows.pop_back();
    return sheet;
}

// "worksheets/sheet1.xml" relative to xl/, or "/xl/worksheets/sheet1.xml" absolute.
std::string PartPath(std::string_view target) {
    if (!target.empty() && target[0] == '/') return std::string(target.substr(1));
    return "xl/" + std::string(target);
}

}  // namespace

Result<Workbook> ReadXlsx(std::string_view bytes) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source == nullptr) return Unreadable("内存不足");
    ZipPtr zip(zip_open_from_source(source, ZIP_RDONLY, &error));
    if (!zip) {
        zip_source_free(source);
        zip_error_fini(&error);
        return Unreadable("不是有效的 .xlsx (zip) 文件");
    }
    zip_error_fini(&error);

    ASSIGN_OR_RETURN(auto workbook_xml, ReadPart(zip.get(), "xl/workbook.xml"));
    if (!workbook_xml) return Unreadable("缺少 xl/workbook.xml");
    ASSIGN_OR_RETURN(pugi::xml_document workbook, ParseXml(*workbook_xml, "xl/workbook.xml"));
    ASSIGN_OR_RETURN(auto rels_xml, ReadPart(zip.get(), "xl/_rels/workbook.xml.rels"));
    std::unordered_map<std::string, std::string> targets;
    if (rels_xml) {
        ASSIGN_OR_RETURN(pugi::xml_document rels, ParseXml(*rels_xml, "workbook.xml.rels"));
        for (pugi::xml_node r = rels.document_element().first_child(); r; r = r.next_sibling()) {
            targets[r.attribute("Id").as_string()] = PartPath(r.attribute("Target").as_string());
        }
    }

    std::vector<std::string> shared;
    ASSIGN_OR_RETURN(auto shared_xml, ReadPart(zip.get(), "xl/sharedStrings.xml"));
    if (shared_xml) {
        ASSIGN_OR_RETURN(pugi::xml_document doc, ParseXml(*shared_xml, "sharedStrings.xml"));
        for (pugi::xml_node si = doc.document_element().first_child(); si; si = si.next_sibling()) {
            if (Local(si) == "si") shared.push_back(StringItem(si));
        }
    }
    std::vector<bool> date_styles;
    ASSIGN_OR_RETURN(auto styles_xml, ReadPart(zip.get(), "xl/styles.xml"));
    if (styles_xml) {
        ASSIGN_OR_RETURN(pugi::xml_document doc, ParseXml(*styles_xml, "styles.xml"));
        date_styles = DateStyles(doc);
    }

    Workbook out;
    out.format = "xlsx";
    pugi::xml_node root = workbook.document_element();
    if (pugi::xml_node pr = Child(root, "workbookPr")) {
        std::string_view d = pr.attribute("date1904").as_string();
        out.date1904 = d == "1" || d == "true";
    }
    pugi::xml_node sheets = Child(root, "sheets");
    int position = 0;
    for (pugi::xml_node s = sheets.first_child(); s; s = s.next_sibling()) {
        if (Local(s) != "sheet") continue;
        ++position;
        std::string path;
        for (pugi::xml_attribute a = s.first_attribute(); a; a = a.next_attribute()) {
            std::string_view name = a.name();
            if (name == "r:id" || (name.size() > 3 && name.substr(name.size() - 3) == ":id")) {
                auto it = targets.find(a.as_string());
                if (it != targets.end()) path = it->second;
            }
        }
        if (path.empty()) path = "xl/worksheets/sheet" + std::to_string(position) + ".xml";
        ASSIGN_OR_RETURN(auto sheet_xml, ReadPart(zip.get(), path));
        if (!sheet_xml) continue;  // a chart sheet or a missing part: nothing to import
        ASSIGN_OR_RETURN(pugi::xml_document doc, ParseXml(*sheet_xml, path));
        sheet_xml->clear();
        ASSIGN_OR_RETURN(Sheet sheet, ReadSheet(doc, shared, date_styles));
        sheet.name = s.attribute("name").as_string();
        out.sheets.push_back(std::move(sheet));
    }
    if (out.sheets.empty()) return Unreadable("没有工作表");
    return out;
}

}  // namespace bulwark::registry
