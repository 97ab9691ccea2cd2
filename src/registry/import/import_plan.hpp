#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "auth/personal_data.hpp"
#include "auth/principal.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/import/column_mapping.hpp"
#include "registry/import/import_rows.hpp"
#include "registry/model.hpp"

namespace bulwark::registry {

struct ImportSummary {
    int created = 0;
    int updated = 0;
    int unchanged = 0;
    int grids_created = 0;
    int buildings_created = 0;
    int households_created = 0;
};

// What applying an import does, worked out inside one transaction against what the database
// holds then. Places not yet stored are referred to by negative numbers: -(i + 1) is
// new_grids[i], new_buildings[i] or new_households[i]. A plain value type.
struct ImportPlan {
    std::vector<RowError> errors;  // non-empty: nothing may be applied
    ImportSummary summary;
    std::vector<Grid> new_grids;
    std::vector<Building> new_buildings;    // grid_id may be a negative reference
    std::vector<Household> new_households;  // building_id may be a negative reference
    struct Change {
        Resident resident;             // sealed; place ids from the references below
        int64_t household_ref = 0;     // a household id, or a negative reference
        int64_t building_ref = 0;      // a building id, or a negative reference
        int64_t expected_version = 0;  // updates only
        int row = 0;
    };
    std::vector<Change> creates;
    std::vector<Change> updates;
    int64_t now = 0;  // stamps the places it creates
};

struct PlanOptions {
    int64_t community_id = 0;
    int32_t today = 0;  // yyyymmdd, bounds birth dates
    int64_t now = 0;    // Unix ms, stamps new and changed rows
    // False for a dry run: rows are classified but not sealed (no ciphertexts or tokens made).
    bool seal = true;
};

// Matches `rows` against the community's places and residents, inside the caller's
// transaction: every row becomes a create, an update (a resident with the same document number,
// or without a document but with the same name in the same household) or unchanged; places
// named by the sheet that do not exist yet are planned. The caller needs residents.import over
// the community (else kNotFound "社区未找到", as for a missing one) and over every resident it
// would update (else a row error). A document number given twice in the sheet, a new building
// without a grid and every rule of ApplyResidentInput are row errors, all of them listed.
Result<ImportPlan> PlanImport(db::Session& s, const auth::PersonalDataCipher& cipher,
                              const auth::Principal& who, const std::vector<ImportRow>& rows,
                              const ColumnMapping& mapping, const PlanOptions& options);

// Writes a plan without errors: places, then new residents in multi-row INSERTs, then updates
// (each checking the version it planned against; a stale one is kFailedPrecondition). Calls
// `progress(done)` as residents are written.
Status ApplyPlan(db::Session& s, ImportPlan& plan, const std::function<void(int)>& progress = {});

}  // namespace bulwark::registry
