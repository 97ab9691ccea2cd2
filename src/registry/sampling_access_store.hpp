#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "db/batch.hpp"
#include "db/database.hpp"
#include "registry/sampling_access.hpp"

namespace bulwark::registry {

// The SQL behind SamplingAccess: narrow reads of residents (no document or phone columns) on
// indexed columns only, for the scan path. Stateless; thread-safe.
class SamplingAccessStore {
public:
    static Result<std::optional<SamplingSubject>> ByCode(db::Session& s, const std::string& token);
    static Result<std::optional<SamplingSubject>> ById(db::Session& s, int64_t id);
    // The residents holding these code tokens, added to `batch` (a statement per up to 64):
    // `out` (which must outlive the run) gets them by token; unknown tokens are left out.
    static void ByCodes(db::Batch& batch, const std::vector<std::string>& tokens,
                        std::unordered_map<std::string, SamplingSubject>* out);
    static Result<std::vector<SamplingSubject>> AtAddress(db::Session& s, const std::string& name,
                                                          int64_t building_id,
                                                          const std::string& room, int limit);
    // Id of the grid / building of that name in the community, if any.
    static Result<std::optional<int64_t>> GridNamed(db::Session& s, int64_t community_id,
                                                    const std::string& name);
    static Result<std::optional<int64_t>> BuildingNamed(db::Session& s, int64_t community_id,
                                                        const std::string& name);
    // Community of each resident id that exists (id, community_id).
    static Result<std::vector<std::pair<int64_t, int64_t>>> Communities(
        db::Session& s, const std::vector<int64_t>& ids);
};

}  // namespace bulwark::registry
