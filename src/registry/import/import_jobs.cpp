#include "registry/import/import_jobs.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "registry/sealing.hpp"

namespace bulwark::registry {

struct ImportJobs::Job {
    std::mutex mu;
    std::string id;
    auth::Principal who;  // the uploader, as at upload
    std::string filename;
    int64_t community_id = 0;
    std::string bytes;  // until parsed
    Workbook workbook;  // from parsing until applied or dropped
    ResidentImporter::Layout layout;
    std::string status = "parsing";
    std::string message;
    int done = 0;
    int total = 0;
    ResidentImporter::Checked checked;
    bool busy = false;  // a task is queued or running
    int64_t created_at = 0;
    int64_t last_access = 0;
};

ImportJobs::ImportJobs(db::Database& db, const auth::PersonalDataCipher& cipher, Clock& clock,
                       Options options)
    : importer_(db, cipher, clock), clock_(clock), options_(options) {
    worker_ = std::thread([this] { RunWorker(); });
}

ImportJobs::~ImportJobs() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        queue_.clear();
    }
    wake_.notify_all();
    worker_.join();
}

void ImportJobs::Enqueue(std::function<void()> task) {
    {
        std::lock_guard lock(mu_);
        queue_.push_back(std::move(task));
    }
    wake_.notify_one();
}

void ImportJobs::RunWorker() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(mu_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            task = std::move(queue_.front());
            queue_.pop_front();
        }
        task();
    }
}

void ImportJobs::DropIdle() {
    const int64_t now = clock_.NowMillis();
    for (auto it = jobs_.begin(); it != jobs_.end();) {
        std::lock_guard lock(it->second->mu);
        bool idle = !it->second->busy && now - it->second->last_access > options_.idle_ms;
        it = idle ? jobs_.erase(it) : std::next(it);
    }
}

std::shared_ptr<ImportJobs::Job> ImportJobs::Find(const auth::Principal& who,
                                                  const std::string& id) {
    std::lock_guard lock(mu_);
    DropIdle();
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second->who.user_id != who.user_id) return nullptr;
    return it->second;
}

ImportStatus ImportJobs::Snapshot(const Job& job) const {
    ImportStatus s;
    s.id = job.id;
    s.filename = job.filename;
    s.community_id = job.community_id;
    s.status = job.status;
    s.message = job.message;
    s.progress_done = job.done;
    s.progress_total = job.total;
    s.format = job.workbook.format;
    s.encoding = job.workbook.encoding;
    for (const Sheet& sheet : job.workbook.sheets) s.sheets.push_back(sheet.name);
    s.sheet = job.layout.sheet;
    s.header_row = job.layout.header_row;
    if (static_cast<size_t>(job.layout.sheet) < job.workbook.sheets.size()) {
        const Sheet& sheet = job.workbook.sheets[static_cast<size_t>(job.layout.sheet)];
        size_t width = 0;
        size_t first = static_cast<size_t>(std::max(job.layout.header_row - 1, 0));
        for (size_t r = first; r < sheet.rows.size() && r < first + 50; ++r) {
            width = std::max(width, sheet.rows[r].size());
        }
        const std::vector<Cell>* header =
            job.layout.header_row > 0 && first < sheet.rows.size() ? &sheet.rows[first] : nullptr;
        for (size_t c = 0; c < width; ++c) {
            ImportStatus::Column column{.index = static_cast<int>(c)};
            if (header != nullptr && c < header->size() && (*header)[c].kind == Cell::Kind::kText) {
                column.header = (*header)[c].text;
            }
            column.field = job.layout.mapping.FieldOf(static_cast<int>(c));
            s.columns.push_back(std::move(column));
        }
    }
    s.rows_total = job.checked.rows_total;
    s.error_count = static_cast<int>(job.checked.errors.size());
    size_t shown = std::min(job.checked.errors.size(), options_.max_errors_shown);
    s.errors.assign(job.checked.errors.begin(), job.checked.errors.begin() + shown);
    s.summary = job.checked.summary;
    s.created_at = job.created_at;
    s.created_by = job.who.username;
    return s;
}

