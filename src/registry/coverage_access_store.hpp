#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/coverage_access.hpp"

namespace bulwark::registry {

// The SQL behind CoverageAccess. Stateless; thread-safe; runs in the caller's transaction.
// Residents of a community are reached through its buildings (residents_building index).
class CoverageAccessStore {
public:
    static Result<std::vector<CoveragePerson>> ResidentsOf(db::Session& s, int64_t community_id);
    static Result<ResidentsStamp> StampOf(db::Session& s, int64_t community_id);
    static Result<std::optional<CoveragePerson>> Person(db::Session& s, int64_t id);
    // (id, phone ciphertext) of `ids` that have a phone.
    static Result<std::vector<std::pair<int64_t, std::string>>> SealedPhones(
        db::Session& s, const std::vector<int64_t>& ids);
};

}  // namespace bulwark::registry
