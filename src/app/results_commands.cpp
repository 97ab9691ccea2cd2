// `bulwark import results FILE [--lab ID] [--apply]`: a lab's results file, checked (dry run)
// and then applied whole, as `bulwark import residents` does for the register.
#include <algorithm>
#include <iostream>

#include "app/cli_import.hpp"
#include "app/commands.hpp"
#include "registry/sampling_access.hpp"
#include "testing/results/result_file.hpp"
#include "testing/results/results_api.hpp"

namespace bulwark::app {
namespace {

struct ResultsImportOptions {
    std::string file;
    int64_t lab_id = 0;
    bool apply = false;
};

std::string SummaryText(const testing::results::LoadSummary& s) {
    return "新增 " + std::to_string(s.created) + " 管, 不变 " + std::to_string(s.unchanged) +
           " 管, 结果冲突待复核 " + std::to_string(s.conflicts) + " 管";
}

// The dry run lists every bad row and exits 1; with --apply a clean file is written whole.
int RunResultsImport(const CommonOptions& common, const ResultsImportOptions& opts) {
    namespace results = testing::results;
    int exit_code = 0;
    std::optional<ImportRun> run =
        OpenImport(common, "bulwark import results", opts.file, &exit_code);
    if (!run) return exit_code;
    AppContext& app = *run->app;
    auto who = CommandLineOperator(
        *app.db, {"results.read", "results.write", "rounds.read", "rounds.write"});
    if (!who.ok()) return run->Fail(who.error());
    auto access = std::make_shared<registry::SamplingAccess>(*run->keys, *app.clock);
    results::ResultsServices services(*app.db, *app.clock, access, {});

    auto file = results::ReadResultFile(run->workbook, app.clock->NowMillis());
    if (!file.ok()) return run->Fail(file.error());
    std::cout << FileLabel(opts.file, run->workbook) << ": 数据 " << file->rows << " 行\n";
    auto checked = services.results.Check(*who, opts.lab_id, file->entries);
    if (!checked.ok()) return run->Fail(checked.error());
    std::vector<results::EntryError> errors = file->errors;
    errors.insert(errors.end(), checked->errors.begin(), checked->errors.end());
    std::sort(errors.begin(), errors.end(),
              [](const auto& a, const auto& b) { return a.row < b.row; });
    auto list_errors = [](const std::vector<results::EntryError>& list) {
        std::vector<std::string> lines;
        for (const results::EntryError& e : list) lines.push_back(results::RowErrorText(e));
        PrintRowErrors(lines);
    };
    if (!errors.empty()) {
        list_errors(errors);
        return run->Finish(1);
    }
    if (!opts.apply) {
        std::cout << "检查通过: 导入将" << SummaryText(checked->summary)
                  << "。加 --apply 写入 (全部写入或全部不写入)\n";
        return run->Finish(0);
    }
    auto loaded = services.results.Load(*who, opts.lab_id, file->entries, opts.file);
    if (!loaded.ok()) return run->Fail(loaded.error());
    if (!loaded->errors.empty()) {
        list_errors(loaded->errors);
        return run->Finish(1);
    }
    std::cout << "已导入: " << SummaryText(loaded->summary) << "\n";
    return run->Finish(0);
}

}  // namespace

void AddResultsCommands(CLI::App& cli, const CommonOptions& common, int* exit_code) {
    CLI::App* import = cli.get_subcommand("import");
    auto opts = std::make_shared<ResultsImportOptions>();
    CLI::App* results = import->add_subcommand(
        "results",
        "导入实验室检测结果: 默认只检查并列出每一处错误 (有错误时退出码为 1), --apply 才写入");
    results->add_option("FILE", opts->file, "文件 (.xlsx 或 .csv)")->required();
    results->add_option("--lab", opts->lab_id, "实验室编号; 省略时每管按其转运箱交接的实验室核对");
    results->add_flag("--apply", opts->apply, "检查通过后写入 (全部写入或全部不写入)");
    results->callback([&common, opts, exit_code] { *exit_code = RunResultsImport(common, *opts); });
}

}  // namespace bulwark::app
