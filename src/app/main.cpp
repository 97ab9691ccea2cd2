#include <iostream>

#include <CLI/CLI.hpp>

#include "app/commands.hpp"
#include "base/log.hpp"

int main(int argc, char** argv) {
    using namespace bulwark;
    CLI::App cli{"Bulwark: 社区防疫平台 (community epidemic response)", "bulwark"};
    cli.require_subcommand(1);
    cli.fallthrough();
    app::CommonOptions common;
    cli.add_option("--data", common.data_dir, "数据目录 (数据库、密钥、证书)")
        ->capture_default_str();
    cli.add_option("--db", common.db_url,
                   "数据库: 默认 sqlite:<data>/bulwark.db; 或 postgresql://user@host:port/db");
    cli.add_option("--log-level", common.log_level, "日志级别 debug|info|warn|error")
        ->capture_default_str();
    int exit_code = 0;
    app::AddServeCommand(cli, common, &exit_code);
    app::AddAdminCommands(cli, common, &exit_code);
    app::AddUserCommands(cli, common, &exit_code);
    app::AddRoutesCommand(cli, common, &exit_code);
    app::AddSecurityCommands(cli, common, &exit_code);
    app::AddRegistryCommands(cli, common, &exit_code);
    app::AddResultsCommands(cli, common, &exit_code);
    cli.parse_complete_callback([&] { SetupLogging(common.log_level); });
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e);
    }
    return exit_code;
}
