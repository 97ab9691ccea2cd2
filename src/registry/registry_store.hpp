#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auth/encrypted_columns.hpp"
#include "auth/principal.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "registry/model.hpp"

namespace bulwark::registry {

// The places a caller may see or change, from the scopes of their grants: rows whose building
// lies in any listed street, community or grid. Sites and labs do not cover residents.
struct ScopeFilter {
    std::vector<int64_t> streets;
    std::vector<int64_t> communities;
    std::vector<int64_t> grids;

    static ScopeFilter FromScopes(const std::vector<auth::Scope>& scopes);
    bool empty() const { return streets.empty() && communities.empty() && grids.empty(); }
};

// What a resident list selects. Zero / empty fields do not filter.
struct ResidentFilter {
    ScopeFilter scope;
    int64_t street_id = 0;
    int64_t community_id = 0;
    int64_t building_id = 0;
    int64_t grid_id = 0;
    std::string room;               // exact room number
    bool by_name = false;           // pinyin order of names instead of address order
    uint32_t any_tags = 0;          // stored tag bits: residents with any of them
    int32_t born_on_or_before = 0;  // yyyymmdd: for the derived 60+/80+ tags
    std::optional<Presence> presence;
    // Search, at most one of these is used (the service picks it from the query text).
    std::string name_like;        // substring of the name
    std::string initials_prefix;  // prefix of the pinyin initials (lower case)
    std::string tail;             // last 4 characters of the document or the phone
    std::string blind_index;      // exact document number or phone, as a blind index
    int limit = 50;
    int offset = 0;
};

// A group of possible duplicates: same name and birth date.
struct DuplicateGroup {
    std::string name;
    int32_t birth_date = 0;
    std::vector<ResidentDetail> members;
};

// The SQL of the registry: places, households and residents, on both drivers. Stateless;
// thread-safe. Every function runs inside the caller's transaction. An absent document or phone
// is NULL in its blob columns (what `bulwark keys rotate` expects), written through
// NULLIF(?, <empty blob>) so that every parameter keeps one type and PostgreSQL prepares each
// statement once; reads give "" for NULL.
class RegistryStore {
public:
    // Schema (version 1) and the role permissions of the registry (version 2, which needs the
    // auth module's role_permissions table: register after auth).
    static std::vector<db::Migration> Migrations();
    // The columns holding PersonalDataCipher output, for `bulwark keys rotate`.
    static std::vector<auth::EncryptedColumn> EncryptedColumns();

    // Places. Inserts return the stored row; a duplicate name under the same parent is
    // kAlreadyExists.
    static Result<Street> InsertStreet(db::Session& s, const Street& street, int64_t now);
    static Result<Community> InsertCommunity(db::Session& s, const Community& c, int64_t now);
    static Result<Grid> InsertGrid(db::Session& s, const Grid& grid, int64_t now);
    static Result<Building> InsertBuilding(db::Session& s, const Building& b, int64_t now);
    static Result<std::optional<Street>> GetStreet(db::Session& s, int64_t id);
    static Result<std::optional<Community>> GetCommunity(db::Session& s, int64_t id);
    static Result<std::optional<Grid>> GetGrid(db::Session& s, int64_t id);
    static Result<std::optional<Building>> GetBuilding(db::Session& s, int64_t id);
    // All streets, communities and grids (small tables; the caller filters by scope).
    static Result<std::vector<Street>> ListStreets(db::Session& s);
    static Result<std::vector<Community>> ListCommunities(db::Session& s);
    static Result<std::vector<Grid>> ListGrids(db::Session& s);
    // Ids of the communities of a street, and of the grids of a street or a community.
    static Result<std::vector<int64_t>> CommunityIdsOfStreet(db::Session& s, int64_t street_id);
    static Result<std::vector<int64_t>> GridIdsOfStreet(db::Session& s, int64_t street_id);
    static Result<std::vector<int64_t>> GridIdsOfCommunity(db::Session& s, int64_t community_id);
    // Buildings in `scope`, in id order.
    static Result<std::vector<Building>> ListBuildings(db::Session& s, const ScopeFilter& scope);
    // (building id, residents, households) for the buildings in `scope` that have residents.
    struct BuildingCounts {
        int64_t building_id = 0;
        int64_t residents = 0;
        int64_t households = 0;
    };
    static Result<std::vector<BuildingCounts>> CountByBuilding(db::Session& s,
                                                               const ScopeFilter& scope);

