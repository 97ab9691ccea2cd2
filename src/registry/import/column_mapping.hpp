#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/import/workbook.hpp"

namespace bulwark::registry {

// The fields a resident import can fill, and how a sheet's columns map to them. Pure functions;
// thread-safe.
enum class ImportField {
    kName,
    kDocType,
    kDocNumber,
    kPhone,
    kSex,
    kBirthDate,
    kGrid,
    kBuilding,
    kUnit,
    kRoom,
    kResidency,
    kPresence,
    kTags,
    kNotes,
};
inline constexpr size_t kImportFieldCount = 14;
inline constexpr std::array<ImportField, kImportFieldCount> kImportFields = {
    ImportField::kName, ImportField::kDocType,   ImportField::kDocNumber, ImportField::kPhone,
    ImportField::kSex,  ImportField::kBirthDate, ImportField::kGrid,      ImportField::kBuilding,
    ImportField::kUnit, ImportField::kRoom,      ImportField::kResidency, ImportField::kPresence,
    ImportField::kTags, ImportField::kNotes};

std::string_view ImportFieldKey(ImportField f);    // "name", "doc_number", ... (the API's keys)
std::string_view ImportFieldLabel(ImportField f);  // "姓名", "身份证号", ... (messages, export)
bool ParseImportFieldKey(std::string_view key, ImportField* out);

// The field a column header names ("身份证号", "证件号码", "联系电话", "手机号", "楼栋", "房号",
// "姓名*", "联系电话 (必填)", ...), or nullopt. Case, spaces, full-width forms, a required-mark
// '*' and a parenthesised remark are ignored.
std::optional<ImportField> RecogniseHeader(std::string_view header);

// Which column (0-based) holds each field; -1 for none.
struct ColumnMapping {
    std::array<int, kImportFieldCount> column;
    ColumnMapping() { column.fill(-1); }
    int& operator[](ImportField f) { return column[static_cast<size_t>(f)]; }
    int operator[](ImportField f) const { return column[static_cast<size_t>(f)]; }
    // The field mapped to `column_index`, if any.
    std::optional<ImportField> FieldOf(int column_index) const;
    int recognised() const;
};

// The mapping that the headers in row `header_row` (1-based) of `sheet` suggest; a field named
// by two columns keeps the first.
ColumnMapping MapHeaderRow(const Sheet& sheet, int header_row);

// Where the data seems to start: the sheet (index) and header row with the most recognised
// headers among the first 30 rows of each sheet, preferring rows that name 姓名. A title row
// above the header is thereby skipped. header_row 0 when no row names two fields.
struct HeaderGuess {
    int sheet = 0;
    int header_row = 0;
    ColumnMapping mapping;
};
HeaderGuess GuessHeader(const Workbook& workbook);
// The same within one sheet.
HeaderGuess GuessHeaderInSheet(const Workbook& workbook, int sheet);

// "A", "B", ..., "Z", "AA" for a 0-based column.
std::string ColumnLetter(int column);

}  // namespace bulwark::registry
