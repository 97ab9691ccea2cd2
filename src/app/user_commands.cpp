#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "auth/account_service.hpp"
#include "auth/auth_services.hpp"

namespace bulwark::app {
namespace {

struct UserAddOptions {
    std::string username;
    std::vector<std::string> roles;
    std::vector<std::string> scopes;
    std::string display_name;
    bool password_stdin = false;
    bool random_password = false;
};

// Parses "community:12".
bool ParseScope(const std::string& text, auth::Scope* out) {
    auto colon = text.find(':');
    if (colon == std::string::npos) return false;
    if (!auth::ParseScopeKind(text.substr(0, colon), &out->kind)) return false;
    try {
        size_t used = 0;
        out->id = std::stoll(text.substr(colon + 1), &used);
        return used == text.size() - colon - 1 && out->id > 0;
    } catch (const std::exception&) {
        return false;
    }
}

std::string GrantsText(const std::vector<auth::Grant>& grants) {
    std::string out;
    for (const auth::Grant& g : grants) {
        if (!out.empty()) out += ", ";
        out += std::string(auth::RoleName(g.role)) + "@" +
               std::string(auth::ScopeKindName(g.scope.kind)) + ":" + std::to_string(g.scope.id);
    }
    return out;
}

// Opens the app and runs `fn` with the auth services; prints errors as "bulwark user: ...".
template <class F>
int WithAuth(const CommonOptions& common, F&& fn) {
    auto ctx = OpenApp(common, 1);
    if (!ctx.ok()) {
        std::cerr << "bulwark user: " << ctx.error().message << "\n";
        return 1;
    }
    auth::AuthServices services(*(*ctx)->db, *(*ctx)->clock);
    int code = fn(services);
    (*ctx)->db->Close();
    return code;
}

int Fail(const Error& error) {
    std::cerr << "bulwark user: " << error.message
              << (error.field.empty() ? "" : " (" + error.field + ")") << "\n";
    return error.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

int RunAdd(const CommonOptions& common, const UserAddOptions& opts) {
    if (opts.password_stdin == opts.random_password) {
        std::cerr << "bulwark user add: 须给出 --password-stdin 或 --random-password 之一\n";
        return 2;
    }
    if (opts.roles.size() != opts.scopes.size() || opts.roles.empty()) {
        std::cerr << "bulwark user add: 每个 --role 须配一个 --scope\n";
        return 2;
    }
    auth::NewUser user{.username = opts.username, .display_name = opts.display_name};
    for (size_t i = 0; i < opts.roles.size(); ++i) {
        auth::Grant g;
        if (!auth::ParseRole(opts.roles[i], &g.role)) {
            std::cerr << "bulwark user add: 未知角色 " << opts.roles[i]
                      << " (administrator, staff, grid_worker, data_verifier, scanner, lab)\n";
            return 2;
        }
        if (!ParseScope(opts.scopes[i], &g.scope)) {
            std::cerr << "bulwark user add: 范围应为 KIND:ID, 如 community:12 (street, community, "
                         "grid, site, lab)\n";
            return 2;
        }
        user.grants.push_back(g);
    }
    if (opts.password_stdin) {
        std::getline(std::cin, user.password);
        if (!user.password.empty() && user.password.back() == '\r') user.password.pop_back();
        if (user.password.empty()) {
            std::cerr << "bulwark user add: 标准输入中没有密码\n";
            return 2;
        }
    }
    return WithAuth(common, [&](auth::AuthServices& services) {
        auto created = services.accounts.Create(nullptr, user);
        if (!created.ok()) return Fail(created.error());
        std::cout << "已创建用户 " << created->user.username << " (编号 " << created->user.id
                  << "): " << GrantsText(created->user.grants) << "\n";
        if (!created->password.empty()) {
            std::cout << "初始密码 (只显示这一次): " << created->password << "\n";
        }
        return 0;
    });
}

int RunList(const CommonOptions& common) {
    return WithAuth(common, [&](auth::AuthServices& services) {
        auto users = services.accounts.List(nullptr);
        if (!users.ok()) return Fail(users.error());
        for (const auth::UserRecord& u : *users) {
            std::cout << u.id << "\t" << u.username << "\t" << u.display_name << "\t"
                      << (u.locked ? "已锁定" : "正常") << "\t" << GrantsText(u.grants) << "\n";
        }
        return 0;
    });
}

int RunLock(const CommonOptions& common, const std::string& name, bool locked) {
    return WithAuth(common, [&](auth::AuthServices& services) {
        auto user = services.accounts.GetByUsername(nullptr, name);
        if (!user.ok()) return Fail(user.error());
        auto updated = services.accounts.Update(nullptr, user->id, {.locked = locked});
        if (!updated.ok()) return Fail(updated.error());
        std::cout << "用户 " << updated->username << (locked ? " 已锁定, 其会话已结束" : " 已解锁")
                  << "\n";
        return 0;
    });
}

int RunResetPassword(const CommonOptions& common, const std::string& name) {
    return WithAuth(common, [&](auth::AuthServices& services) {
        auto user = services.accounts.GetByUsername(nullptr, name);
        if (!user.ok()) return Fail(user.error());
        auto password = services.accounts.ResetPassword(nullptr, user->id);
        if (!password.ok()) return Fail(password.error());
        std::cout << "用户 " << user->username
                  << " 的新密码 (只显示这一次, 登录后须修改): " << *password << "\n";
        return 0;
    });
}

}  // namespace

void AddUserCommands(CLI::App& cli, const CommonOptions& common, int* exit_code) {
    CLI::App* user = cli.add_subcommand("user", "管理账号 (没有默认账号: 第一个管理员也由此创建)");
    user->require_subcommand(1);

    auto add_opts = std::make_shared<UserAddOptions>();
    CLI::App* add = user->add_subcommand("add", "创建账号");
    add->add_option("--username", add_opts->username, "用户名")->required();
    add->add_option("--role", add_opts->roles,
                    "角色: administrator, staff, grid_worker, data_verifier, scanner, lab")
        ->required();
    add->add_option("--scope", add_opts->scopes, "范围 KIND:ID, 如 community:12")->required();
    add->add_option("--display-name", add_opts->display_name, "显示名 (默认同用户名)");
    auto* from_stdin =
        add->add_flag("--password-stdin", add_opts->password_stdin, "从标准输入读取密码 (一行)");
    add->add_flag("--random-password", add_opts->random_password, "生成随机密码并显示一次")
        ->excludes(from_stdin);
    add->callback([&common, add_opts, exit_code] { *exit_code = RunAdd(common, *add_opts); });

    CLI::App* list = user->add_subcommand("list", "列出账号");
    list->callback([&common, exit_code] { *exit_code = RunList(common); });

    auto name = std::make_shared<std::string>();
    CLI::App* lock = user->add_subcommand("lock", "锁定账号并结束其全部会话");
    lock->add_option("NAME", *name, "用户名")->required();
    lock->callback([&common, name, exit_code] { *exit_code = RunLock(common, *name, true); });
    CLI::App* unlock = user->add_subcommand("unlock", "解锁账号");
    unlock->add_option("NAME", *name, "用户名")->required();
    unlock->callback([&common, name, exit_code] { *exit_code = RunLock(common, *name, false); });

    CLI::App* reset =
        user->add_subcommand("reset-password", "重置密码 (随机, 显示一次, 登录后须修改)");
    reset->add_option("NAME", *name, "用户名")->required();
    reset->callback([&common, name, exit_code] { *exit_code = RunResetPassword(common, *name); });
}

}  // namespace bulwark::app