    // The household at building/unit/room, created if it does not exist yet.
    static Result<Household> FindOrCreateHousehold(db::Session& s, const Household& address);

    // Residents. InsertResident ignores resident.id and returns the new id; a document number
    // or code token already stored is kAlreadyExists.
    static Result<int64_t> InsertResident(db::Session& s, const Resident& resident);
    static Result<std::optional<ResidentDetail>> GetResident(db::Session& s, int64_t id);
    static Result<std::optional<ResidentDetail>> FindByCodeToken(db::Session& s,
                                                                 const std::string& token);
    // Id of the resident whose document has this blind index, if any.
    static Result<std::optional<int64_t>> FindIdByDocIndex(db::Session& s,
                                                           const std::string& blind_index);
    // Writes every field of `resident` (by id) if its stored version is `expected_version`,
    // and sets version to expected_version + 1. Returns false when the version was stale.
    static Result<bool> UpdateResident(db::Session& s, const Resident& resident,
                                       int64_t expected_version);
    // Replaces the code token (the old one stops matching). False if no such resident.
    static Result<bool> ReplaceCodeToken(db::Session& s, int64_t id, const std::string& token,
                                         int64_t now);
    // One page of residents, sorted by building, unit, room, then pinyin initials and name.
    static Result<std::vector<ResidentDetail>> ListResidents(db::Session& s,
                                                             const ResidentFilter& filter);
    // How many residents the filter selects (ignoring limit and offset).
    static Result<int64_t> CountResidents(db::Session& s, const ResidentFilter& filter);
    // Every resident, in the whole database.
    static Result<int64_t> CountAllResidents(db::Session& s);
    // Groups of residents in `scope` sharing name and birth date; at most `limit` groups.
    static Result<std::vector<DuplicateGroup>> ListDuplicates(db::Session& s,
                                                              const ScopeFilter& scope, int limit);

    // Bulk loading (the synthetic population), into a database nobody else writes to.
    //
    // Rows carry their ids (the loader numbers them after NextIds), so that one multi-row
    // INSERT needs no RETURNING. Before a large load the two random-order unique indexes are
    // dropped (random-order index inserts are what limits bulk loading) and rebuilt by sorting
    // afterwards; CreateBulkLoadIndexes is idempotent and also repairs an interrupted load.
    struct NextIds {
        int64_t household = 1;
        int64_t resident = 1;
    };
    static Result<NextIds> NextFreeIds(db::Session& s);
    static Status InsertHouseholdsBulk(db::Session& s, std::span<const Household> households);
    static Status InsertResidentsBulk(db::Session& s, std::span<const Resident> residents);
    static Status DropBulkLoadIndexes(db::Session& s);
    // Whether residents written before migration registry 3 still lack their name_sort.
    static Result<bool> NameSortPending(db::Session& s);
    // Fills name_sort for up to `limit` residents lacking it with ids above `after_id`; returns
    // the last id it filled, or 0 when none were left (and then clears the pending mark).
    static Result<int64_t> FillNameSortKeys(db::Session& s, int64_t after_id, int limit);
    static Status CreateBulkLoadIndexes(db::Session& s);
    // After rows were inserted with explicit ids: moves PostgreSQL's identity sequences past
    // them (SQLite needs nothing).
    static Status ResyncIdSequences(db::Session& s);
    // After a load: the planner's statistics of the tables it filled. Until autovacuum's
    // analyze, PostgreSQL planned a scan's lookup of five people by code as a hash join over
    // every household (0.35 ms a statement, measured with auto_explain), and the plan stayed
    // cached in the writers' prepared statements.
    static Status AnalyzeLoadedTables(db::Session& s);
};

}  // namespace bulwark::registry
