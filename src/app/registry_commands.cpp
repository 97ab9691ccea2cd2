// `bulwark demo` and `bulwark generate`: the synthetic population into an empty database.
// `bulwark import residents` and `bulwark export residents`: spreadsheets in and out.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "app/cli_import.hpp"
#include "app/commands.hpp"
#include "auth/auth_services.hpp"
#include "auth/personal_keys.hpp"
#include "registry/export/resident_export.hpp"
#include "registry/import/resident_import.hpp"
#include "registry/registry_store.hpp"
#include "registry/scope_directory.hpp"
#include "registry/synthetic_population.hpp"

namespace bulwark::app {
namespace {

struct GenerateOptions {
    std::string scale = "community";
    uint64_t seed = 20220401;
};

std::string Thousands(int64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

void PrintReport(const registry::LoadReport& r, std::ostream& out) {
    auto pct = [&](int64_t n) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%.1f%%", r.residents ? 100.0 * n / r.residents : 0.0);
        return std::string(buf);
    };
    out << "  街道 " << r.streets << " 个, 社区 " << r.communities << " 个, 网格 " << r.grids
        << " 个, 楼栋 " << Thousands(r.buildings) << " 栋, 住户 " << Thousands(r.households)
        << " 户, 居民 " << Thousands(r.residents) << " 人\n"
        << "  重点人群: 60 岁以上 " << Thousands(r.elderly_60) << " (" << pct(r.elderly_60)
        << "), 80 岁以上 " << Thousands(r.elderly_80) << " (" << pct(r.elderly_80) << "), 婴儿 "
        << Thousands(r.infants) << ", 孕妇 " << Thousands(r.pregnant) << ", 残疾 "
        << Thousands(r.disabled) << ", 卧床 " << Thousands(r.bedridden) << ", 慢性病 "
        << Thousands(r.chronic) << "\n";
    char timing[160];
    std::snprintf(timing, sizeof timing,
                  "  用时 %.1f 秒 (写入 %.1f 秒, 建唯一索引 %.1f 秒), %s 人/秒\n",
                  r.total_seconds(), r.load_seconds, r.index_seconds,
                  Thousands(static_cast<int64_t>(r.rows_per_second())).c_str());
    out << timing;
}

// Loads the population of `options` into the database of `common`; prints progress to stderr.
Result<registry::LoadReport> Load(AppContext& ctx, const registry::PopulationOptions& options) {
    ASSIGN_OR_RETURN(auto cipher, auth::OpenPersonalKeys(ctx.options.data_dir));
    auto last = std::chrono::steady_clock::now();
    const int64_t target = registry::PlanFor(options.scale).target_residents();
    return registry::LoadPopulation(
        *ctx.db, *cipher, *ctx.clock, options, [&](const registry::LoadReport& r) {
            auto now = std::chrono::steady_clock::now();
            if (now - last < std::chrono::seconds(5)) return;
            last = now;
            std::fprintf(stderr, "  已写入 %s / 约 %s 人 (%.0f 人/秒)\n",
                         Thousands(r.residents).c_str(), Thousands(target).c_str(),
                         r.load_seconds > 0 ? r.residents / r.load_seconds : 0.0);
        });
}

int RunDemo(const CommonOptions& common, uint64_t seed) {
    auto ctx = OpenApp(common, 1);
    if (!ctx.ok()) {
        std::cerr << "bulwark demo: " << ctx.error().message << "\n";
        return 1;
    }
    AppContext& app = **ctx;
    std::cout << "正在生成演示社区 (合成数据, 身份证号以 990 开头, 不对应真实人员)...\n";
    auto report = Load(app, {.scale = registry::Scale::kCommunity, .seed = seed});
    if (!report.ok()) {
        std::cerr << "bulwark demo: " << report.error().message << "\n";
        app.db->Close();
        return report.error().code == ErrorCode::kFailedPrecondition ? 2 : 1;
    }
    std::cout << "已生成演示街道「演示街道」与「雅仕居社区」:\n";
    PrintReport(*report, std::cout);

    // A demo administrator over the demo street, with a random password shown only here.
    auto street =
        app.db->ReadValue([](db::Session& s) { return registry::RegistryStore::ListStreets(s); });
    int code = 0;
    if (street.ok() && !street->empty()) {
        auth::AuthServices services(*app.db, *app.clock,
                                    std::make_shared<registry::RegistryScopeDirectory>());
        auth::NewUser admin{.username = "demo-admin",
                            .display_name = "演示管理员",
                            .grants = {{auth::Role::kAdministrator,
                                        {auth::ScopeKind::kStreet, street->front().id}}}};
        auto created = services.accounts.Create(nullptr, admin);
        if (created.ok()) {
            std::cout << "演示管理员: 用户名 demo-admin, 密码 " << created->password
                      << " (只显示这一次)\n";
        } else {
            std::cerr << "bulwark demo: 未创建演示管理员: " << created.error().message << "\n";
            code = 1;
        }
    }
    std::cout << "下一步: bulwark serve, 然后在浏览器打开 http://127.0.0.1:8080\n";
    app.db->Close();
    return code;
}

int RunGenerate(const CommonOptions& common, const GenerateOptions& opts) {
    registry::PopulationOptions options{.seed = opts.seed};
    if (!registry::ParseScale(opts.scale, &options.scale)) {
        std::cerr << "bulwark generate: --scale 应为 community、street、district 或 city\n";
        return 2;
    }
    auto ctx = OpenApp(common, 1);
    if (!ctx.ok()) {
        std::cerr << "bulwark generate: " << ctx.error().message << "\n";
        return 1;
    }
    AppContext& app = **ctx;
    std::cout << "正在生成 " << opts.scale << " 规模的合成人口 (约 "
              << Thousands(registry::PlanFor(options.scale).target_residents()) << " 人, 种子 "
              << opts.seed << ", 数据库 " << app.DatabaseKind() << ")\n";
    auto report = Load(app, options);
    app.db->Close();
    if (!report.ok()) {
        std::cerr << "bulwark generate: " << report.error().message << "\n";
        return report.error().code == ErrorCode::kFailedPrecondition ? 2 : 1;
    }
    PrintReport(*report, std::cout);
    return 0;
}

struct ImportOptions {
    std::string file;
    int64_t community_id = 0;
    bool apply = false;
};

// Whoever runs the command line holds the data folder and its keys: they act as an
// administrator over every street (or over one community, to narrow an export), audited as
// user "cli".
Result<auth::Principal> Operator(db::Database& db, int64_t community_id = 0) {
    return CommandLineOperator(db,
                               {"residents.export", "residents.import", "residents.read",
                                "residents.unmask", "residents.write"},
                               community_id);
}

struct ExportOptions {
    std::string file;
    int64_t community_id = 0;
    bool unmasked = false;
    std::string reason;
};

int RunExport(const CommonOptions& common, const ExportOptions& opts) {
    if (opts.unmasked && opts.reason.empty()) {
        std::cerr << "bulwark export: --unmasked 须同时用 --reason 说明原因\n";
        return 2;
    }
    auto ctx = OpenApp(common, 2);
    if (!ctx.ok()) {
        std::cerr << "bulwark export: " << ctx.error().message << "\n";
        return 1;
    }
    AppContext& app = **ctx;
    auto fail = [&app](const Error& e) {
        std::cerr << "bulwark export: " << e.message << "\n";
        app.db->Close();
        return 1;
    };
    auto cipher = auth::OpenPersonalKeys(app.options.data_dir);
    if (!cipher.ok()) return fail(cipher.error());
    auto who = Operator(*app.db, opts.community_id);
    if (!who.ok()) return fail(who.error());
    registry::RegistryService registry(*app.db, **cipher, *app.clock);
    registry::ResidentExporter exporter(registry, *app.db, **cipher, *app.clock);
    auto file = exporter.Export(*who, {.unmasked = opts.unmasked, .reason = opts.reason});
    if (!file.ok()) return fail(file.error());
    std::ofstream out(opts.file, std::ios::binary | std::ios::trunc);
    out.write(file->bytes.data(), static_cast<std::streamsize>(file->bytes.size()));
    out.close();
    if (!out) return fail(Error(ErrorCode::kInternal, "无法写入文件 " + opts.file));
    std::cout << "已导出 " << file->rows << " 人到 " << opts.file
              << (opts.unmasked ? " (含完整证件号码和电话, 请妥善保管)" : " (已脱敏)") << "\n";
    app.db->Close();
    return 0;
}

std::string SummaryText(const registry::ImportSummary& s) {
    std::string out = "新增 " + std::to_string(s.created) + " 人, 更新 " +
                      std::to_string(s.updated) + " 人, 不变 " + std::to_string(s.unchanged) +
                      " 人";
    if (s.grids_created + s.buildings_created + s.households_created > 0) {
        out += " (新建网格 " + std::to_string(s.grids_created) + " 个, 楼栋 " +
               std::to_string(s.buildings_created) + " 栋, 住户 " +
               std::to_string(s.households_created) + " 户)";
    }
    return out;
}

// The dry run lists every bad row and exits 1; with --apply a clean file is written whole.
int RunImport(const CommonOptions& common, const ImportOptions& opts) {
    int exit_code = 0;
    std::optional<ImportRun> run = OpenImport(common, "bulwark import", opts.file, &exit_code);
    if (!run) return exit_code;
    const registry::Workbook& workbook = run->workbook;
    auto who = Operator(*run->app->db);
    if (!who.ok()) return run->Fail(who.error());
    registry::ResidentImporter importer(*run->app->db, *run->keys, *run->app->clock);
    int64_t community = opts.community_id;
    if (community == 0) {
        auto only = importer.DefaultCommunity(*who);
        if (!only.ok())
            return run->Fail(Error(only.error().code, only.error().message + " (--community ID)"));
        community = *only;
    }
    auto layout = registry::ResidentImporter::GuessLayout(workbook);
    std::cout << FileLabel(opts.file, workbook);
    if (layout.header_row > 0) {
        std::cout << ": 工作表「" << workbook.sheets[layout.sheet].name << "」, 表头在第 "
                  << layout.header_row << " 行\n  列:";
        for (registry::ImportField f : registry::kImportFields) {
            if (layout.mapping[f] < 0) continue;
            std::cout << " " << registry::ColumnLetter(layout.mapping[f]) << "="
                      << registry::ImportFieldLabel(f);
        }
    }
    std::cout << "\n";
    auto checked = importer.Check(*who, community, workbook, layout);
    if (!checked.ok()) return run->Fail(checked.error());
    std::cout << "数据 " << checked->rows_total << " 行\n";
    auto list_errors = [](const std::vector<registry::RowError>& errors) {
        std::vector<std::string> lines;
        for (const registry::RowError& e : errors) lines.push_back(e.message);
        PrintRowErrors(lines);
    };
    if (!checked->errors.empty()) {
        list_errors(checked->errors);
        return run->Finish(1);
    }
    if (!opts.apply) {
        std::cout << "检查通过: 导入将" << SummaryText(checked->summary)
                  << "。加 --apply 写入 (全部写入或全部不写入)\n";
        return run->Finish(0);
    }
    std::vector<registry::RowError> errors;
    auto applied = importer.Apply(*who, community, checked->rows, layout.mapping,
                                  {.import_id = "cli", .filename = opts.file}, &errors);
    if (!applied.ok()) {
        if (!errors.empty()) list_errors(errors);
        return run->Fail(applied.error());
    }
    std::cout << "已导入: " << SummaryText(*applied) << "\n";
    return run->Finish(0);
}

}  // namespace

void AddRegistryCommands(CLI::App& cli, const CommonOptions& common, int* exit_code) {
    auto demo_seed = std::make_shared<uint64_t>(20220401);
    CLI::App* demo = cli.add_subcommand(
        "demo",
        "向空数据库载入演示社区: 一个街道、雅仕居社区约 6,000 名合成居民, 并创建演示管理员");
    demo->add_option("--seed", *demo_seed, "随机种子 (相同种子生成相同居民)")
        ->capture_default_str();
    demo->callback([&common, demo_seed, exit_code] { *exit_code = RunDemo(common, *demo_seed); });

    auto opts = std::make_shared<GenerateOptions>();
    CLI::App* generate = cli.add_subcommand(
        "generate",
        "向空数据库写入合成人口 (基准测试用): community、street、district 或 city 规模");
    generate->add_option("--scale", opts->scale, "规模: community | street | district | city")
        ->capture_default_str();
    generate->add_option("--seed", opts->seed, "随机种子")->capture_default_str();
    generate->callback([&common, opts, exit_code] { *exit_code = RunGenerate(common, *opts); });

    CLI::App* import = cli.add_subcommand("import", "从 Excel (.xlsx/.xls) 或 CSV 导入");
    import->require_subcommand(1);
    auto import_opts = std::make_shared<ImportOptions>();
    CLI::App* residents = import->add_subcommand(
        "residents", "导入居民: 默认只检查并列出每一处错误 (有错误时退出码为 1), --apply 才写入");
    residents->add_option("FILE", import_opts->file, "文件 (.xlsx、.xls 或 .csv)")->required();
    residents->add_option("--community", import_opts->community_id,
                          "导入到哪个社区 (编号); 只有一个社区时可省略");
    residents->add_flag("--apply", import_opts->apply, "检查通过后写入 (全部写入或全部不写入)");
    residents->callback(
        [&common, import_opts, exit_code] { *exit_code = RunImport(common, *import_opts); });

    CLI::App* export_cmd = cli.add_subcommand("export", "导出为 Excel (.xlsx)");
    export_cmd->require_subcommand(1);
    auto export_opts = std::make_shared<ExportOptions>();
    CLI::App* export_residents = export_cmd->add_subcommand(
        "residents", "导出居民名册: 默认证件号码和电话脱敏; --unmasked 须给出 --reason (记入审计)");
    export_residents->add_option("FILE", export_opts->file, "输出文件 (.xlsx)")->required();
    export_residents->add_option("--community", export_opts->community_id, "只导出这个社区 (编号)");
    export_residents->add_flag("--unmasked", export_opts->unmasked, "导出完整证件号码和电话");
    export_residents->add_option("--reason", export_opts->reason, "导出完整号码的原因");
    export_residents->callback(
        [&common, export_opts, exit_code] { *exit_code = RunExport(common, *export_opts); });
}

}  // namespace bulwark::app
