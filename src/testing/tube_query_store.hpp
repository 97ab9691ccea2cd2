#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::testing {

// A tube as lab results need it: its round, its site's place, its pool size and the box that
// carried it to a lab. A plain value type.
struct TubeForResult {
    int64_t id = 0;
    std::string barcode;
    int64_t round_id = 0;
    std::string round_name;
    int64_t site_id = 0;
    int64_t street_id = 0;
    int64_t community_id = 0;
    int pool_size = 1;
    int64_t closed_at = 0;
    int64_t box_id = 0;
    int64_t lab_id = 0;          // the lab the box was handed to; 0 when not handed over
    int64_t handed_over_at = 0;  // 0 when not handed over

    auth::Placement placement() const {
        return {.street_id = street_id,
                .community_id = community_id,
                .site_id = site_id,
                .lab_id = lab_id};
    }
};

// One swab in a tube: whose, and when it was taken.
struct TubeSwab {
    int64_t resident_id = 0;
    int64_t sampled_at = 0;
};

// One of a resident's samples: the round, the tube and when it was taken.
struct ResidentSample {
    int64_t round_id = 0;
    std::string round_name;
    int64_t tube_id = 0;
    std::string tube_barcode;
    int pool_size = 1;
    int64_t sampled_at = 0;
};

// A round as a result needs it.
struct RoundBrief {
    int64_t id = 0;
    std::string name;
    int64_t street_id = 0;
    int64_t community_id = 0;
};

// A box handed to a lab, with its site's place and the tubes the lab counted on receipt.
struct LabBox {
    int64_t id = 0;
    std::string barcode;
    int64_t round_id = 0;
    int64_t site_id = 0;
    int64_t street_id = 0;
    int64_t community_id = 0;
    int tubes_sent = 0;
    int tubes_received = 0;
    int64_t handed_over_at = 0;
    int64_t received_at = 0;
};

// Narrow reads of tubes, samples, rounds, sites and boxes for the results capability
// (testing/results), which never reads these tables itself. Every query uses an index (barcode,
// tube, round + resident, community). Stateless; thread-safe; runs in the caller's transaction.
class TubeQueryStore {
public:
    static Result<std::optional<TubeForResult>> TubeByBarcode(db::Session& s,
                                                              const std::string& barcode);
    static Result<std::optional<TubeForResult>> TubeById(db::Session& s, int64_t id);
    // The swabs in a tube, in the order they were taken.
    static Result<std::vector<TubeSwab>> Members(db::Session& s, int64_t tube_id);
    // A resident's samples in the rounds of `community_id` (newest first, at most `limit`).
    static Result<std::vector<ResidentSample>> SamplesOf(db::Session& s, int64_t resident_id,
                                                         int64_t community_id, int limit);
    static Result<std::optional<RoundBrief>> Round(db::Session& s, int64_t round_id);
    // Ids of the sampling sites of a community.
    static Result<std::vector<int64_t>> SitesOf(db::Session& s, int64_t community_id);
    // Boxes handed to `lab_id` since `since`, newest first, at most 500.
    static Result<std::vector<LabBox>> BoxesForLab(db::Session& s, int64_t lab_id, int64_t since);
    // Ids of the tubes packed into a box.
    static Result<std::vector<int64_t>> TubesInBox(db::Session& s, int64_t box_id);
    // The lab's name, or nullopt when there is no such lab.
    static Result<std::optional<std::string>> LabName(db::Session& s, int64_t lab_id);
};

}  // namespace bulwark::testing
