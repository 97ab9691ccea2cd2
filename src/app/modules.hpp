#pragma once

#include "app/app_context.hpp"
#include "auth/encrypted_columns.hpp"
#include "db/migrations.hpp"
#include "http/router.hpp"

namespace bulwark::app {

// The one place that knows every module: their migrations, in dependency order...
void RegisterMigrations(db::MigrationSet& set);
// ...the data work a migration leaves for C++ to finish (values SQL cannot compute), run after
// the migrations at every start and cheap when there is none...
Status FinishMigrations(db::Database& db);
// ...the columns that hold personal data encrypted (for `bulwark keys rotate`)...
void RegisterEncryptedColumns(auth::EncryptedColumnSet& set);
// ...and their routes, added to `router`. `ctx` outlives the router.
void RegisterRoutes(AppContext& ctx, http::Router& router);

}  // namespace bulwark::app
