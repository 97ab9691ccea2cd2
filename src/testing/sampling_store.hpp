#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "db/batch.hpp"
#include "db/database.hpp"
#include "testing/model.hpp"

namespace bulwark::testing {

// A tube with where its site sits, for scope checks without a second read.
struct TubeAtSite {
    Tube tube;
    int64_t street_id = 0;
    int64_t community_id = 0;

    auth::Placement placement() const {
        return {.street_id = street_id, .community_id = community_id, .site_id = tube.site_id};
    }
};

struct Sample {
    int64_t id = 0;
    int64_t round_id = 0;
    int64_t resident_id = 0;
    int64_t tube_id = 0;
    int64_t site_id = 0;
    int64_t table_id = 0;
    int64_t scanned_at = 0;
    int64_t received_at = 0;
    int64_t scanned_by = 0;
    uint32_t warnings = 0;
};

// Increments of the live counters of one round, table and hour.
struct CounterDelta {
    int64_t round_id = 0;
    int64_t site_id = 0;
    int64_t table_id = 0;
    int64_t hour_start = 0;
    int64_t shard = 0;
    int64_t samples = 0;
    int64_t tubes_opened = 0;
    int64_t tubes_closed = 0;
};

// Live figures of one table of a round.
struct TableFigures {
    int64_t site_id = 0;
    int64_t table_id = 0;
    int64_t samples = 0;  // the whole round
    int64_t today = 0;
    int64_t this_hour = 0;
    int64_t tubes_open = 0;
    int64_t tubes_closed = 0;
};

// The SQL of tubes, samples and the live counters: the scan path. Every statement uses an
// index (barcode, id, the open tube of a table, round + resident) and touches one row.
// Stateless; thread-safe; runs in the caller's transaction.
class SamplingStore {
public:
    static Result<std::optional<TubeAtSite>> TubeByBarcode(db::Session& s,
                                                           const std::string& barcode);
    static Result<std::optional<TubeAtSite>> TubeById(db::Session& s, int64_t id);
    static Result<std::optional<Tube>> OpenTubeAt(db::Session& s, int64_t table_id);
    // A new open tube; nullopt when the barcode is used or the table has an open tube
    // meanwhile (the caller checks both first).
    static Result<std::optional<int64_t>> InsertTube(db::Session& s, const Tube& tube);
    // One more swab in an open tube that is not full: the new count, or nullopt when the tube
    // is closed or full.
    static Result<std::optional<int>> AddSwab(db::Session& s, int64_t tube_id);
    // Takes back a swab AddSwab counted in the same transaction (its sample was refused).
    static Status RemoveSwab(db::Session& s, int64_t tube_id);
    // Closes an open tube; false when it was closed already.
    static Result<bool> CloseTube(db::Session& s, int64_t tube_id, int64_t now);

    // A sample unless the resident has one in this round (ON CONFLICT DO NOTHING): the new id,
    // or nullopt.
    static Result<std::optional<int64_t>> InsertSample(db::Session& s, const Sample& sample);
    static Result<std::optional<Sample>> SampleOf(db::Session& s, int64_t round_id,
                                                  int64_t resident_id);
    static Result<std::vector<Sample>> SamplesInTube(db::Session& s, int64_t tube_id);
    // Names of a site and one of its tables, for messages ("雅仕居采样点 2号台").
    static Result<std::pair<std::string, std::string>> SiteAndTableNames(db::Session& s,
                                                                         int64_t site_id,
                                                                         int64_t table_id);

    // Adds `delta` to its counter row (INSERT ... ON CONFLICT DO UPDATE).
    static Status Count(db::Session& s, const CounterDelta& delta);

    // Set-based forms for scans applied together, each adding its statements (one per up to
    // 64 rows) to `batch`, which sends a group's reads, or its writes, together. What they
    // write to goes on being written as the batch runs, so it must outlive the run.
    // New open tubes; `ids` gets their ids in `tubes`' order, and `*all` is false when a
    // barcode was used or a table had an open tube (that row is not written).
    static void InsertTubes(db::Batch& batch, const std::vector<Tube>& tubes,
                            std::vector<int64_t>* ids, bool* all);
    // The tubes with these barcodes, with their sites' places (any order).
    static void TubesByBarcodes(db::Batch& batch, const std::vector<std::string>& barcodes,
                                std::vector<TubeAtSite>* out);
    // A scan's question "was this person sampled in this round already?".
    struct SampleProbe {
        int64_t round_id = 0;
        int64_t resident_id = 0;
    };
    // The samples that answer `probes` yes (any order).
    static void SamplesAt(db::Batch& batch, const std::vector<SampleProbe>& probes,
                          std::vector<Sample>* out);
    // New samples, none of whose (round, resident) may be taken: `ids` gets their ids in
    // `samples`' order. One taken meanwhile (by another server's writer) fails the run with the
    // unique constraint's error, or sets `all` false; nothing of it is to be kept then. (No ON
    // CONFLICT, for the reason given at RequestStore::InsertAll.)
    static void InsertSamples(db::Batch& batch, const std::vector<Sample>& samples,
                              std::vector<int64_t>* ids, bool* all);
    // A tube's new count, and its closing when that count fills it.
    struct TubeFilled {
        int64_t tube_id = 0;
        int was = 0;  // the count the change was decided on
        int count = 0;
        int64_t closed_at = 0;  // 0: stays open
    };
    // Applies each change to its open tube if the tube still holds `was` swabs: `all` is set
    // false when one no longer did (changed meanwhile) or was closed.
    static void FillTubes(db::Batch& batch, const std::vector<TubeFilled>& changes, bool* all);
    // Count() for several counter rows, each named once.
    static void CountAll(db::Batch& batch, const std::vector<CounterDelta>& deltas);
    // Figures per table of a round: samples since `day_start` and since `hour_start` too.
    static Result<std::vector<TableFigures>> Figures(db::Session& s, int64_t round_id,
                                                     int64_t day_start, int64_t hour_start);
};

}  // namespace bulwark::testing
