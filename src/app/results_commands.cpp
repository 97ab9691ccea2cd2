// `bulwark import results FILE [--lab ID] [--apply]`: a lab's results file, checked (dry run)
// and then applied whole, as `bulwark import residents` does for the register.
#include <fstream>
#include <iostream>
#include <iterator>

#include "app/commands.hpp"
#include "auth/personal_keys.hpp"
#include "registry/import/workbook.hpp"
#include "registry/registry_store.hpp"
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

// Whoever runs the command line holds the data folder: an administrator over every street,
// audited as user "cli".
Result<auth::Principal> ResultsOperator(db::Database& db) {
    auth::Principal who{.username = "cli", .display_name = "命令行"};
    ASSIGN_OR_RETURN(auto streets, db.ReadValue([](db::Session& s) {
        return registry::RegistryStore::ListStreets(s);
    }));
    for (const registry::Street& street : streets) {
        who.grants.push_back(
            {.grant = {.role = auth::Role::kAdministrator,
                       .scope = {auth::ScopeKind::kStreet, street.id}},
             .permissions = {"results.read", "results.write", "rounds.read", "rounds.write"}});
    }
    return who;
}

std::string SummaryText(const testing::results::LoadSummary& s) {
    return "新增 " + std::to_string(s.created) + " 管, 不变 " + std::to_string(s.unchanged) +
           " 管, 结果冲突待复核 " + std::to_string(s.conflicts) + " 管";
}

// The dry run lists every bad row and exits 1; with --apply a clean file is written whole.
int RunResultsImport(const CommonOptions& common, const ResultsImportOptions& opts) {
    namespace results = testing::results;
    std::ifstream in(opts.file, std::ios::binary);
    if (!in) {
        std::cerr << "bulwark import results: 无法打开文件 " << opts.file << "\n";
        return 2;
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto workbook = registry::ReadWorkbook(bytes, opts.file);
    if (!workbook.ok()) {
        std::cerr << "bulwark import results: " << workbook.error().message << "\n";
        return 1;
    }
    auto ctx = OpenApp(common, 2);
    if (!ctx.ok()) {
        std::cerr << "bulwark import results: " << ctx.error().message << "\n";
        return 1;
    }
    AppContext& app = **ctx;
    auto fail = [&app](const Error& e) {
        std::cerr << "bulwark import results: " << e.message << "\n";
        app.db->Close();
        return 1;
    };
    auto cipher = auth::OpenPersonalKeys(app.options.data_dir);
    if (!cipher.ok()) return fail(cipher.error());
    auto who = ResultsOperator(*app.db);
    if (!who.ok()) return fail(who.error());
    std::shared_ptr<const auth::PersonalDataCipher> keys = std::move(*cipher);
    auto access = std::make_shared<registry::SamplingAccess>(*keys, *app.clock);
    results::ResultsServices services(*app.db, *app.clock, access, {});

    auto file = results::ReadResultFile(*workbook, app.clock->NowMillis());
    if (!file.ok()) return fail(file.error());
    std::cout << "文件 " << opts.file << " (" << workbook->format
              << (workbook->encoding.empty() ? "" : ", " + workbook->encoding) << "): 数据 "
              << file->rows << " 行\n";
    auto checked = services.results.Check(*who, opts.lab_id, file->entries);
    if (!checked.ok()) return fail(checked.error());
    std::vector<results::EntryError> errors = file->errors;
    errors.insert(errors.end(), checked->errors.begin(), checked->errors.end());
    std::sort(errors.begin(), errors.end(),
              [](const auto& a, const auto& b) { return a.row < b.row; });
    auto list_errors = [](const std::vector<results::EntryError>& list) {
        std::cout << "发现 " << list.size() << " 处错误, 未写入任何内容:\n";
        for (const results::EntryError& e : list) {
            std::cout << "  " << results::RowErrorText(e) << "\n";
        }
    };
    if (!errors.empty()) {
        list_errors(errors);
        app.db->Close();
        return 1;
    }
    if (!opts.apply) {
        std::cout << "检查通过: 导入将" << SummaryText(checked->summary)
                  << "。加 --apply 写入 (全部写入或全部不写入)\n";
        app.db->Close();
        return 0;
    }
    auto loaded = services.results.Load(*who, opts.lab_id, file->entries, opts.file);
    if (!loaded.ok()) return fail(loaded.error());
    if (!loaded->errors.empty()) {
        list_errors(loaded->errors);
        app.db->Close();
        return 1;
    }
    std::cout << "已导入: " << SummaryText(loaded->summary) << "\n";
    app.db->Close();
    return 0;
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
