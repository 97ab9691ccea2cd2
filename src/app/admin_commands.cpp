#include <dlfcn.h>

#include <cstddef>
#include <iostream>

#include "app/build_info.hpp"
#include "app/commands.hpp"
#include "app/modules.hpp"
#include "db/migrations.hpp"

namespace bulwark::app {
namespace {

int RunMigrate(const CommonOptions& common) {
    db::Options db_options;
    db_options.url =
        common.db_url.empty() ? "sqlite:" + common.data_dir + "/bulwark.db" : common.db_url;
    auto database = db::Open(db_options);
    if (!database.ok()) {
        std::cerr << "bulwark migrate: " << database.error().message << "\n";
        return 1;
    }
    db::MigrationSet set;
    RegisterMigrations(set);
    auto ran = db::Migrate(**database, set);
    Status finished = ran.ok() ? FinishMigrations(**database) : Ok();
    (*database)->Close();
    if (!ran.ok()) {
        std::cerr << "bulwark migrate: " << ran.error().message << "\n";
        return 1;
    }
    if (!finished.ok()) {
        std::cerr << "bulwark migrate: " << finished.error().message << "\n";
        return 1;
    }
    std::cout << "applied " << *ran << " migration(s); schema is up to date\n";
    return 0;
}

int RunBackup(const CommonOptions& common, const std::string& target) {
    auto ctx = OpenApp(common, 1);
    if (!ctx.ok()) {
        std::cerr << "bulwark backup: " << ctx.error().message << "\n";
        return 1;
    }
    Status s = (*ctx)->db->Backup(target);
    (*ctx)->db->Close();
    if (!s.ok()) {
        std::cerr << "bulwark backup: " << s.error().message << "\n";
        return s.error().code == ErrorCode::kFailedPrecondition ? 2 : 1;
    }
    std::cout << "backup written to " << target << "\n";
    return 0;
}

}  // namespace

std::string MallocName() {
    using Mallctl = int (*)(const char*, void*, size_t*, void*, size_t);
    auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
    if (mallctl == nullptr) return "glibc";
    const char* version = nullptr;
    size_t size = sizeof(version);
    if (mallctl("version", static_cast<void*>(&version), &size, nullptr, 0) != 0 ||
        version == nullptr) {
        return "jemalloc";
    }
    return std::string("jemalloc ") + version;
}

void AddAdminCommands(CLI::App& cli, const CommonOptions& common, int* exit_code) {
    CLI::App* migrate = cli.add_subcommand("migrate", "应用数据库迁移 (serve 启动时也会自动应用)");
    migrate->callback([&common, exit_code] { *exit_code = RunMigrate(common); });

    auto target = std::make_shared<std::string>();
    CLI::App* backup = cli.add_subcommand(
        "backup", "在服务运行时写出数据库的一致副本 (SQLite 在线备份; PostgreSQL 请用 pg_dump)");
    backup->add_option("FILE", *target, "备份文件路径")->required();
    backup->callback([&common, target, exit_code] { *exit_code = RunBackup(common, *target); });

    CLI::App* version = cli.add_subcommand("version", "显示版本");
    version->callback([exit_code] {
        std::cout << "bulwark " << kVersion << " (" << kGitCommit << "), malloc: " << MallocName()
                  << "\n";
        *exit_code = 0;
    });
}

}  // namespace bulwark::app
