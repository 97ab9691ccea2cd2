#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::testing::followup {

// One row of the home-sampling list as stored.
struct HomeSamplingEntry {
    int64_t id = 0;
    int64_t resident_id = 0;
    int64_t community_id = 0;
    int64_t round_id = 0;
    std::string reason;  // HomeSamplingReasonCode
    bool urgent = false;
    std::string source;
    int64_t requested_by = 0;
    int64_t requested_at = 0;
    int64_t done_at = 0;  // 0 while open
    int64_t done_round_id = 0;
    std::string done_tube;
};

// The SQL of the home-sampling list. Stateless; thread-safe; runs in the caller's transaction.
class HomeSamplingStore {
public:
    // Inserts an open entry unless the resident has one for this reason; returns whether it did.
    static Result<bool> InsertOpen(db::Session& s, const HomeSamplingEntry& entry);
    // Entries of `community_id`: open ones (`done` false) or done ones, oldest first.
    static Result<std::vector<HomeSamplingEntry>> OfCommunity(db::Session& s, int64_t community_id,
                                                              bool done);
    // Open entries of these residents.
    static Result<std::vector<HomeSamplingEntry>> OpenOf(db::Session& s,
                                                         const std::vector<int64_t>& residents);
    static Result<std::optional<HomeSamplingEntry>> Get(db::Session& s, int64_t id);
    // Marks an open entry done by a sample; false when it was not open any more.
    static Result<bool> MarkDone(db::Session& s, int64_t id, int64_t at, int64_t round_id,
                                 const std::string& tube);
    // Counts of open entries, and of entries done in [from, to), of a community.
    static Result<std::pair<int64_t, int64_t>> Counts(db::Session& s, int64_t community_id,
                                                      int64_t from, int64_t to);
};

}  // namespace bulwark::testing::followup
