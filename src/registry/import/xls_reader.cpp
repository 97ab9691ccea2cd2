// ReadXls: an Excel 97-2003 workbook (BIFF8) read with libfreexl, which opens files by path only:
// the bytes go to an anonymous in-memory file (memfd), never to disk.
#include <freexl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "registry/import/workbook.hpp"

namespace bulwark::registry {
namespace {

constexpr unsigned kMaxRows = 1'048'576;
constexpr unsigned short kMaxColumns = 256;

Error Unreadable(const std::string& why) {
    return InvalidArgument("无法读取 Excel 97-2003 文件 (.xls): " + why, "file");
}

// An anonymous file holding `bytes`, closed by the destructor.
class MemoryFile {
public:
    explicit MemoryFile(std::string_view bytes) {
        fd_ = memfd_create("bulwark-import", MFD_CLOEXEC);
        size_t done = 0;
        while (fd_ >= 0 && done < bytes.size()) {
            ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
            if (n <= 0) {
                ::close(fd_);
                fd_ = -1;
                break;
            }
            done += static_cast<size_t>(n);
        }
    }
    ~MemoryFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    bool ok() const { return fd_ >= 0; }
    std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

private:
    int fd_ = -1;
};

Cell Number(double value, bool date) {
    Cell cell;
    cell.kind = Cell::Kind::kNumber;
    cell.number = value;
    cell.date = date;
    return cell;
}

Cell Text(const char* text) {
    Cell cell;
    cell.text = text == nullptr ? "" : text;
    cell.kind = cell.text.empty() ? Cell::Kind::kEmpty : Cell::Kind::kText;
    return cell;
}

}  // namespace

Result<Workbook> ReadXls(std::string_view bytes) {
    MemoryFile file(bytes);
    if (!file.ok()) return Unreadable("无法建立内存文件");
    const void* handle = nullptr;
    int rc = freexl_open(file.path().c_str(), &handle);
    if (rc != FREEXL_OK) {
        if (handle != nullptr) freexl_close(handle);
        return Unreadable("文件格式无效或设有密码");
    }
    struct Closer {
        const void* h;
        ~Closer() { freexl_close(h); }
    } closer{handle};

    unsigned int count = 0;
    if (freexl_get_info(handle, FREEXL_BIFF_SHEET_COUNT, &count) != FREEXL_OK) {
        return Unreadable("无法读取工作表列表");
    }
    Workbook out;
    out.format = "xls";
    unsigned int date_mode = 0;
    if (freexl_get_info(handle, FREEXL_BIFF_DATEMODE, &date_mode) == FREEXL_OK) {
        out.date1904 = date_mode == FREEXL_BIFF_DATEMODE_1904;
    }
    for (unsigned short index = 0; index < count; ++index) {
        const char* name = nullptr;
        if (freexl_get_worksheet_name(handle, index, &name) != FREEXL_OK) continue;
        if (freexl_select_active_worksheet(handle, index) != FREEXL_OK) continue;
        unsigned int rows = 0;
        unsigned short columns = 0;
        if (freexl_worksheet_dimensions(handle, &rows, &columns) != FREEXL_OK) continue;
        if (rows > kMaxRows) return Unreadable("行数超过 1048576");
        Sheet sheet;
        sheet.name = name == nullptr ? "" : name;
        sheet.rows.resize(rows);
        for (unsigned int r = 0; r < rows; ++r) {
            std::vector<Cell>& cells = sheet.rows[r];
            for (unsigned short c = 0; c < columns && c < kMaxColumns; ++c) {
                FreeXL_CellValue value;
                if (freexl_get_cell_value(handle, r, c, &value) != FREEXL_OK) continue;
                Cell cell;
                switch (value.type) {
                    case FREEXL_CELL_INT:
                        cell = Number(value.value.int_value, false);
                        break;
                    case FREEXL_CELL_DOUBLE:
                        cell = Number(value.value.double_value, false);
                        break;
                    case FREEXL_CELL_TEXT:
                    case FREEXL_CELL_SST_TEXT:
                    case FREEXL_CELL_DATE:
                    case FREEXL_CELL_DATETIME:
                    case FREEXL_CELL_TIME:
                        cell = Text(value.value.text_value);
                        break;
                    default:
                        break;
                }
                if (cell.empty()) continue;
                if (cells.size() <= c) cells.resize(c + 1);
                cells[c] = std::move(cell);
            }
        }
        while (!sheet.rows.empty() && sheet.rows.back().empty()) sheet.rows.pop_back();
        out.sheets.push_back(std::move(sheet));
    }
    if (out.sheets.empty()) return Unreadable("没有工作表");
    return out;
}

}  // namespace bulwark::registry
