#include "registry/export/sheet_writer.hpp"

#include <sys/mman.h>
#include <unistd.h>
#include <xlsxwriter.h>

namespace bulwark::registry {

Result<std::unique_ptr<SheetWriter>> SheetWriter::Open(const std::string& sheet_name) {
    std::unique_ptr<SheetWriter> w(new SheetWriter());
    w->fd_ = memfd_create("bulwark-export", MFD_CLOEXEC);
    if (w->fd_ < 0) return Internal("无法建立内存文件");
    const std::string path = "/proc/self/fd/" + std::to_string(w->fd_);
    if (access("/dev/shm", W_OK) == 0) w->tmpdir_ = "/dev/shm";
    lxw_workbook_options options = {.constant_memory = LXW_TRUE,
                                    .tmpdir = w->tmpdir_.empty() ? nullptr : w->tmpdir_.data(),
                                    .use_zip64 = LXW_FALSE};
    w->workbook_ = workbook_new_opt(path.c_str(), &options);
    if (w->workbook_ == nullptr) return Internal("无法创建 Excel 文件");
    w->sheet_ = workbook_add_worksheet(w->workbook_, sheet_name.c_str());
    if (w->sheet_ == nullptr) return Internal("无法创建工作表");
    w->bold_ = workbook_add_format(w->workbook_);
    format_set_bold(w->bold_);
    w->italic_ = workbook_add_format(w->workbook_);
    format_set_italic(w->italic_);
    w->text_ = workbook_add_format(w->workbook_);
    format_set_num_format(w->text_, "@");
    return w;
}

SheetWriter::~SheetWriter() {
    if (workbook_ != nullptr) workbook_close(workbook_);
    if (fd_ >= 0) ::close(fd_);
}

void SheetWriter::SetColumns(const std::vector<double>& widths,
                             const std::vector<int>& text_columns) {
    text_columns_.assign(widths.size(), false);
    for (int c : text_columns) {
        if (c >= 0 && static_cast<size_t>(c) < text_columns_.size()) text_columns_[c] = true;
    }
    for (size_t c = 0; c < widths.size(); ++c) {
        worksheet_set_column(sheet_, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                             widths[c], text_columns_[c] ? text_ : nullptr);
    }
}

void SheetWriter::Title(const std::string& text) {
    worksheet_write_string(sheet_, row_++, 0, text.c_str(), bold_);
}

void SheetWriter::Header(const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
        worksheet_write_string(sheet_, row_, static_cast<lxw_col_t>(c), cells[c].c_str(), bold_);
    }
    ++row_;
    worksheet_freeze_panes(sheet_, row_, 0);
}

void SheetWriter::Row(const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
        if (cells[c].empty()) continue;
        lxw_format* format = c < text_columns_.size() && text_columns_[c] ? text_ : nullptr;
        worksheet_write_string(sheet_, row_, static_cast<lxw_col_t>(c), cells[c].c_str(), format);
    }
    ++row_;
}

void SheetWriter::Note(const std::string& text) {
    worksheet_write_string(sheet_, row_++, 0, text.c_str(), italic_);
}

Result<std::string> SheetWriter::Finish() {
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

}  // namespace bulwark::registry
