#pragma once

#include <cstdint>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/sampling_access.hpp"

namespace bulwark::registry {

// What lab results (testing/results) need of the registry beyond SamplingAccess: the people of
// a resident's household, for the resident's own page. Narrow reads on indexed columns, never
// the document or phone. Stateless; thread-safe; runs in the caller's transaction.
class ResultsAccess {
public:
    // The other residents of `resident_id`'s household (not the resident), in id order; empty
    // for an unknown resident.
    static Result<std::vector<SamplingSubject>> HouseholdOf(db::Session& s, int64_t resident_id);
    // The residents of `ids` that exist (name, place), in the order given.
    static Result<std::vector<SamplingSubject>> Subjects(db::Session& s,
                                                         const std::vector<int64_t>& ids);
};

}  // namespace bulwark::registry