Result<ImportStatus> ImportJobs::Start(const auth::Principal& who, std::string filename,
                                       int64_t community_id, std::string bytes) {
    if (community_id == 0) {
        ASSIGN_OR_RETURN(community_id, importer_.DefaultCommunity(who));
    }
    auto job = std::make_shared<Job>();
    job->id = NewCodeToken();
    job->who = who;
    job->filename = filename.empty() ? "residents" : std::move(filename);
    job->community_id = community_id;
    job->bytes = std::move(bytes);
    job->busy = true;
    job->created_at = job->last_access = clock_.NowMillis();
    {
        std::lock_guard lock(mu_);
        DropIdle();
        if (jobs_.size() >= options_.max_jobs) {
            // Make room by dropping the least recently looked-at idle job.
            auto oldest = jobs_.end();
            for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
                std::lock_guard job_lock(it->second->mu);
                if (it->second->busy) continue;
                if (oldest == jobs_.end() || it->second->last_access < oldest->second->last_access)
                    oldest = it;
            }
            if (oldest == jobs_.end()) return Unavailable("导入任务过多, 请稍后再试");
            jobs_.erase(oldest);
        }
        jobs_[job->id] = job;
    }
    Enqueue([this, job] { CheckJob(job, true); });
    std::lock_guard lock(job->mu);
    return Snapshot(*job);
}

Result<ImportStatus> ImportJobs::Get(const auth::Principal& who, const std::string& id) {
    std::shared_ptr<Job> job = Find(who, id);
    if (!job) return NotFound("导入任务未找到 (可能已过期)");
    std::lock_guard lock(job->mu);
    job->last_access = clock_.NowMillis();
    return Snapshot(*job);
}

Result<std::vector<RowError>> ImportJobs::Errors(const auth::Principal& who,
                                                 const std::string& id) {
    std::shared_ptr<Job> job = Find(who, id);
    if (!job) return NotFound("导入任务未找到 (可能已过期)");
    std::lock_guard lock(job->mu);
    job->last_access = clock_.NowMillis();
    return job->checked.errors;
}

Result<ImportStatus> ImportJobs::ChangeMapping(const auth::Principal& who, const std::string& id,
                                               const Remap& remap) {
    std::shared_ptr<Job> job = Find(who, id);
    if (!job) return NotFound("导入任务未找到 (可能已过期)");
    std::lock_guard lock(job->mu);
    job->last_access = clock_.NowMillis();
    if (job->busy || (job->status != "checked" && job->status != "failed") ||
        job->workbook.sheets.empty()) {
        return FailedPrecondition("导入任务正在处理或已完成, 不能修改列对应关系", "status");
    }
    ResidentImporter::Layout layout = job->layout;
    const int sheets = static_cast<int>(job->workbook.sheets.size());
    if (remap.sheet) {
        if (*remap.sheet < 0 || *remap.sheet >= sheets) {
            return InvalidArgument("sheet 应在 0 到 " + std::to_string(sheets - 1) + " 之间",
                                   "sheet");
        }
        if (*remap.sheet != layout.sheet) {
            HeaderGuess guess = GuessHeaderInSheet(job->workbook, *remap.sheet);
            layout = {
                .sheet = guess.sheet, .header_row = guess.header_row, .mapping = guess.mapping};
        }
    }
    if (remap.header_row && *remap.header_row != layout.header_row) {
        const Sheet& sheet = job->workbook.sheets[static_cast<size_t>(layout.sheet)];
        if (*remap.header_row < 1 || static_cast<size_t>(*remap.header_row) > sheet.rows.size()) {
            return InvalidArgument("header_row 超出工作表的行数", "header_row");
        }
        layout.header_row = *remap.header_row;
        layout.mapping = MapHeaderRow(sheet, layout.header_row);
    }
    for (const auto& [field, column] : remap.mapping) {
        if (column < -1 || column >= 256) return InvalidArgument("列号无效", "mapping");
        if (column >= 0) {
            // One column feeds one field: a column moved to this field leaves its old one.
            for (ImportField f : kImportFields) {
                if (layout.mapping[f] == column) layout.mapping[f] = -1;
            }
        }
        layout.mapping[field] = column;
    }
    job->layout = layout;
    job->status = "parsing";
    job->message.clear();
    job->busy = true;
    Enqueue([this, job] { CheckJob(job, false); });
    return Snapshot(*job);
}

