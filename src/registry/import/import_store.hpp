#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/model.hpp"

namespace bulwark::registry {

// The SQL an import needs beyond RegistryStore: a community's places and households at once,
// residents by many blind indexes at once, and ids for rows inserted in bulk while others may
// write. Stateless; thread-safe; every function runs inside the caller's transaction.
class ImportStore {
public:
    struct CommunityPlaces {
        Community community;
        std::vector<Grid> grids;
        std::vector<Building> buildings;
        std::vector<Household> households;  // of those buildings
    };
    // kNotFound "社区未找到" if there is no such community.
    static Result<CommunityPlaces> LoadCommunity(db::Session& s, int64_t community_id);

    // Residents holding a document (doc_type other than none) with one of these blind indexes,
    // anywhere.
    static Result<std::vector<ResidentDetail>> FindByDocIndexes(
        db::Session& s, const std::vector<std::string>& blind_indexes);
    // The community's residents without a document (infants), matched by household and name.
    static Result<std::vector<ResidentDetail>> ListWithoutDocument(db::Session& s,
                                                                   int64_t community_id);

    // `n` fresh ids for households (table "households") or residents ("residents"): on
    // PostgreSQL drawn from the identity sequence (safe beside other writers); on SQLite, whose
    // single writer runs this transaction alone, the ids after the largest.
    static Result<std::vector<int64_t>> ReserveIds(db::Session& s, const char* table, size_t n);

    // After a large import: refreshes PostgreSQL's statistics of the residents and households
    // tables, so that the next lookups by blind index use the index instead of planning for the
    // empty table they were (measured: a 100,000-row re-check took 161 s before, 5 s after).
    // SQLite needs nothing.
    static Status RefreshStatistics(db::Session& s);
};

}  // namespace bulwark::registry
