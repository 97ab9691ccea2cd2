#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/personal_data.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/model.hpp"

namespace bulwark::registry {

// What coverage and follow-up need of a resident: the place down to the unit and floor, presence,
// residency, tags and when the record was made. The name is unmasked (mask it before showing
// it); never the document or phone.
struct CoveragePerson {
    int64_t id = 0;
    int64_t street_id = 0;
    int64_t community_id = 0;
    int64_t grid_id = 0;
    int64_t building_id = 0;
    std::string name;
    std::string building;  // "3栋"
    std::string unit;      // "2单元" or ""
    std::string room;      // "1203"
    int floor = 0;
    Presence presence = Presence::kPresent;
    Residency residency = Residency::kPermanent;
    uint32_t stored_tags = 0;
    int32_t birth_date = 0;
    int64_t created_at = 0;
};

// A cheap fingerprint of a community's residents: it changes when one is added, removed or
// changed (every change sets updated_at).
struct ResidentsStamp {
    int64_t count = 0;
    int64_t last_update = 0;
    int64_t last_id = 0;
    bool operator==(const ResidentsStamp&) const = default;
};

// The registry's answers for coverage and follow-up (testing/followup), run inside the caller's
// transaction. The caller checks scope and writes its audit rows. Thread-safe (holds only
// references to thread-safe things).
class CoverageAccess {
public:
    CoverageAccess(const auth::PersonalDataCipher& cipher, Clock& clock);

    // Every resident of a community (moved-out ones included), by building, unit, room, id.
    Result<std::vector<CoveragePerson>> ResidentsOf(db::Session& s, int64_t community_id) const;
    Result<ResidentsStamp> StampOf(db::Session& s, int64_t community_id) const;
    Result<std::optional<CoveragePerson>> Person(db::Session& s, int64_t id) const;
    // Plaintext phones of `ids` ("" where none is stored); kInternal if one does not decrypt.
    Result<std::map<int64_t, std::string>> Phones(db::Session& s,
                                                  const std::vector<int64_t>& ids) const;
    // Records that the resident moved out (迁出): presence moved_out, version bumped. False when
    // there is no such resident; true (and no change) when already moved out.
    Result<bool> MarkMovedOut(db::Session& s, int64_t id) const;

    Result<std::optional<Community>> CommunityById(db::Session& s, int64_t id) const;
    Result<std::vector<Community>> CommunitiesOf(db::Session& s, int64_t street_id) const;
    // A community's grids and buildings, in id order.
    Result<std::vector<Grid>> GridsOf(db::Session& s, int64_t community_id) const;
    Result<std::vector<Building>> BuildingsOf(db::Session& s, int64_t community_id) const;

private:
    const auth::PersonalDataCipher& cipher_;
    Clock& clock_;
};

}  // namespace bulwark::registry
