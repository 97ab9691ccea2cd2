#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "registry/import/column_mapping.hpp"
#include "registry/import/workbook.hpp"

namespace bulwark::registry {

// Turning spreadsheet cells into the text the registry's checks expect. Pure; thread-safe.

// Cell text as people meant it: full-width forms folded, zero-width characters and a leading
// apostrophe (Excel's "keep as text" mark) dropped, spaces trimmed and runs collapsed.
std::string CleanCellText(std::string_view raw);

// The text of `cell` for `field`:
//  - numbers print as the digits the file stored (a phone 13812345678 saved as a number comes
//    back whole); a document number saved as a number with more than 15 significant digits is
//    refused, because Excel keeps only 15 and the rest are already lost (also when the file
//    shows it in scientific notation, "1.10105E+17", as CSV saved from Excel does);
//  - dates (a date-formatted number, a serial number in a date column, "1990年1月2日",
//    "1990.1.2") become "1990-01-02".
// kInvalidArgument with a reason (no field label) when the value cannot be right.
Result<std::string> CellText(const Cell& cell, ImportField field, bool date1904);

}  // namespace bulwark::registry
