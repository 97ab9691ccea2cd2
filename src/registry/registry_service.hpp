#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/personal_data.hpp"
#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/model.hpp"
#include "registry/registry_store.hpp"
#include "registry/resident_input.hpp"

namespace bulwark::registry {

// A resident as responses show it: the document number and phone masked on the server, the
// derived 60+/80+ tags added.
struct MaskedResident {
    ResidentDetail detail;
    std::string doc_number_masked;  // 110101********1234; "" if none
    std::string phone_masked;       // 138****5678; "" if none
    uint32_t tags = 0;              // stored and derived
    int age = 0;
};

struct ResidentQuery {
    int64_t street_id = 0;
    int64_t community_id = 0;
    int64_t grid_id = 0;
    int64_t building_id = 0;
    std::string room;      // exact room number ("1203"), after normalising
    std::string sort;      // "address" (default: building, unit, room, then name) or "name"
    std::string tag;       // a tag name, stored or derived ("elderly_80")
    std::string presence;  // "present", "away", "moved_out"
    std::string q;         // name, pinyin initials, last 4 of ID or phone, or a whole number
    int page = 1;
    int page_size = 50;
};

struct ResidentPage {
    std::vector<MaskedResident> items;
    int64_t total = 0;
    int page = 1;
    int page_size = 50;
};

// The streets, communities, grids and buildings a caller may see, with counts.
struct PlaceTree {
    struct BuildingNode {
        Building building;
        int64_t residents = 0;
        int64_t households = 0;
    };
    struct GridNode {
        Grid grid;
        std::vector<BuildingNode> buildings;
    };
    struct CommunityNode {
        Community community;
        std::vector<GridNode> grids;
    };
    struct StreetNode {
        Street street;
        std::vector<CommunityNode> communities;
    };
    std::vector<StreetNode> streets;
};

struct MaskedDuplicateGroup {
    std::string name;
    int32_t birth_date = 0;
    std::vector<MaskedResident> members;
};

// The registry's use cases: scope checks, validation, sealing and the audit trail. Every read of
// resident data appends its audit row (and fails if it cannot); every change commits together
// with its audit row. A resident outside the caller's scope answers kNotFound "未找到", exactly
// like a missing id. Thread-safe (holds only references to thread-safe things).
class RegistryService {
public:
    RegistryService(db::Database& db, const auth::PersonalDataCipher& cipher, Clock& clock);

    Result<PlaceTree> Places(const auth::Principal& who);
    // A new street needs residents.write granted over some street (street-level leadership).
    Result<Street> CreateStreet(const auth::Principal& who, const std::string& name,
                                const std::string& district);
    Result<Community> CreateCommunity(const auth::Principal& who, int64_t street_id,
                                      const std::string& name);
    Result<Grid> CreateGrid(const auth::Principal& who, int64_t community_id,
                            const std::string& name);
    Result<Building> CreateBuilding(const auth::Principal& who, int64_t grid_id,
                                    const std::string& name, int floors);

    Result<ResidentPage> ListResidents(const auth::Principal& who, const ResidentQuery& query);
    // The store filter for `query` over the places where `who` holds `permission` (limit and
    // offset from the page); `*search` gets the kind of search for the audit row ("", "tail",
    // "exact", "initials", "name"), never the searched text. kInvalidArgument for a bad query.
    Result<ResidentFilter> FilterFor(const auth::Principal& who, const ResidentQuery& query,
                                     std::string_view permission, std::string* search) const;
    // A resident as responses show it (document and phone masked, derived tags added).
    Result<MaskedResident> Mask(const ResidentDetail& detail) const;
    Result<MaskedResident> GetResident(const auth::Principal& who, int64_t id);
    // The full document number and phone; needs residents.unmask over the resident and a stated
    // reason (kInvalidArgument without one); audited with the reason.
    Result<PersonalValues> Unmask(const auth::Principal& who, int64_t id,
                                  const std::string& reason);
    // building_id, room and name are required; unit may be empty.
    Result<MaskedResident> CreateResident(const auth::Principal& who, const ResidentInput& input);
    // Changes the given fields if the stored version is `version`; a stale version is
    // kFailedPrecondition (field "version").
    Result<MaskedResident> UpdateResident(const auth::Principal& who, int64_t id, int64_t version,
                                          const ResidentInput& input);
    Result<std::vector<MaskedDuplicateGroup>> Duplicates(const auth::Principal& who);
    // A new personal code token; the old one stops working. Returns the resident with it.
    Result<Resident> ReissueCode(const auth::Principal& who, int64_t id);

    // The resident a personal code token names, for capabilities that check scope themselves
    // (sampling: the site's round) and write their own audit row; show scanners only
    // ScannerView(detail). kNotFound for an unknown or re-issued token.
    Result<ResidentDetail> ResidentByCode(const std::string& token);

    // Today's date (China time) as yyyymmdd, from the injected clock.
    int32_t Today() const;

    // What the service works with, for the registry's other services (import, export, codes).
    db::Database& database() const { return db_; }
    const auth::PersonalDataCipher& cipher() const { return cipher_; }
    Clock& clock() const { return clock_; }

private:
    Status Audit(const auth::Principal& who, const char* action, int64_t subject_id,
                 std::string detail, std::string reason = {});
    Result<ResidentDetail> LoadForWrite(db::Session& s, const auth::Principal& who, int64_t id);

    db::Database& db_;
    const auth::PersonalDataCipher& cipher_;
    Clock& clock_;
};

}  // namespace bulwark::registry
