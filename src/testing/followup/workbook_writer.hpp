#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace bulwark::testing::followup {

// A .xlsx workbook of several sheets written one after the other (libxlsxwriter's
// constant-memory mode), into an anonymous in-memory file. The registry's SheetWriter makes
// one-sheet files; the missed list needs a sheet per building. Not thread-safe.
class WorkbookWriter {
public:
    static Result<std::unique_ptr<WorkbookWriter>> Open();
    ~WorkbookWriter();
    WorkbookWriter(const WorkbookWriter&) = delete;
    WorkbookWriter& operator=(const WorkbookWriter&) = delete;

    // Starts a new sheet (names are cleaned of []:*?/\ and cut to 31 characters; a repeated
    // name gets a number). `text_columns` hold text that must stay text (phones).
    Status AddSheet(const std::string& name, const std::vector<double>& widths,
                    const std::vector<int>& text_columns = {});
    void Title(const std::string& text);
    void Header(const std::vector<std::string>& cells);
    void Row(const std::vector<std::string>& cells);
    void Note(const std::string& text);
    Result<std::string> Finish();

private:
    WorkbookWriter() = default;
    int fd_ = -1;
    lxw_workbook* workbook_ = nullptr;
    lxw_worksheet* sheet_ = nullptr;
    lxw_format* bold_ = nullptr;
    lxw_format* italic_ = nullptr;
    lxw_format* text_ = nullptr;
    std::vector<bool> text_columns_;
    std::vector<std::string> names_;
    unsigned row_ = 0;
    std::string tmpdir_;
};

}  // namespace bulwark::testing::followup
