#include "testing/followup/workbook_writer.hpp"

#include <sys/mman.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>

namespace bulwark::testing::followup {
namespace {

// A sheet name Excel accepts: no []:*?/\, at most 31 characters (cut on a UTF-8 boundary).
std::string SheetName(const std::string& name) {
    std::string out;
    for (char c : name) {
        if (std::string_view("[]:*?/\\").find(c) != std::string_view::npos) continue;
        out += c;
    }
    size_t chars = 0, cut = out.size();
    for (size_t i = 0; i < out.size(); ++i) {
        if ((static_cast<unsigned char>(out[i]) & 0xC0) != 0x80) {
            if (chars == 28) {
                cut = i;
                break;
            }
            ++chars;
        }
    }
    out.resize(cut);
    return out.empty() ? std::string("Sheet") : out;
}

}  // namespace

Result<std::unique_ptr<WorkbookWriter>> WorkbookWriter::Open() {
    std::unique_ptr<WorkbookWriter> w(new WorkbookWriter());
    w->fd_ = memfd_create("bulwark-followup", MFD_CLOEXEC);
    if (w->fd_ < 0) return Internal("无法建立内存文件");
    const std::string path = "/proc/self/fd/" + std::to_string(w->fd_);
    if (access("/dev/shm", W_OK) == 0) w->tmpdir_ = "/dev/shm";
    lxw_workbook_options options = {.constant_memory = LXW_TRUE,
                                    .tmpdir = w->tmpdir_.empty() ? nullptr : w->tmpdir_.data(),
                                    .use_zip64 = LXW_FALSE};
    w->workbook_ = workbook_new_opt(path.c_str(), &options);
    if (w->workbook_ == nullptr) return Internal("无法创建 Excel 文件");
    w->bold_ = workbook_add_format(w->workbook_);
    format_set_bold(w->bold_);
    w->italic_ = workbook_add_format(w->workbook_);
    format_set_italic(w->italic_);
    w->text_ = workbook_add_format(w->workbook_);
    format_set_num_format(w->text_, "@");
    return w;
}

WorkbookWriter::~WorkbookWriter() {
    if (workbook_ != nullptr) workbook_close(workbook_);
    if (fd_ >= 0) ::close(fd_);
}

Status WorkbookWriter::AddSheet(const std::string& name, const std::vector<double>& widths,
                                const std::vector<int>& text_columns) {
    std::string clean = SheetName(name);
    std::string unique = clean;
    for (int n = 2; std::find(names_.begin(), names_.end(), unique) != names_.end(); ++n) {
        unique = clean + " (" + std::to_string(n) + ")";
    }
    names_.push_back(unique);
    sheet_ = workbook_add_worksheet(workbook_, unique.c_str());
    if (sheet_ == nullptr) return Internal("无法创建工作表");
    row_ = 0;
    text_columns_.assign(widths.size(), false);
    for (int c : text_columns) {
        if (c >= 0 && static_cast<size_t>(c) < text_columns_.size()) text_columns_[c] = true;
    }
    for (size_t c = 0; c < widths.size(); ++c) {
        worksheet_set_column(sheet_, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                             widths[c], text_columns_[c] ? text_ : nullptr);
    }
    return Ok();
}

void WorkbookWriter::Title(const std::string& text) {
    worksheet_write_string(sheet_, row_++, 0, text.c_str(), bold_);
}

void WorkbookWriter::Header(const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
        worksheet_write_string(sheet_, row_, static_cast<lxw_col_t>(c), cells[c].c_str(), bold_);
    }
    ++row_;
}

void WorkbookWriter::Row(const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
        if (cells[c].empty()) continue;
        lxw_format* format = c < text_columns_.size() && text_columns_[c] ? text_ : nullptr;
        worksheet_write_string(sheet_, row_, static_cast<lxw_col_t>(c), cells[c].c_str(), format);
    }
    ++row_;
}

void WorkbookWriter::Note(const std::string& text) {
    worksheet_write_string(sheet_, row_++, 0, text.c_str(), italic_);
}

Result<std::string> WorkbookWriter::Finish() {
    lxw_error closed = workbook_close(workbook_);
    workbook_ = nullptr;
    if (closed != LXW_NO_ERROR) {
        return Internal(std::string("生成 Excel 文件失败: ") + lxw_strerror(closed));
    }
    off_t size = lseek(fd_, 0, SEEK_END);
    if (size < 0) return Internal("生成 Excel 文件失败: 无法读取");
    std::string bytes(static_cast<size_t>(size), '\0');
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = pread(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
        if (n <= 0) return Internal("生成 Excel 文件失败: 无法读取");
        done += static_cast<size_t>(n);
    }
    return bytes;
}

}  // namespace bulwark::testing::followup
