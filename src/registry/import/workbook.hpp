#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace bulwark::registry {

// A spreadsheet as read from .xlsx, .xls or .csv: sheets of rows of cells, with no domain
// meaning. Plain value types.

// One cell. Numbers keep the text the file stored them as (xlsx "<v>13812345678</v>"), so that a
// phone saved as a number comes back digit for digit; `date` says the cell's number format shows
// a date (the number is then an Excel serial day).
struct Cell {
    enum class Kind : uint8_t { kEmpty, kText, kNumber };
    Kind kind = Kind::kEmpty;
    bool date = false;
    double number = 0;
    std::string text;  // kText: the text; kNumber: the stored digits if the file kept them

    bool empty() const { return kind == Kind::kEmpty || (kind == Kind::kText && text.empty()); }
};

// rows[i] is the sheet's row i + 1 (blank rows are kept, empty), so that a row's index gives the
// row number people see in Excel.
struct Sheet {
    std::string name;
    std::vector<std::vector<Cell>> rows;
};

struct Workbook {
    std::string format;    // "xlsx", "xls", "csv"
    std::string encoding;  // csv: "UTF-8", "UTF-8 BOM", "GB18030"; others ""
    bool date1904 = false;
    std::vector<Sheet> sheets;
};

// Reads a workbook from its bytes, choosing the reader by content (a zip is .xlsx, an OLE2
// compound file is .xls, anything else is CSV); `filename` only names the single CSV sheet.
// kInvalidArgument with a zh-CN reason when the file cannot be read.
Result<Workbook> ReadWorkbook(std::string_view bytes, std::string_view filename);

Result<Workbook> ReadXlsx(std::string_view bytes);
Result<Workbook> ReadXls(std::string_view bytes);
Result<Workbook> ReadCsv(std::string_view bytes, std::string_view sheet_name);

// The encoding of CSV bytes: "UTF-8 BOM" (EF BB BF), "UTF-8" (valid UTF-8), else "GB18030".
std::string_view DetectCsvEncoding(std::string_view bytes);

// An Excel serial day as yyyymmdd (1900 date system with its phantom 29 February 1900, or the
// 1904 system); 0 when out of range.
int32_t DateFromSerial(double serial, bool date1904);

}  // namespace bulwark::registry
