#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "registry/coverage_access.hpp"
#include "testing/model.hpp"
#include "testing/sample_queries.hpp"

namespace bulwark::testing::followup {

// Why a missed resident was not sampled (the glossary's reason codes).
enum class Outcome {
    kTestedElsewhere,       // needs place and tested_at
    kAway,                  // 离开本市
    kMovedOut,              // also sets presence to moved out in the registry
    kQuarantineOrHospital,  //
    kBedridden,             // also puts them on the home-sampling list
    kInfantNoDocument,
    kUnreachable,  // try again
    kRefused,
};
std::string_view OutcomeName(Outcome outcome);  // "tested_elsewhere", ...
bool ParseOutcome(std::string_view name, Outcome* out);
// The outcome as people read it ("外地已检", "离开本市", ...); the code itself when unknown.
std::string OutcomeLabel(std::string_view name);
// Whether the outcome takes the person out of "missed" at once (bedridden does not: they stay
// missed until sampled at home).
bool IsExempting(Outcome outcome);

// Where a resident stands in a round.
enum class Standing : uint8_t { kSampled, kExempt, kMissed };

// The figures of one level.
struct Totals {
    int64_t in_scope = 0;
    int64_t sampled = 0;
    int64_t exempt = 0;
    int64_t missed = 0;
    void Add(Standing standing);
    // sampled * 100 / (in_scope - exempt), rounded to one decimal; 100 when everyone in scope is
    // exempt, 0 for an empty scope.
    double Percent() const;
};

// A round's coverage at one moment: everyone in scope with their standing. Immutable once built
// (shared by the requests that read it); thread-safe to read.
struct RoundCoverage {
    Round round;
    std::vector<registry::CoveragePerson> people;  // in scope, in the registry's order
    std::vector<Standing> standing;                // parallel to people
    std::vector<SampleFact> samples;               // every sample of the round
    int64_t computed_at = 0;
    Totals totals;
    std::unordered_map<int64_t, size_t> index;  // resident id -> position in people
};

// Who is in a round's scope and how they stand:
// - a resident sampled in the round is in scope and sampled, wherever they live (a floating
//   person registered at a site during the round counts so);
// - otherwise a resident is in scope when the round's scope kind takes them (community: all;
//   grids/buildings/people: by id), the registry does not show them moved out and their record
//   was made before the round ended;
// - of those, one whose latest follow-up outcome for the round is exempting is exempt, the
//   others missed.
// `latest_outcome`: resident id -> their latest outcome in this round.
RoundCoverage ComputeCoverage(const Round& round, std::vector<registry::CoveragePerson> residents,
                              std::vector<SampleFact> samples,
                              const std::unordered_map<int64_t, Outcome>& latest_outcome,
                              int64_t now);

// Takes samples made since `c` was computed into it (the scans of the last seconds): each
// names a resident now sampled. Returns false, leaving `c` half-updated (discard it), when one
// names a resident `c` does not hold (not in scope before: compute again).
bool ApplyNewSamples(RoundCoverage* c, const std::vector<SampleFact>& fresh, int64_t now);

// Which rows a caller sees: the whole community or only some grids.
struct Visibility {
    bool whole = true;
    std::set<int64_t> grids;
    bool Sees(int64_t grid_id) const { return whole || grids.count(grid_id) > 0; }
};

// A row of a coverage table.
struct CoverageRow {
    std::string level;  // "community", "grid", "building", "unit"
    int64_t id = 0;     // community, grid or building id (a unit row: its building's)
    std::string name;
    Totals totals;
};

// The day [from, to) in China time (UTC+8) of "YYYY-MM-DD"; false when malformed.
bool ChinaDay(std::string_view date, int64_t* from, int64_t* to);

}  // namespace bulwark::testing::followup
