#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "db/batch.hpp"
#include "db/database.hpp"
#include "testing/model.hpp"

namespace bulwark::testing {

// Which sites a list shows: those of any listed street, community or site id.
struct SiteFilter {
    std::vector<int64_t> streets;
    std::vector<int64_t> communities;
    std::vector<int64_t> sites;
    int64_t community_id = 0;  // narrows further when not 0
};

// The SQL of labs, sampling sites and their tables. Stateless; thread-safe; every function runs
// in the caller's transaction.
class SiteStore {
public:
    // A new lab; nullopt when the name is taken.
    static Result<std::optional<Lab>> InsertLab(db::Session& s, const std::string& name,
                                                int64_t now);
    static Result<std::vector<Lab>> ListLabs(db::Session& s);
    static Result<std::optional<Lab>> GetLab(db::Session& s, int64_t id);

    // A new site (its tables too); nullopt when the community has a site of that name.
    static Result<std::optional<int64_t>> InsertSite(db::Session& s, const Site& site);
    static Result<std::optional<Site>> GetSite(db::Session& s, int64_t id);
    // The sites of these (site, table) pairs, each with, in `tables`, only the pairs' tables
    // that are its active tables: what opening tubes checks, without reading a site's every
    // table each time. Added to `batch` (a statement per up to 64 pairs); `out` (which must
    // outlive the run) gets them by id.
    static void SitesWithTables(db::Batch& batch,
                                const std::vector<std::pair<int64_t, int64_t>>& site_tables,
                                std::unordered_map<int64_t, Site>* out);
    static Result<std::vector<Site>> ListSites(db::Session& s, const SiteFilter& filter);
    // Writes name, address, hours and tables if the stored version is `expected_version`, and
    // bumps it; false when stale. Tables with an id are updated, new ones inserted, stored ones
    // not listed are deactivated (their tubes keep pointing at them).
    static Result<bool> UpdateSite(db::Session& s, const Site& site, int64_t expected_version);
    // Id of the community's site named `name`, if any.
    static Result<std::optional<int64_t>> SiteNamed(db::Session& s, int64_t community_id,
                                                    const std::string& name);
    // Ids of the sites of these communities.
    static Result<std::vector<int64_t>> SiteIdsOfCommunities(db::Session& s,
                                                             const std::vector<int64_t>& ids);
};

}  // namespace bulwark::testing