Result<ImportStatus> ImportJobs::Apply(const auth::Principal& who, const std::string& id) {
    std::shared_ptr<Job> job = Find(who, id);
    if (!job) return NotFound("导入任务未找到 (可能已过期)");
    std::lock_guard lock(job->mu);
    job->last_access = clock_.NowMillis();
    if (job->busy || job->status != "checked") {
        return FailedPrecondition("只有检查完成的导入才能写入 (当前: " + job->status + ")",
                                  "status");
    }
    if (!job->checked.errors.empty()) {
        return FailedPrecondition("还有 " + std::to_string(job->checked.errors.size()) +
                                      " 处错误, 改正后才能导入 (全部写入或全部不写入)",
                                  "errors");
    }
    if (job->checked.rows.empty()) return FailedPrecondition("没有可导入的数据行", "rows_total");
    job->who = who;  // permissions as they are now
    job->status = "applying";
    job->done = 0;
    job->total = static_cast<int>(job->checked.rows.size());
    job->busy = true;
    Enqueue([this, job] { ApplyJob(job); });
    return Snapshot(*job);
}

// The background halves: they run on the worker thread; a job's fields change only under its
// mutex, and its workbook only while the job is busy (when no request changes it).

namespace {

template <class JobT>
void Fail(JobT& job, const std::string& message) {
    std::lock_guard lock(job.mu);
    job.status = "failed";
    job.message = message;
    job.busy = false;
}

}  // namespace

void ImportJobs::CheckJob(const std::shared_ptr<Job>& job, bool parse) {
    auto progress = [job](int done, int total) {
        std::lock_guard lock(job->mu);
        job->done = done;
        job->total = total;
    };
    try {
        if (parse) {
            std::string bytes;
            {
                std::lock_guard lock(job->mu);
                bytes = std::move(job->bytes);
                job->bytes.clear();
            }
            Result<Workbook> workbook = ReadWorkbook(bytes, job->filename);
            if (!workbook.ok()) return Fail(*job, workbook.error().message);
            ResidentImporter::Layout layout = ResidentImporter::GuessLayout(*workbook);
            std::lock_guard lock(job->mu);
            job->workbook = std::move(*workbook);
            job->layout = layout;
        }
        ResidentImporter::Layout layout;
        {
            std::lock_guard lock(job->mu);
            layout = job->layout;
        }
        auto checked =
            importer_.Check(job->who, job->community_id, job->workbook, layout, progress);
        if (!checked.ok()) return Fail(*job, checked.error().message);
        std::lock_guard lock(job->mu);
        job->checked = std::move(*checked);
        job->status = "checked";
        job->busy = false;
    } catch (const std::exception& e) {
        spdlog::error("import {}: {}", job->id, e.what());
        Fail(*job, "导入时发生内部错误");
    }
}

void ImportJobs::ApplyJob(const std::shared_ptr<Job>& job) {
    auto progress = [job](int done, int total) {
        std::lock_guard lock(job->mu);
        job->done = done;
        job->total = total;
    };
    try {
        std::vector<RowError> errors;
        Result<ImportSummary> applied =
            importer_.Apply(job->who, job->community_id, job->checked.rows, job->layout.mapping,
                            {.import_id = job->id, .filename = job->filename}, &errors, progress);
        std::lock_guard lock(job->mu);
        job->busy = false;
        if (!applied.ok()) {
            job->status = "failed";
            job->message = applied.error().message;
            if (!errors.empty()) job->checked.errors = std::move(errors);
            return;
        }
        job->status = "applied";
        job->checked.summary = *applied;
        job->done = job->total;
        // The rows carry plaintext ID numbers and phones: keep nothing past the header.
        job->checked.rows.clear();
        job->checked.rows.shrink_to_fit();
        for (Sheet& sheet : job->workbook.sheets) {
            size_t keep = static_cast<size_t>(std::max(job->layout.header_row, 0));
            if (sheet.rows.size() > keep) sheet.rows.resize(keep);
            sheet.rows.shrink_to_fit();
        }
    } catch (const std::exception& e) {
        spdlog::error("import {}: {}", job->id, e.what());
        Fail(*job, "导入时发生内部错误");
    }
}

}  // namespace bulwark::registry
