#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "db/batch.hpp"
#include "db/database.hpp"
#include "testing/model.hpp"

namespace bulwark::testing {

// Which rounds a list shows: those of any listed street or community, or taking part at any
// listed site; narrowed by community_id when not 0. Newest first.
struct RoundFilter {
    std::vector<int64_t> streets;
    std::vector<int64_t> communities;
    std::vector<int64_t> sites;
    int64_t community_id = 0;
    int limit = 200;
};

// The SQL of rounds, their scope members and their sites. Stateless; thread-safe; every
// function runs in the caller's transaction.
class RoundStore {
public:
    // Inserts the round with its scope ids and site ids; returns the new id.
    static Result<int64_t> Insert(db::Session& s, const Round& round);
    // The round with its site ids and, unless `with_people` is false for a people round, its
    // scope ids (a people round's list can be long; scans ask IsListed instead). The scan path
    // leaves out the site ids too (`with_sites` false): one query fewer per scan.
    static Result<std::optional<Round>> Get(db::Session& s, int64_t id, bool with_people = true,
                                            bool with_sites = true);
    // The rounds of these (round, site) pairs as Get(id, false, false) reads them, each with, in
    // `site_ids` (sorted), only the pairs' sites that take part in it: what opening tubes
    // checks. Added to `batch` (a statement per up to 64 pairs); `out` (which must outlive the
    // run) gets them by id.
    static void ForSites(db::Batch& batch,
                         const std::vector<std::pair<int64_t, int64_t>>& round_sites,
                         std::unordered_map<int64_t, Round>* out);
    static Result<std::vector<Round>> List(db::Session& s, const RoundFilter& filter);
    // The rounds with these ids, as Get(id, false, false) reads them, added to `batch` (a
    // statement per up to 64 ids): `out` (which must outlive the run) gets them by id.
    static void ByIds(db::Batch& batch, const std::vector<int64_t>& ids,
                      std::unordered_map<int64_t, Round>* out);
    // Whether `resident_id` is on the round's list of people.
    static Result<bool> IsListed(db::Session& s, int64_t round_id, int64_t resident_id);
    // Rewrites every field a person sets, scope ids and site ids included, if the stored version
    // is `expected_version`, and bumps it; false when stale.
    static Result<bool> Update(db::Session& s, const Round& round, int64_t expected_version);
    // Sets closed_at (and bumps the version) unless already closed by hand; false if it was.
    static Result<bool> Close(db::Session& s, int64_t id, int64_t now);
    // Samples so far per round, from the live counters.
    static Result<std::map<int64_t, int64_t>> SampleCounts(db::Session& s,
                                                           const std::vector<int64_t>& ids);
};

}  // namespace bulwark::testing
