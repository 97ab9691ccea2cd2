#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"
#include "testing/model.hpp"

namespace bulwark::testing {

// One sample of a round as coverage needs it.
struct SampleFact {
    int64_t resident_id = 0;
    int64_t site_id = 0;
    int64_t scanned_at = 0;
};

// A cheap fingerprint of a round's samples: it changes when one is added or removed.
struct SampleStamp {
    int64_t count = 0;
    int64_t last_id = 0;
    bool operator==(const SampleStamp&) const = default;
};

// A resident's sample with its tube (for the home-sampling list).
struct SampleWithTube {
    int64_t resident_id = 0;
    int64_t round_id = 0;
    int64_t scanned_at = 0;
    std::string tube_barcode;
};

// Per-site figures of a period.
struct SiteDay {
    int64_t site_id = 0;
    std::string name;
    int64_t samples = 0;
    int64_t tubes = 0;
};

// Read-only answers about rounds and samples for the follow-up module (testing/followup), which
// must not read testing's tables itself. Stateless; thread-safe; runs in the caller's
// transaction. Scope is the caller's business.
class SampleQueries {
public:
    // The round with its scope ids and site ids; nullopt if none.
    static Result<std::optional<Round>> RoundById(db::Session& s, int64_t id);
    // The community's rounds, newest start first, at most `limit`.
    static Result<std::vector<Round>> RoundsOf(db::Session& s, int64_t community_id, int limit);
    static Result<SampleStamp> StampOf(db::Session& s, int64_t round_id);
    // Every sample of the round.
    static Result<std::vector<SampleFact>> SamplesOf(db::Session& s, int64_t round_id);
    // The round's samples with an id above `after_id` (those taken since a SampleStamp).
    static Result<std::vector<SampleFact>> SamplesSince(db::Session& s, int64_t round_id,
                                                        int64_t after_id);
    // Samples of `residents` in `round_ids` taken after `after` (ms), with their tube barcodes.
    static Result<std::vector<SampleWithTube>> SamplesAfter(db::Session& s,
                                                            const std::vector<int64_t>& round_ids,
                                                            const std::vector<int64_t>& residents,
                                                            int64_t after);
    // Samples and tubes per site of `round_ids` scanned in [from, to), with the site names.
    static Result<std::vector<SiteDay>> PerSite(db::Session& s,
                                                const std::vector<int64_t>& round_ids, int64_t from,
                                                int64_t to);
    // Names of sites by id.
    static Result<std::map<int64_t, std::string>> SiteNames(db::Session& s,
                                                            const std::vector<int64_t>& ids);
};

}  // namespace bulwark::testing
