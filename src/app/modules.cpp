#include "app/modules.hpp"

#include <algorithm>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "app/build_info.hpp"
#include "auth/account_store.hpp"
#include "auth/audit_log.hpp"
#include "auth/auth_api.hpp"
#include "auth/guard.hpp"
#include "auth/personal_keys.hpp"
#include "registry/coverage_access.hpp"
#include "registry/registry_api.hpp"
#include "registry/registry_store.hpp"
#include "registry/sampling_access.hpp"
#include "registry/scope_directory.hpp"
#include "system/system_api.hpp"
#include "system/system_store.hpp"
#include "testing/followup/followup_api.hpp"
#include "testing/followup/followup_schema.hpp"
#include "testing/results/results_api.hpp"
#include "testing/scope_directory.hpp"
#include "testing/testing_api.hpp"
#include "testing/testing_schema.hpp"

namespace bulwark::app {

void RegisterMigrations(db::MigrationSet& set) {
    set.Add(system::Migrations());
    // auth: the audit log first (everything else writes to it), then accounts and permissions.
    set.Add(auth::AuditLog::Migrations());
    set.Add(auth::AccountMigrations());
    // registry: places and residents (its permissions need auth's role_permissions).
    set.Add(registry::RegistryStore::Migrations());
    // testing: rounds, sites, tubes, samples, boxes (its permissions need auth's table too).
    set.Add(testing::Migrations());
    // results: lab results, pooled-positive procedures, cases (issue 7).
    set.Add(testing::results::Migrations());
    // follow-up: coverage, the missed list, home sampling, health-code requests (issue 6).
    set.Add(testing::followup::Migrations());
}

Status FinishMigrations(db::Database& db) {
    // registry 3: the pinyin sort keys of residents written before it.
    ASSIGN_OR_RETURN(bool pending, db.ReadValue([](db::Session& s) {
        return registry::RegistryStore::NameSortPending(s);
    }));
    int64_t last_id = 0;
    while (pending) {
        ASSIGN_OR_RETURN(last_id, db.WriteValue([last_id](db::Session& s) {
            return registry::RegistryStore::FillNameSortKeys(s, last_id, 5000);
        }));
        pending = last_id > 0;
    }
    return Ok();
}

void RegisterEncryptedColumns(auth::EncryptedColumnSet& set) {
    // Each module whose tables hold PersonalDataCipher output adds them here:
    // set.Add(<module>::EncryptedColumns());
    set.Add(registry::RegistryStore::EncryptedColumns());
}

void RegisterRoutes(AppContext& ctx, http::Router& router) {
    // auth: the guard that enforces every route's declaration, and the account routes.
    // Scopes nest street > community > grid (registry) and community > site (testing).
    auto auth_services = std::make_shared<auth::AuthServices>(
        *ctx.db, *ctx.clock,
        std::make_shared<testing::SiteScopeDirectory>(
            std::make_shared<registry::RegistryScopeDirectory>()));
    router.SetGuard(auth::MakeGuard(auth_services));
    router.SetQuickGuard(auth::MakeQuickGuard(auth_services));
    auth::AddRoutes(router, auth_services);

    // registry: places and residents; ID numbers and phones sealed with the data folder's keys.
    auto keys = auth::OpenPersonalKeys(ctx.options.data_dir);
    if (!keys.ok()) {
        spdlog::critical("个人信息密钥无法打开: {}", keys.error().message);
        std::exit(1);
    }
    std::shared_ptr<const auth::PersonalDataCipher> cipher = std::move(*keys);
    auto registry_service = std::shared_ptr<registry::RegistryService>(
        new registry::RegistryService(*ctx.db, *cipher, *ctx.clock),
        [cipher](registry::RegistryService* service) { delete service; });
    registry::AddRoutes(router, registry_service);

    // testing: rounds, sites, scans, boxes; the registry answers for residents through
    // SamplingAccess (masked names only reach scanners).
    auto sampling_access = std::shared_ptr<registry::SamplingAccess>(
        new registry::SamplingAccess(*cipher, *ctx.clock),
        [cipher](registry::SamplingAccess* access) { delete access; });
    testing::AddRoutes(
        router, std::make_shared<testing::TestingServices>(*ctx.db, *ctx.clock, sampling_access));
    // results: lab results, the pooled-positive procedure, residents' own page (public, rate
    // limited per client address: BULWARK_PUBLIC_PAGE_LIMIT calls a minute, default 120).
    testing::results::PublicLimits public_limits;
    if (const char* limit = std::getenv("BULWARK_PUBLIC_PAGE_LIMIT"); limit && *limit) {
        public_limits.per_address = std::max(1, std::atoi(limit));
    }
    testing::results::AddRoutes(router, std::make_shared<testing::results::ResultsServices>(
                                            *ctx.db, *ctx.clock, sampling_access, public_limits));

    // follow-up: coverage, the missed list, home sampling, health codes (issue 6); residents come
    // from the registry's CoverageAccess, samples from testing's SampleQueries.
    auto coverage_access = std::shared_ptr<registry::CoverageAccess>(
        new registry::CoverageAccess(*cipher, *ctx.clock),
        [cipher](registry::CoverageAccess* access) { delete access; });
    testing::followup::AddRoutes(router, std::make_shared<testing::followup::FollowupService>(
                                             *ctx.db, *ctx.clock, coverage_access));

    system::SystemInfo info{.version = kVersion,
                            .commit = kGitCommit,
                            .database = ctx.DatabaseKind(),
                            .started_at = ctx.started_at};
    system::AddRoutes(router, *ctx.db, *ctx.clock, info);
}

}  // namespace bulwark::app
