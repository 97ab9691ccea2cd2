#include "registry/sampling_access.hpp"

#include <algorithm>

#include "registry/id_number.hpp"
#include "registry/registry_store.hpp"
#include "registry/resident_input.hpp"
#include "registry/sampling_access_store.hpp"
#include "registry/sealing.hpp"

namespace bulwark::registry {
namespace {

// Where floating people without an address are placed until someone checks them.
constexpr const char* kFloatingGrid = "流动人员";
constexpr const char* kFloatingBuilding = "临时登记";
constexpr const char* kUncheckedRoom = "待核实";

// The grid and building for floating people of a community, created on first use.
Result<Building> FloatingBuilding(db::Session& s, int64_t community_id, int64_t street_id,
                                  int64_t now) {
    ASSIGN_OR_RETURN(auto building_id,
                     SamplingAccessStore::BuildingNamed(s, community_id, kFloatingBuilding));
    if (building_id) {
        ASSIGN_OR_RETURN(auto building, RegistryStore::GetBuilding(s, *building_id));
        if (building) return *building;
    }
    ASSIGN_OR_RETURN(auto grid_id, SamplingAccessStore::GridNamed(s, community_id, kFloatingGrid));
    if (!grid_id) {
        ASSIGN_OR_RETURN(Grid grid,
                         RegistryStore::InsertGrid(
                             s, {.community_id = community_id, .name = kFloatingGrid}, now));
        grid_id = grid.id;
    }
    return RegistryStore::InsertBuilding(s,
                                         {.street_id = street_id,
                                          .community_id = community_id,
                                          .grid_id = *grid_id,
                                          .name = kFloatingBuilding},
                                         now);
}

}  // namespace

ScannerResidentView SamplingSubject::View() const {
    return {.resident_id = id,
            .masked_name = auth::MaskName(name),
            .building = building,
            .room = room,
            .moved_out = presence == Presence::kMovedOut};
}

uint32_t SamplingSubject::EffectiveTagsOn(int32_t today) const {
    return EffectiveTags(stored_tags, birth_date, today);
}

SamplingAccess::SamplingAccess(const auth::PersonalDataCipher& cipher, Clock& clock)
    : cipher_(cipher), clock_(clock) {}

Result<std::optional<SamplingSubject>> SamplingAccess::ByCode(db::Session& s,
                                                              const std::string& token) const {
    if (token.empty() || token.size() > 64) return std::optional<SamplingSubject>();
    return SamplingAccessStore::ByCode(s, token);
}

void SamplingAccess::ByCodes(db::Batch& batch, const std::vector<std::string>& tokens,
                             std::unordered_map<std::string, SamplingSubject>* out) const {
    std::vector<std::string> valid;
    for (const std::string& t : tokens) {
        if (!t.empty() && t.size() <= 64) valid.push_back(t);
    }
    SamplingAccessStore::ByCodes(batch, valid, out);
}

Result<std::optional<SamplingSubject>> SamplingAccess::ById(db::Session& s, int64_t id) const {
    return SamplingAccessStore::ById(s, id);
}

Result<std::optional<SamplingSubject>> SamplingAccess::ByDocument(
    db::Session& s, const std::string& doc_number) const {
    std::string doc = NormaliseDocument(doc_number);
    if (doc.size() < 5 || doc.size() > 30) return std::optional<SamplingSubject>();
    ASSIGN_OR_RETURN(auto id, RegistryStore::FindIdByDocIndex(s, cipher_.BlindIndex(doc)));
    if (!id) return std::optional<SamplingSubject>();
    return SamplingAccessStore::ById(s, *id);
}

Result<std::vector<SamplingSubject>> SamplingAccess::AtAddress(db::Session& s,
                                                               const std::string& name,
                                                               int64_t building_id,
                                                               const std::string& room,
                                                               int limit) const {
    std::string clean_name = NormaliseName(name);
    std::string clean_room = FoldFullWidth(room);
    clean_room.erase(std::remove(clean_room.begin(), clean_room.end(), ' '), clean_room.end());
    if (clean_name.empty() || clean_room.empty()) return std::vector<SamplingSubject>();
    return SamplingAccessStore::AtAddress(s, clean_name, building_id, clean_room, limit);
}

Result<std::optional<auth::Placement>> SamplingAccess::CommunityPlacement(
    db::Session& s, int64_t community_id) const {
    ASSIGN_OR_RETURN(auto community, RegistryStore::GetCommunity(s, community_id));
    if (!community) return std::optional<auth::Placement>();
    return std::optional<auth::Placement>(
        auth::Placement{.street_id = community->street_id, .community_id = community->id});
}

Result<std::vector<Building>> SamplingAccess::BuildingsOf(db::Session& s,
                                                          int64_t community_id) const {
    ScopeFilter scope;
    scope.communities = {community_id};
    return RegistryStore::ListBuildings(s, scope);
}

Result<std::vector<Grid>> SamplingAccess::GridsOf(db::Session& s, int64_t community_id) const {
    ASSIGN_OR_RETURN(std::vector<int64_t> ids, RegistryStore::GridIdsOfCommunity(s, community_id));
    std::vector<Grid> out;
    for (int64_t id : ids) {
        ASSIGN_OR_RETURN(auto grid, RegistryStore::GetGrid(s, id));
        if (grid) out.push_back(*grid);
    }
    return out;
}

Result<std::vector<int64_t>> SamplingAccess::NotResidentsOf(db::Session& s, int64_t community_id,
                                                            const std::vector<int64_t>& ids) const {
    ASSIGN_OR_RETURN(auto found, SamplingAccessStore::Communities(s, ids));
    std::vector<int64_t> out;
    for (int64_t id : ids) {
        bool ok = std::any_of(found.begin(), found.end(), [&](const auto& p) {
            return p.first == id && p.second == community_id;
        });
        if (!ok) out.push_back(id);
    }
    return out;
}

Result<SamplingSubject> SamplingAccess::RegisterFloating(db::Session& s, int64_t community_id,
                                                         const FloatingInput& in,
                                                         bool* existing) const {
    *existing = false;
    const int64_t now = clock_.NowMillis();
    ResidentInput input;
    input.name = in.name;
    if (!in.doc_type.empty()) input.doc_type = in.doc_type;
    if (!in.doc_number.empty()) input.doc_number = in.doc_number;
    input.phone = in.phone;
    input.residency = "floating";
    Resident r;
    PersonalValues personal;
    RETURN_IF_ERROR(ApplyResidentInput(input, true, DateFromMillis(now), &r, &personal));
    if (personal.phone.empty()) return InvalidArgument("请填写联系电话", "phone");
    SealDocument(cipher_, r.doc_type, personal.doc_number, &r);
    SealPhone(cipher_, personal.phone, &r);
    if (r.doc_type != DocType::kNone && !r.doc_idx.empty()) {
        ASSIGN_OR_RETURN(auto holder, RegistryStore::FindIdByDocIndex(s, r.doc_idx));
        if (holder) {
            ASSIGN_OR_RETURN(auto subject, SamplingAccessStore::ById(s, *holder));
            if (!subject) return Internal("residents: holder of a document vanished");
            *existing = true;
            return *subject;
        }
    }

    ASSIGN_OR_RETURN(auto placement, CommunityPlacement(s, community_id));
    if (!placement) return NotFound("社区未找到");
    Building building;
    std::string room = kUncheckedRoom;
    if (in.building_id != 0) {
        ASSIGN_OR_RETURN(auto found, RegistryStore::GetBuilding(s, in.building_id));
        if (!found || found->community_id != community_id) {
            return Error(ErrorCode::kNotFound, "楼栋未找到", "building_id");
        }
        building = *found;
        ASSIGN_OR_RETURN(room, CleanLabel(in.room, "room", "房号", 20));
    } else {
        ASSIGN_OR_RETURN(building, FloatingBuilding(s, community_id, placement->street_id, now));
    }
    ASSIGN_OR_RETURN(
        Household h,
        RegistryStore::FindOrCreateHousehold(
            s, {.building_id = building.id, .room = room, .floor = FloorOfRoom(room)}));
    r.household_id = h.id;
    r.building_id = building.id;
    r.grid_id = building.grid_id;
    r.community_id = building.community_id;
    r.street_id = building.street_id;
    r.code_token = NewCodeToken();
    r.code_issued_at = r.created_at = r.updated_at = now;
    r.version = 1;
    ASSIGN_OR_RETURN(r.id, RegistryStore::InsertResident(s, r));
    SamplingSubject subject;
    subject.id = r.id;
    subject.street_id = r.street_id;
    subject.community_id = r.community_id;
    subject.grid_id = r.grid_id;
    subject.building_id = r.building_id;
    subject.name = r.name;
    subject.building = building.name;
    subject.room = room;
    subject.presence = r.presence;
    subject.stored_tags = r.tags;
    subject.birth_date = r.birth_date;
    return subject;
}

}  // namespace bulwark::registry
