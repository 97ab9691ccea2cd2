#pragma once

#include <cstdint>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/model.hpp"

namespace bulwark::registry {

// The SQL of printing personal codes. Stateless; thread-safe; runs in the caller's transaction.
class CodeStore {
public:
    // The residents of a household or of a building, in the order cards are printed: unit,
    // floor, room, then name. At most `limit`.
    static Result<std::vector<ResidentDetail>> ResidentsOfHousehold(db::Session& s,
                                                                    int64_t household_id,
                                                                    int limit);
    static Result<std::vector<ResidentDetail>> ResidentsOfBuilding(db::Session& s,
                                                                   int64_t building_id, int limit);
};

}  // namespace bulwark::registry
