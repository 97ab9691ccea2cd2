#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/sampling_access.hpp"
#include "testing/model.hpp"
#include "testing/testing_json.hpp"

namespace bulwark::testing {

// A round's fields as a person gave them; on edit only the given ones change.
struct RoundInput {
    std::optional<int64_t> community_id;  // on create only
    std::optional<std::string> name;
    std::optional<std::string> kind;        // "whole", "key_groups", "follow_up"
    std::optional<std::string> scope_kind;  // "community", "grids", "buildings", "people"
    std::optional<std::vector<int64_t>> scope_ids;
    std::optional<int64_t> starts_at;
    std::optional<int64_t> ends_at;
    std::optional<int64_t> pool_size;
    std::optional<std::vector<std::string>> single_tube_tags;  // registry tag names
    std::optional<bool> single_tube_control_areas;
    std::optional<std::vector<int64_t>> site_ids;
};

// Testing rounds: planning, copying, closing. The scope ids must lie in the round's community
// (grids, buildings, residents), and so must its sites. A round outside the caller's scope
// answers kNotFound "未找到". Every change is audited in its transaction. Thread-safe.
class RoundService {
public:
    RoundService(db::Database& db, Clock& clock, std::shared_ptr<registry::SamplingAccess> access);

    // Rounds the caller may see (rounds.read over the community, or one of its sites), newest
    // first; of one community and/or one status when given.
    Result<std::vector<RoundView>> List(const auth::Principal& who, int64_t community_id,
                                        std::optional<RoundStatus> status);
    Result<RoundView> Get(const auth::Principal& who, int64_t id);
    Result<RoundView> Create(const auth::Principal& who, const RoundInput& input);
    // Create inside the caller's write transaction, with the same checks and audit row: for a
    // round that another use case starts as its consequence (the follow-up round of a pooled
    // positive tube, testing/results).
    Result<RoundView> CreateIn(db::Session& s, const auth::Principal& who, const RoundInput& input);
    // A stale version is kFailedPrecondition (field "version").
    Result<RoundView> Update(const auth::Principal& who, int64_t id, int64_t version,
                             const RoundInput& input);
    // A new round with the same community, kind, scope, pools and sites, under a new name and
    // window.
    Result<RoundView> Copy(const auth::Principal& who, int64_t id, const std::string& name,
                           int64_t starts_at, int64_t ends_at);
    // Ends sampling now (idempotent: a closed round stays closed at its first close time).
    Result<RoundView> Close(const auth::Principal& who, int64_t id);

private:
    Result<RoundView> Insert(const auth::Principal& who, Round round, const char* action);
    Result<RoundView> InsertIn(db::Session& s, const auth::Principal& who, Round r,
                               const char* action);
    Result<RoundView> ViewIn(db::Session& s, const Round& round) const;
    // Whether `who` may read `round`: rounds.read over its community or street, one of its
    // sites, or a grid of its community.
    Result<bool> Readable(db::Session& s, const auth::Principal& who, const Round& round) const;

    db::Database& db_;
    Clock& clock_;
    std::shared_ptr<registry::SamplingAccess> access_;
};

}  // namespace bulwark::testing
