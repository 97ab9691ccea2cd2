#pragma once

#include <functional>
#include <string>
#include <vector>

#include "registry/import/column_mapping.hpp"
#include "registry/import/workbook.hpp"
#include "registry/resident_input.hpp"

namespace bulwark::registry {

// One problem with one row, as the dry run lists it.
struct RowError {
    int row = 0;          // the spreadsheet's row number (1-based)
    int column = -1;      // 0-based column, -1 when the row as a whole is wrong
    std::string field;    // ImportFieldKey, or ""
    std::string message;  // "第 37 行 身份证号: 校验位错误"
};

// A data row turned into registry terms: the resident's fields as ResidentInput (enumerations
// already translated from Chinese: 男 -> male, 流动人口 -> floating, 残疾、孕妇 -> tags) and the
// place as named in the sheet. A blank cell is an absent field (it changes nothing on update).
struct ImportRow {
    int row = 0;
    ResidentInput input;
    std::string grid;
    std::string building;
    std::string unit;
    std::string room;
};

struct ExtractedRows {
    std::vector<ImportRow> rows;
    std::vector<RowError> errors;  // cells that cannot be right, whatever the database holds
    int rows_total = 0;            // data rows (blank and note rows not counted)
};

// Reads the data rows below `header_row` (1-based) of `sheet` with `mapping`. Blank rows are
// skipped, and so are note lines (one filled cell starting with 注, 说明, 合计, 共 or 导出人, as
// our own export's footer does). Pure; thread-safe. `progress(done, total)`, if set, is called
// every few thousand rows.
ExtractedRows ExtractRows(const Workbook& workbook, int sheet, int header_row,
                          const ColumnMapping& mapping,
                          const std::function<void(int, int)>& progress = {});

// "第 37 行 " + label + ": " + reason.
std::string RowMessage(int row, std::string_view label_and_reason);

// Place names as stored: "3" -> "3栋" for a building, "2" -> "2单元" for a unit, "1203室" ->
// "1203" for a room; otherwise cleaned text.
std::string BuildingName(std::string_view text);
std::string UnitName(std::string_view text);
std::string RoomName(std::string_view text);
// What identifies a building within a community: "3栋", "3号楼", "3幢", "3" -> "#3".
std::string BuildingKey(std::string_view name);

}  // namespace bulwark::registry
