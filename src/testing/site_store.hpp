#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
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
    // The site with, in `tables`, only `table_id` (when it is one of its active tables): what
    // opening a tube checks, without reading a site's every table each time.
    static Result<std::optional<Site>> GetSiteWithTable(db::Session& s, int64_t id,
                                                        int64_t table_id);
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
