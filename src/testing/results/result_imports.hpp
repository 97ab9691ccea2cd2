#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "testing/results/results_service.hpp"

namespace bulwark::testing::results {

// What the wizard sees of an uploaded results file. A plain value.
struct ResultImport {
    std::string id;
    std::string filename;
    int64_t lab_id = 0;
    int rows = 0;
    std::vector<EntryError> errors;
    LoadSummary summary;
    std::string status;  // "checked", "invalid", "applied"
    int64_t created_at = 0;
};

// Uploaded results files, read and checked at once (a lab's file is a few thousand rows), held
// in this process's memory until applied or idle for 2 hours, at most 32 at a time; only the
// user who uploaded one sees it (like the registry's import jobs, the wizard must keep talking
// to the server it uploaded to). Thread-safe.
class ResultImports {
public:
    ResultImports(ResultsService& service, Clock& clock) : service_(service), clock_(clock) {}

    // Reads the file (.csv UTF-8/GB18030 or .xlsx) and checks every row.
    Result<ResultImport> Start(const auth::Principal& who, const std::string& filename,
                               int64_t lab_id, const std::string& bytes);
    Result<ResultImport> Get(const auth::Principal& who, const std::string& id);
    // Applies a file without errors, all or nothing; applying twice answers the first result.
    // kAlreadyExists (409) when the file has errors.
    Result<ResultImport> Apply(const auth::Principal& who, const std::string& id);

private:
    struct Job {
        ResultImport import;
        int64_t user_id = 0;
        std::vector<ResultEntry> entries;
        int64_t touched_at = 0;
    };
    void DropIdle(int64_t now);  // mu_ held

    ResultsService& service_;
    Clock& clock_;
    std::mutex mu_;
    std::map<std::string, Job> jobs_;
    int64_t serial_ = 0;
};

}  // namespace bulwark::testing::results
