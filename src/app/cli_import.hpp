#pragma once

// What the two `bulwark import` commands share (registry_commands.cpp, results_commands.cpp):
// the file read as a workbook, the app and the personal-data keys opened on the data folder, the
// operator, and the way they print what they found.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/app_context.hpp"
#include "auth/personal_data.hpp"
#include "auth/principal.hpp"
#include "registry/import/workbook.hpp"

namespace bulwark::app {

// An import command in progress. Every failure is printed as "<command>: <message>" and closes
// the database.
struct ImportRun {
    std::string command;  // "bulwark import", "bulwark import results"
    registry::Workbook workbook;
    std::unique_ptr<AppContext> app;
    std::shared_ptr<const auth::PersonalDataCipher> keys;

    // Prints `e`, closes the database; returns the exit code 1.
    int Fail(const Error& e);
    // Closes the database; returns `code`.
    int Finish(int code);
};

// Reads `file` and opens the app on `common`. Without the file (exit code 2), or when the
// workbook, the app or the keys cannot be opened (1), prints why, sets `*exit_code` and returns
// nullopt.
std::optional<ImportRun> OpenImport(const CommonOptions& common, const std::string& command,
                                    const std::string& file, int* exit_code);

// Whoever runs the command line holds the data folder: an administrator with `permissions` over
// every street (or one community, when `community_id` is not 0), audited as user "cli".
Result<auth::Principal> CommandLineOperator(db::Database& db,
                                            const std::vector<std::string>& permissions,
                                            int64_t community_id = 0);

// "文件 F (xlsx)" or "文件 F (csv, GB18030)", without a line end.
std::string FileLabel(const std::string& file, const registry::Workbook& workbook);

// "发现 N 处错误, 未写入任何内容:" and each line, indented.
void PrintRowErrors(const std::vector<std::string>& lines);

}  // namespace bulwark::app
