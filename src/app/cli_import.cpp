#include "app/cli_import.hpp"

#include <fstream>
#include <iostream>
#include <iterator>

#include "auth/personal_keys.hpp"
#include "registry/registry_store.hpp"

namespace bulwark::app {

int ImportRun::Fail(const Error& e) {
    std::cerr << command << ": " << e.message << "\n";
    return Finish(1);
}

int ImportRun::Finish(int code) {
    if (app) app->db->Close();
    return code;
}

std::optional<ImportRun> OpenImport(const CommonOptions& common, const std::string& command,
                                    const std::string& file, int* exit_code) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::cerr << command << ": 无法打开文件 " << file << "\n";
        *exit_code = 2;
        return std::nullopt;
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ImportRun run{.command = command};
    auto workbook = registry::ReadWorkbook(bytes, file);
    if (!workbook.ok()) {
        *exit_code = run.Fail(workbook.error());
        return std::nullopt;
    }
    run.workbook = std::move(*workbook);
    auto ctx = OpenApp(common, 2);
    if (!ctx.ok()) {
        *exit_code = run.Fail(ctx.error());
        return std::nullopt;
    }
    run.app = std::move(*ctx);
    auto keys = auth::OpenPersonalKeys(run.app->options.data_dir);
    if (!keys.ok()) {
        *exit_code = run.Fail(keys.error());
        return std::nullopt;
    }
    run.keys = std::move(*keys);
    return run;
}

Result<auth::Principal> CommandLineOperator(db::Database& db,
                                            const std::vector<std::string>& permissions,
                                            int64_t community_id) {
    auth::Principal who{.username = "cli", .display_name = "命令行"};
    if (community_id != 0) {
        ASSIGN_OR_RETURN(auto community, db.ReadValue([&](db::Session& s) {
            return registry::RegistryStore::GetCommunity(s, community_id);
        }));
        if (!community) return NotFound("社区 " + std::to_string(community_id) + " 不存在");
        who.grants.push_back({.grant = {.role = auth::Role::kAdministrator,
                                        .scope = {auth::ScopeKind::kCommunity, community_id}},
                              .permissions = permissions});
        return who;
    }
    ASSIGN_OR_RETURN(auto streets, db.ReadValue([](db::Session& s) {
        return registry::RegistryStore::ListStreets(s);
    }));
    for (const registry::Street& street : streets) {
        who.grants.push_back({.grant = {.role = auth::Role::kAdministrator,
                                        .scope = {auth::ScopeKind::kStreet, street.id}},
                              .permissions = permissions});
    }
    return who;
}

std::string FileLabel(const std::string& file, const registry::Workbook& workbook) {
    return "文件 " + file + " (" + workbook.format +
           (workbook.encoding.empty() ? "" : ", " + workbook.encoding) + ")";
}

void PrintRowErrors(const std::vector<std::string>& lines) {
    std::cout << "发现 " << lines.size() << " 处错误, 未写入任何内容:\n";
    for (const std::string& line : lines) std::cout << "  " << line << "\n";
}

}  // namespace bulwark::app
