#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/personal_data.hpp"
#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/batch.hpp"
#include "db/database.hpp"
#include "registry/model.hpp"

namespace bulwark::registry {

// What sampling needs of a resident: the place (for a round's scope), presence and tags (for
// warnings and single-tube groups) and the ScannerView fields. Never the document or phone.
struct SamplingSubject {
    int64_t id = 0;
    int64_t street_id = 0;
    int64_t community_id = 0;
    int64_t grid_id = 0;
    int64_t building_id = 0;
    std::string name;      // unmasked: mask it (View) before a scanner sees it
    std::string building;  // "3栋"
    std::string room;      // "1203"
    Presence presence = Presence::kPresent;
    uint32_t stored_tags = 0;
    int32_t birth_date = 0;

    // What a scanner may see: the name masked, building and room, moved out or not.
    ScannerResidentView View() const;
    // Stored tags plus the derived 60+/80+ as of `today` (yyyymmdd).
    uint32_t EffectiveTagsOn(int32_t today) const;
};

// A person met at a sampling site who is not registered (流动人员), with the few fields taken on
// the spot. Without a building they are placed in their community's "流动人员 / 临时登记"
// building, room "待核实", for data verification to correct later.
struct FloatingInput {
    std::string name;
    std::string doc_type;  // "id_card", "passport", ... or "" (id_card when a number is given)
    std::string doc_number;
    std::string phone;
    int64_t building_id = 0;
    std::string room;
};

// The registry's answers for the sampling capability (testing/), run inside the caller's
// transaction so that a scan is one read and one write. The caller checks its own scope (the
// round's community, the site's scanners), writes its own audit rows, and shows scanners only
// SamplingSubject::View(). Thread-safe (holds only references to thread-safe things).
class SamplingAccess {
public:
    SamplingAccess(const auth::PersonalDataCipher& cipher, Clock& clock);

    // The resident of a personal code token (nullopt for an unknown or re-issued one).
    Result<std::optional<SamplingSubject>> ByCode(db::Session& s, const std::string& token) const;
    Result<std::optional<SamplingSubject>> ById(db::Session& s, int64_t id) const;
    // ByCode for several tokens at once, added to `batch`: `out` (which must outlive the
    // run) gets the residents found, by token.
    void ByCodes(db::Batch& batch, const std::vector<std::string>& tokens,
                 std::unordered_map<std::string, SamplingSubject>* out) const;
    // The resident holding this document number, exactly (through the blind index); nullopt
    // when none or when the text is not a document number.
    Result<std::optional<SamplingSubject>> ByDocument(db::Session& s,
                                                      const std::string& doc_number) const;
    // Residents of `building_id` and `room` whose name is `name` (after normalising), at most
    // `limit`.
    Result<std::vector<SamplingSubject>> AtAddress(db::Session& s, const std::string& name,
                                                   int64_t building_id, const std::string& room,
                                                   int limit) const;

    // Where a community sits ({street, community}); nullopt if there is no such community.
    Result<std::optional<auth::Placement>> CommunityPlacement(db::Session& s,
                                                              int64_t community_id) const;
    // A community's buildings and grids, in id order.
    Result<std::vector<Building>> BuildingsOf(db::Session& s, int64_t community_id) const;
    Result<std::vector<Grid>> GridsOf(db::Session& s, int64_t community_id) const;
    // Of `ids`, those that are not residents of `community_id` (for a round's list of people).
    Result<std::vector<int64_t>> NotResidentsOf(db::Session& s, int64_t community_id,
                                                const std::vector<int64_t>& ids) const;

    // Registers a floating person in `community_id` (residency floating, a new code token).
    // When the document number is already registered, returns that resident and sets
    // *existing. kInvalidArgument naming the field for a bad name, document or phone;
    // kNotFound (field building_id) for a building outside the community.
    Result<SamplingSubject> RegisterFloating(db::Session& s, int64_t community_id,
                                             const FloatingInput& input, bool* existing) const;

private:
    const auth::PersonalDataCipher& cipher_;
    Clock& clock_;
};

}  // namespace bulwark::registry
