#pragma once

#include <string>
#include <vector>

#include "registry/import/workbook.hpp"
#include "testing/results/results_service.hpp"

namespace bulwark::testing::results {

// A lab's results file read into entries: the header row is found among the first 30 rows of
// the first sheet that names a tube barcode and a result column, in Chinese or English
// (试管条码/条码/tube_barcode, 检测结果/结果/result, 检测时间/报告时间/reported_at, ORF1ab Ct,
// N Ct, 实验室). Pure; thread-safe.
struct ResultFile {
    std::vector<ResultEntry> entries;  // the rows that could be read
    std::vector<EntryError> errors;    // the rows that could not, with their row numbers
    int rows = 0;                      // data rows (not blank)
};

// `now` stands in for a row without a time when the file has no time column at all.
// kInvalidArgument when no sheet has the two columns needed.
Result<ResultFile> ReadResultFile(const registry::Workbook& workbook, int64_t now);

}  // namespace bulwark::testing::results
