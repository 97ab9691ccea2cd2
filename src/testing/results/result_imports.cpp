#include "testing/results/result_imports.hpp"

#include "auth/secure_random.hpp"
#include "registry/import/workbook.hpp"
#include "testing/results/result_file.hpp"

namespace bulwark::testing::results {
namespace {

constexpr size_t kMaxJobs = 32;
constexpr int64_t kIdleMs = 2LL * 3600 * 1000;

}  // namespace

void ResultImports::DropIdle(int64_t now) {
    for (auto it = jobs_.begin(); it != jobs_.end();) {
        it = now - it->second.touched_at > kIdleMs ? jobs_.erase(it) : std::next(it);
    }
    while (jobs_.size() >= kMaxJobs) {
        auto oldest = jobs_.begin();
        for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
            if (it->second.touched_at < oldest->second.touched_at) oldest = it;
        }
        jobs_.erase(oldest);
    }
}

Result<ResultImport> ResultImports::Start(const auth::Principal& who, const std::string& filename,
                                          int64_t lab_id, const std::string& bytes) {
    if (bytes.empty()) return InvalidArgument("文件为空");
    ASSIGN_OR_RETURN(registry::Workbook workbook, registry::ReadWorkbook(bytes, filename));
    const int64_t now = clock_.NowMillis();
    ASSIGN_OR_RETURN(ResultFile file, ReadResultFile(workbook, now));
    ASSIGN_OR_RETURN(LoadOutcome checked, service_.Check(who, lab_id, file.entries));
    Job job;
    job.user_id = who.user_id;
    job.touched_at = now;
    job.import.filename = filename;
    job.import.lab_id = lab_id;
    job.import.rows = file.rows;
    job.import.created_at = now;
    job.import.errors = std::move(file.errors);
    for (EntryError& e : checked.errors) job.import.errors.push_back(std::move(e));
    std::sort(job.import.errors.begin(), job.import.errors.end(),
              [](const EntryError& a, const EntryError& b) { return a.row < b.row; });
    job.import.summary = checked.summary;
    job.import.status = job.import.errors.empty() ? "checked" : "invalid";
    job.entries = std::move(file.entries);
    std::lock_guard<std::mutex> lock(mu_);
    DropIdle(now);
    job.import.id = "r" + std::to_string(++serial_) + "-" + auth::RandomHex(8);
    jobs_[job.import.id] = job;
    return job.import;
}

Result<ResultImport> ResultImports::Get(const auth::Principal& who, const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second.user_id != who.user_id) return NotFound("未找到");
    it->second.touched_at = clock_.NowMillis();
    return it->second.import;
}

Result<ResultImport> ResultImports::Apply(const auth::Principal& who, const std::string& id) {
    Job job;
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = jobs_.find(id);
        if (it == jobs_.end() || it->second.user_id != who.user_id) return NotFound("未找到");
        if (it->second.import.status == "applied") return it->second.import;
        if (!it->second.import.errors.empty()) {
            return AlreadyExists("文件有 " + std::to_string(it->second.import.errors.size()) +
                                 " 处错误, 未写入任何内容");
        }
        job = it->second;
    }
    ASSIGN_OR_RETURN(LoadOutcome loaded,
                     service_.Load(who, job.import.lab_id, job.entries, job.import.filename));
    std::lock_guard<std::mutex> lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return NotFound("未找到");
    if (!loaded.errors.empty()) {
        // Something changed since the check (a tube moved, another load): nothing was written.
        it->second.import.errors = std::move(loaded.errors);
        it->second.import.status = "invalid";
        return AlreadyExists("文件有错误, 未写入任何内容");
    }
    it->second.import.summary = loaded.summary;
    it->second.import.status = "applied";
    it->second.touched_at = clock_.NowMillis();
    return it->second.import;
}

}  // namespace bulwark::testing::results
