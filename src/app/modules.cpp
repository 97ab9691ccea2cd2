#include "app/modules.hpp"

#include "app/build_info.hpp"
#include "auth/account_store.hpp"
#include "auth/audit_log.hpp"
#include "auth/auth_api.hpp"
#include "auth/guard.hpp"
#include "system/system_api.hpp"
#include "system/system_store.hpp"

namespace bulwark::app {

void RegisterMigrations(db::MigrationSet& set) {
    set.Add(system::Migrations());
    // auth: the audit log first (everything else writes to it), then accounts and permissions.
    set.Add(auth::AuditLog::Migrations());
    set.Add(auth::AccountMigrations());
}

void RegisterRoutes(AppContext& ctx, http::Router& router) {
    // auth: the guard that enforces every route's declaration, and the account routes.
    auto auth_services = std::make_shared<auth::AuthServices>(*ctx.db, *ctx.clock);
    router.SetGuard(auth::MakeGuard(auth_services));
    auth::AddRoutes(router, auth_services);

    system::SystemInfo info{.version = kVersion,
                            .commit = kGitCommit,
                            .database = ctx.DatabaseKind(),
                            .started_at = ctx.started_at};
    system::AddRoutes(router, *ctx.db, *ctx.clock, info);
}

}  // namespace bulwark::app
