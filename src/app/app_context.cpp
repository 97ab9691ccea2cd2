#include "app/app_context.hpp"

#include <sys/stat.h>

#include <filesystem>

#include "app/modules.hpp"
#include "auth/audit_key.hpp"
#include "auth/audit_log.hpp"
#include "db/migrations.hpp"

namespace bulwark::app {

std::string AppContext::DatabaseKind() const {
    return db->dialect() == db::Dialect::kPostgres ? "postgresql" : "sqlite";
}

Result<std::unique_ptr<AppContext>> OpenApp(const CommonOptions& options, int readers,
                                            bool serving) {
    std::error_code ec;
    std::filesystem::create_directories(options.data_dir, ec);
    if (ec) return Unavailable("无法创建数据目录 " + options.data_dir + ": " + ec.message());
    ::chmod(options.data_dir.c_str(), 0700);
    // Every command may write audit rows: chain them under the data folder's audit key.
    ASSIGN_OR_RETURN(auth::AuditKey audit_key, auth::OpenAuditKey(options.data_dir));
    auth::AuditLog::UseKey(audit_key);

    auto ctx = std::make_unique<AppContext>();
    ctx->options = options;
    db::Options db_options;
    db_options.url =
        options.db_url.empty()
            ? "sqlite:" + (std::filesystem::path(options.data_dir) / "bulwark.db").string()
            : options.db_url;
    db_options.readers = readers;
    // PostgreSQL: two writer connections. Serving, the second is a standby
    // (db::Options::standby_backlog): it keeps writes going while a long one (an import) holds
    // the first, and otherwise leaves the first to take bigger batches, whose scans are written
    // together (testing/ScansTogether). A command's writes (generate: a building each, from
    // three threads) go to both as they come.
    db_options.writers = 2;
    if (!serving) db_options.standby_backlog = 0;
    ASSIGN_OR_RETURN(ctx->db, db::Open(db_options));
    db::MigrationSet migrations;
    RegisterMigrations(migrations);
    RETURN_IF_ERROR(db::Migrate(*ctx->db, migrations));
    RETURN_IF_ERROR(FinishMigrations(*ctx->db));
    ctx->started_at = ctx->clock->NowMillis();
    return ctx;
}

}  // namespace bulwark::app
