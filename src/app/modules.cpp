#include "app/modules.hpp"

#include "app/build_info.hpp"
#include "system/system_api.hpp"
#include "system/system_store.hpp"

namespace bulwark::app {

void RegisterMigrations(db::MigrationSet& set) { set.Add(system::Migrations()); }

void RegisterRoutes(AppContext& ctx, http::Router& router) {
    system::SystemInfo info{.version = kVersion,
                            .commit = kGitCommit,
                            .database = ctx.DatabaseKind(),
                            .started_at = ctx.started_at};
    system::AddRoutes(router, *ctx.db, *ctx.clock, info);
}

}  // namespace bulwark::app
