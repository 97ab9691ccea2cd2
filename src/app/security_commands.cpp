#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "app/commands.hpp"
#include "app/modules.hpp"
#include "auth/audit_key.hpp"
#include "auth/audit_log.hpp"
#include "auth/audit_store.hpp"
#include "auth/encrypted_columns.hpp"
#include "auth/personal_keys.hpp"

namespace bulwark::app {
namespace {

// Exit codes of `audit verify`: 0 intact, 1 a problem found, 2 could not check.
constexpr int kIntact = 0;
constexpr int kTampered = 1;
constexpr int kCouldNotCheck = 2;

std::string Explain(const auth::AuditLog::Problem& problem) {
    const std::string& what = problem.what;
    if (what == "changed" && problem.seq == 1) {
        return "内容被修改 (哈希不符; 若每条链都从第一行起不符, 多半是 keys/audit.key "
               "不是写入这些行的那把密钥)";
    }
    if (what == "changed") return "内容被修改 (哈希不符)";
    if (what == "removed") return "之前的行被删除 (序号不连续)";
    if (what == "reordered") return "行被移动或替换 (与前一行的链接不符)";
    if (what == "truncated") return "末尾的行被删除 (链头与最后一行不符)";
    return what;
}

int RunAuditVerify(const CommonOptions& common) {
    // OpenApp creates a missing key file; a log written under a lost key cannot be checked.
    const std::string key_path = auth::AuditKeyFilePath(common.data_dir);
    std::error_code ec;
    const bool had_key = std::filesystem::exists(key_path, ec);
    auto ctx = OpenApp(common, 1);
    if (!ctx.ok()) {
        std::cerr << "bulwark audit verify: " << ctx.error().message << "\n";
        return kCouldNotCheck;
    }
    struct Outcome {
        int64_t rows = 0;
        std::optional<auth::AuditLog::Problem> problem;
    };
    auto key = auth::OpenAuditKey(common.data_dir);
    if (!key.ok()) {
        (*ctx)->db->Close();
        std::cerr << "bulwark audit verify: " << key.error().message << "\n";
        return kCouldNotCheck;
    }
    // One snapshot for the count and the walk, so that rows appended meanwhile cannot disagree.
    auto outcome = (*ctx)->db->ReadValue([&key](db::Session& s) -> Result<Outcome> {
        Outcome out;
        ASSIGN_OR_RETURN(out.rows, auth::AuditStore::CountRows(s));
        ASSIGN_OR_RETURN(out.problem, auth::AuditLog::Verify(s, *key));
        return out;
    });
    (*ctx)->db->Close();
    if (!outcome.ok()) {
        std::cerr << "bulwark audit verify: " << outcome.error().message << "\n";
        return kCouldNotCheck;
    }
    if (!had_key && outcome->rows > 0) {
        std::cerr << "bulwark audit verify: 审计密钥文件 " << key_path << " 不存在, 无法校验已有的 "
                  << outcome->rows << " 行: 请从备份恢复写入它们的那个 keys/audit.key\n";
        return kCouldNotCheck;
    }
    if (const auto& p = outcome->problem) {
        std::cout << "审计日志有问题: "
                  << (p->row_id > 0 ? "id 为 " + std::to_string(p->row_id) + " 的行" : "一条审计链")
                  << ": " << Explain(*p) << " [" << p->what << "]\n";
        return kTampered;
    }
    std::cout << "审计日志完整: " << outcome->rows << " 行\n";
    return kIntact;
}

struct RotateOptions {
    int batch = 500;
    bool reencrypt_only = false;
};

int RunKeysRotate(const CommonOptions& common, const RotateOptions& opts) {
    // The database first: a rotation that cannot re-encrypt should not add a key.
    auto ctx = OpenApp(common, 1);
    if (!ctx.ok()) {
        std::cerr << "bulwark keys rotate: " << ctx.error().message << "\n";
        return 1;
    }
    db::Database& db = *(*ctx)->db;
    auto fail = [&db](const Error& e) {
        std::cerr << "bulwark keys rotate: " << e.message << "\n";
        db.Close();
        return 1;
    };
    const std::string path = auth::PersonalKeyFilePath(common.data_dir);
    // Creates the key file if this data folder never had one.
    if (auto existing = auth::OpenPersonalKeys(common.data_dir); !existing.ok()) {
        return fail(existing.error());
    }
    if (!opts.reencrypt_only) {
        if (Status added = auth::PersonalDataCipher::AddKeyToFile(path); !added.ok()) {
            return fail(added.error());
        }
    }
    auto cipher = auth::OpenPersonalKeys(common.data_dir);
    if (!cipher.ok()) return fail(cipher.error());
    const int version = (*cipher)->current_version();
    if (!opts.reencrypt_only) std::cout << "已添加第 " << version << " 版密钥: " << path << "\n";

    auth::EncryptedColumnSet columns;
    RegisterEncryptedColumns(columns);
    auto counts = auth::ReencryptColumns(db, **cipher, columns, opts.batch);
    if (!counts.ok()) {
        std::cerr << "可再次运行 bulwark keys rotate --reencrypt-only 继续\n";
        return fail(counts.error());
    }
    int64_t scanned = 0;
    int64_t reencrypted = 0;
    for (const auth::ReencryptCount& c : *counts) {
        std::cout << c.column.table << "." << c.column.column << ": 检查 " << c.scanned
                  << " 行, 重新加密 " << c.reencrypted << " 行\n";
        scanned += c.scanned;
        reencrypted += c.reencrypted;
    }
    auth::AuditEntry entry;
    entry.username = "cli";
    entry.action = "keys.rotate";
    entry.detail = "{\"version\":" + std::to_string(version) +
                   ",\"scanned\":" + std::to_string(scanned) +
                   ",\"reencrypted\":" + std::to_string(reencrypted) + "}";
    entry.at = (*ctx)->clock->NowMillis();
    if (Status s =
            db.Write([&](db::Session& session) { return auth::AuditLog::Append(session, entry); });
        !s.ok()) {
        return fail(s.error());
    }
    db.Close();
    std::cout << "完成: 当前密钥版本 " << version << ", 共检查 " << scanned << " 行, 重新加密 "
              << reencrypted << " 行. 正在运行的服务须重启才能读取新密钥.\n";
    return 0;
}

}  // namespace

void AddSecurityCommands(CLI::App& cli, const CommonOptions& common, int* exit_code) {
    CLI::App* audit = cli.add_subcommand("audit", "审计日志");
    audit->require_subcommand(1);
    CLI::App* verify = audit->add_subcommand(
        "verify",
        "用 <data>/keys/audit.key 校验审计日志的哈希链: 完整时退出码 0; 发现被修改、删除或"
        "移动的行时退出码 1 并指出第一行; 无法校验 (如密钥文件缺失) 时退出码 2");
    verify->callback([&common, exit_code] { *exit_code = RunAuditVerify(common); });

    CLI::App* keys = cli.add_subcommand("keys", "个人信息加密密钥 (<data>/keys/personal.key)");
    keys->require_subcommand(1);
    auto opts = std::make_shared<RotateOptions>();
    CLI::App* rotate = keys->add_subcommand(
        "rotate",
        "密钥轮换: 在密钥文件中添加新密钥, 再用它重新加密所有已登记的加密列. 请先停止服务 "
        "(或完成后重启), 并在轮换后备份密钥文件");
    rotate->add_option("--batch", opts->batch, "每个事务重新加密的行数")->capture_default_str();
    rotate->add_flag("--reencrypt-only", opts->reencrypt_only,
                     "不添加新密钥, 只把旧密钥加密的数据重新加密 (继续中断的轮换)");
    rotate->callback([&common, opts, exit_code] { *exit_code = RunKeysRotate(common, *opts); });
}

}  // namespace bulwark::app
