#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace bulwark::registry {

// One-sheet .xlsx files made with libxlsxwriter, row after row (its constant-memory mode), into
// an anonymous in-memory file: the workbook never touches the disk (libxlsxwriter's own
// scratch files go to /dev/shm when it exists). Not thread-safe; one writer per file.
class SheetWriter {
public:
    // A workbook with one sheet named `sheet_name`; kInternal if libxlsxwriter cannot start.
    static Result<std::unique_ptr<SheetWriter>> Open(const std::string& sheet_name);
    ~SheetWriter();
    SheetWriter(const SheetWriter&) = delete;
    SheetWriter& operator=(const SheetWriter&) = delete;

    // Column widths (in characters) and which columns hold text that must stay text (ID
    // numbers, phones: Excel would otherwise turn them into numbers when edited).
    void SetColumns(const std::vector<double>& widths, const std::vector<int>& text_columns);
    void Title(const std::string& text);                 // a bold row
    void Header(const std::vector<std::string>& cells);  // a bold row, frozen above the data
    void Row(const std::vector<std::string>& cells);     // strings ("" leaves a cell empty)
    void Note(const std::string& text);                  // an italic line
    // Closes the workbook and returns its bytes.
    Result<std::string> Finish();

private:
    SheetWriter() = default;
    int fd_ = -1;
    lxw_workbook* workbook_ = nullptr;
    lxw_worksheet* sheet_ = nullptr;
    lxw_format* bold_ = nullptr;
    lxw_format* italic_ = nullptr;
    lxw_format* text_ = nullptr;
    std::vector<bool> text_columns_;
    unsigned row_ = 0;
    std::string tmpdir_;
};

}  // namespace bulwark::registry
