// `bulwark demo` and `bulwark generate`: the synthetic population into an empty database.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "app/commands.hpp"
#include "auth/auth_services.hpp"
#include "auth/personal_keys.hpp"
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
}

}  // namespace bulwark::app
