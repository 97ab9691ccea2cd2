#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "registry/import/resident_import.hpp"

namespace bulwark::registry {

// What the wizard sees of an import (the JSON "Import" of /api/v1/imports). A plain value.
struct ImportStatus {
    std::string id;
    std::string filename;
    int64_t community_id = 0;
    std::string status;   // "parsing", "checked", "applying", "applied", "failed"
    std::string message;  // why it failed, or ""
    int progress_done = 0;
    int progress_total = 0;
    std::vector<std::string> sheets;
    int sheet = 0;
    int header_row = 0;
    struct Column {
        int index = 0;
        std::string header;
        std::optional<ImportField> field;
    };
    std::vector<Column> columns;
    int rows_total = 0;
    int error_count = 0;
    std::vector<RowError> errors;  // the first 500
    ImportSummary summary;
    int64_t created_at = 0;
    std::string created_by;
    std::string format;    // "xlsx", "xls", "csv"
    std::string encoding;  // csv only
};

// The import wizard's jobs: uploaded files parsed, checked and applied in the background, one
// job at a time on one worker thread (the machine has two cores; the HTTP workers stay free).
//
// Jobs live in this process's memory, not in the database: the parsed rows carry plaintext ID
// numbers and phones, which must not rest anywhere unencrypted, and a job is worth nothing once
// its wizard is closed. A job is dropped 2 hours after it was last looked at, and at most
// `max_jobs` are held (the oldest idle one makes room). Consequently, with several servers on
// one PostgreSQL, the wizard must keep talking to the server it uploaded to (sticky sessions at
// the load balancer); another server answers 404 for the job. Only the user who uploaded a job
// sees it. Thread-safe.
class ImportJobs {
public:
    struct Options {
        size_t max_jobs = 8;
        int64_t idle_ms = 2 * 3600 * 1000;
        size_t max_errors_shown = 500;
    };
    ImportJobs(db::Database& db, const auth::PersonalDataCipher& cipher, Clock& clock,
               Options options);
    ImportJobs(db::Database& db, const auth::PersonalDataCipher& cipher, Clock& clock)
        : ImportJobs(db, cipher, clock, Options{}) {}
    // Waits for the job in progress to finish (an apply is one transaction: it commits or not).
    ~ImportJobs();

    // Takes an uploaded file and starts parsing and checking it. community_id 0: the only
    // community the caller may import into.
    Result<ImportStatus> Start(const auth::Principal& who, std::string filename,
                               int64_t community_id, std::string bytes);
    Result<ImportStatus> Get(const auth::Principal& who, const std::string& id);
    // Changes sheet, header row and/or columns and checks again. A field missing from
    // `mapping` keeps its column; -1 unmaps it. A new sheet or header row without a mapping
    // takes the mapping its headers suggest. kFailedPrecondition while parsing or applying.
    struct Remap {
        std::optional<int> sheet;
        std::optional<int> header_row;
        std::vector<std::pair<ImportField, int>> mapping;
    };
    Result<ImportStatus> ChangeMapping(const auth::Principal& who, const std::string& id,
                                       const Remap& remap);
    // Applies a checked import without errors, in the background. kFailedPrecondition
    // otherwise.
    Result<ImportStatus> Apply(const auth::Principal& who, const std::string& id);
    // Every bad row with its reason, for the errors.xlsx download.
    Result<std::vector<RowError>> Errors(const auth::Principal& who, const std::string& id);

private:
    struct Job;
    std::shared_ptr<Job> Find(const auth::Principal& who, const std::string& id);
    ImportStatus Snapshot(const Job& job) const;  // job.mu held
    void Enqueue(std::function<void()> task);
    void RunWorker();
    void CheckJob(const std::shared_ptr<Job>& job, bool parse);
    void ApplyJob(const std::shared_ptr<Job>& job);
    void DropIdle();  // mu_ held

    ResidentImporter importer_;
    Clock& clock_;
    const Options options_;
    std::mutex mu_;
    std::map<std::string, std::shared_ptr<Job>> jobs_;
    std::deque<std::function<void()>> queue_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace bulwark::registry
