#include "registry/import/import_plan.hpp"

#include <unordered_map>

#include "registry/id_number.hpp"
#include "registry/import/cell_text.hpp"
#include "registry/import/import_store.hpp"
#include "registry/registry_store.hpp"
#include "registry/resident_input.hpp"
#include "registry/sealing.hpp"

namespace bulwark::registry {
namespace {

constexpr const char* kImport = "residents.import";

std::string HouseholdKey(int64_t building_ref, const std::string& unit, const std::string& room) {
    return std::to_string(building_ref) + '\x1f' + unit + '\x1f' + room;
}

std::string DigitsOf(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c >= '0' && c <= '9') out += c;
    }
    return out;
}

// A row after the first pass: its place resolved, its fields checked and normalised.
struct Prepared {
    const ImportRow* row = nullptr;
    Resident fresh;  // as if created
    PersonalValues personal;
    int64_t building_ref = 0;
    std::string unit;
    std::string room;
    std::string doc_idx;  // "" without a document
    bool ok = false;
};

class Planner {
public:
    Planner(db::Session& s, const auth::PersonalDataCipher& cipher, const auth::Principal& who,
            const ColumnMapping& mapping, const PlanOptions& options)
        : s_(s), cipher_(cipher), who_(who), mapping_(mapping), options_(options) {}

    Result<ImportPlan> Run(const std::vector<ImportRow>& rows);

private:
    void Fail(int row, const std::string& field, const std::string& message) {
        ImportField f;
        int column = ParseImportFieldKey(field, &f) ? mapping_[f] : -1;
        plan_.errors.push_back(
            {.row = row, .column = column, .field = field, .message = RowMessage(row, message)});
    }
    Status Load();
    // The building a row names (an id, or a negative reference to a planned one); 0 on error.
    int64_t ResolveBuilding(const ImportRow& row);
    int64_t ResolveGrid(const ImportRow& row, const std::string& building);
    int64_t HouseholdRef(int64_t building_ref, const std::string& unit, const std::string& room);
    void Prepare(const ImportRow& row, Prepared* p);
    Status Classify(Prepared& p);
    void PlaceIds(int64_t building_ref, Resident* r) const;

    db::Session& s_;
    const auth::PersonalDataCipher& cipher_;
    const auth::Principal& who_;
    const ColumnMapping& mapping_;
    const PlanOptions& options_;
    ImportPlan plan_;
    ImportStore::CommunityPlaces places_;
    std::unordered_map<std::string, int64_t> building_by_key_;
    std::unordered_map<int64_t, const Building*> building_by_id_;
    std::unordered_map<std::string, int64_t> new_grid_by_name_;
    std::unordered_map<std::string, int64_t> household_by_key_;  // id or negative reference
    std::unordered_map<std::string, int> doc_rows_;              // blind index -> first row
    std::unordered_map<std::string, int> nodoc_rows_;            // household + name -> first row
    std::unordered_map<std::string, ResidentDetail> by_doc_;
    std::unordered_map<std::string, ResidentDetail> by_household_name_;
};

Status Planner::Load() {
    ASSIGN_OR_RETURN(places_, ImportStore::LoadCommunity(s_, options_.community_id));
    auth::Placement where{.street_id = places_.community.street_id,
                          .community_id = places_.community.id};
    if (!who_.CanAt(kImport, where)) return NotFound("社区未找到");
    for (const Building& b : places_.buildings) {
        building_by_key_.emplace(BuildingKey(b.name), b.id);
        building_by_id_[b.id] = &b;
    }
    for (const Household& h : places_.households) {
        household_by_key_[HouseholdKey(h.building_id, h.unit, h.room)] = h.id;
    }
    return Ok();
}

int64_t Planner::ResolveGrid(const ImportRow& row, const std::string& building) {
    std::string name = CleanCellText(row.grid);
    if (name.empty()) {
        if (places_.grids.size() == 1) return places_.grids.front().id;
        Fail(row.row, "grid", "网格: 社区中还没有楼栋「" + building + "」, 新建楼栋须填写所属网格");
        return 0;
    }
    for (const Grid& g : places_.grids) {
        if (g.name == name) return g.id;
    }
    if (DigitsOf(name) == name) {  // "1" for "第1网格"
        const Grid* only = nullptr;
        int matches = 0;
        for (const Grid& g : places_.grids) {
            if (DigitsOf(g.name) == name) {
                only = &g;
                ++matches;
            }
        }
        if (matches == 1) return only->id;
        name = "第" + name + "网格";
    }
    if (auto it = new_grid_by_name_.find(name); it != new_grid_by_name_.end()) return it->second;
    auto label = CleanLabel(name, "grid", "网格", 50);
    if (!label.ok()) {
        Fail(row.row, "grid", label.error().message);
        return 0;
    }
    plan_.new_grids.push_back({.community_id = places_.community.id, .name = *label});
    int64_t ref = -static_cast<int64_t>(plan_.new_grids.size());
    new_grid_by_name_[name] = ref;
    return ref;
}

int64_t Planner::ResolveBuilding(const ImportRow& row) {
    if (row.building.empty()) {
        Fail(row.row, "building", "楼栋: 不能为空");
        return 0;
    }
    std::string key = BuildingKey(row.building);
    if (auto it = building_by_key_.find(key); it != building_by_key_.end()) return it->second;
    auto name = CleanLabel(row.building, "building", "楼栋", 50);
    if (!name.ok()) {
        Fail(row.row, "building", name.error().message);
        return 0;
    }
    int64_t grid = ResolveGrid(row, *name);
    if (grid == 0) return 0;
    plan_.new_buildings.push_back({.street_id = places_.community.street_id,
                                   .community_id = places_.community.id,
                                   .grid_id = grid,
                                   .name = *name});
    int64_t ref = -static_cast<int64_t>(plan_.new_buildings.size());
    building_by_key_[key] = ref;
    return ref;
}

int64_t Planner::HouseholdRef(int64_t building_ref, const std::string& unit,
                              const std::string& room) {
    std::string key = HouseholdKey(building_ref, unit, room);
    if (auto it = household_by_key_.find(key); it != household_by_key_.end()) return it->second;
    plan_.new_households.push_back(
        {.building_id = building_ref, .unit = unit, .room = room, .floor = FloorOfRoom(room)});
    if (building_ref < 0) {
        Building& b = plan_.new_buildings[static_cast<size_t>(-building_ref - 1)];
        b.floors = std::max(b.floors, FloorOfRoom(room));
    }
    int64_t ref = -static_cast<int64_t>(plan_.new_households.size());
    household_by_key_[key] = ref;
    return ref;
}

void Planner::Prepare(const ImportRow& row, Prepared* p) {
    p->row = &row;
    size_t errors_before = plan_.errors.size();
    p->building_ref = ResolveBuilding(row);
    auto unit = CleanLabel(row.unit, "unit", "单元", 20, false);
    if (!unit.ok()) Fail(row.row, "unit", unit.error().message);
    auto room = CleanLabel(row.room, "room", "房号", 20);
    if (!room.ok()) Fail(row.row, "room", room.error().message);
    Status checked = ApplyResidentInput(row.input, true, options_.today, &p->fresh, &p->personal);
    if (!checked.ok()) Fail(row.row, checked.error().field, checked.error().message);
    if (plan_.errors.size() != errors_before) return;
    p->unit = *unit;
    p->room = *room;
    if (p->fresh.doc_type != DocType::kNone) {
        p->doc_idx = cipher_.BlindIndex(p->personal.doc_number);
        auto [it, first] = doc_rows_.emplace(p->doc_idx, row.row);
        if (!first) {
            Fail(row.row, "doc_number",
                 std::string(p->fresh.doc_type == DocType::kIdCard ? "身份证号" : "证件号码") +
                     ": 与第 " + std::to_string(it->second) + " 行重复");
            return;
        }
    } else {
        std::string key = HouseholdKey(p->building_ref, p->unit, p->room) + '\x1f' + p->fresh.name;
        auto [it, first] = nodoc_rows_.emplace(key, row.row);
        if (!first) {
            Fail(row.row, "name",
                 "姓名: 与第 " + std::to_string(it->second) +
                     " 行同户同名且都没有证件号码, 无法区分是否同一人");
            return;
        }
    }
    p->ok = true;
}

void Planner::PlaceIds(int64_t building_ref, Resident* r) const {
    if (building_ref <= 0) return;  // a planned building: ApplyPlan fills the ids
    const Building* b = building_by_id_.at(building_ref);
    r->building_id = b->id;
    r->grid_id = b->grid_id;
    r->community_id = b->community_id;
    r->street_id = b->street_id;
}

Status Planner::Classify(Prepared& p) {
    const int row = p.row->row;
    const ResidentDetail* current = nullptr;
    if (!p.doc_idx.empty()) {
        if (auto it = by_doc_.find(p.doc_idx); it != by_doc_.end()) current = &it->second;
    } else {
        auto it = by_household_name_.find(HouseholdKey(p.building_ref, p.unit, p.room) + '\x1f' +
                                          p.fresh.name);
        if (it != by_household_name_.end()) current = &it->second;
    }
    ImportPlan::Change change{.building_ref = p.building_ref, .row = row};
    if (current == nullptr) {
        Resident& r = change.resident;
        r = std::move(p.fresh);
        if (options_.seal) {
            SealDocument(cipher_, r.doc_type, p.personal.doc_number, &r);
            SealPhone(cipher_, p.personal.phone, &r);
            r.code_token = NewCodeToken();
        }
        r.code_issued_at = r.created_at = r.updated_at = options_.now;
        r.version = 1;
        change.household_ref = HouseholdRef(p.building_ref, p.unit, p.room);
        PlaceIds(p.building_ref, &r);
        ++plan_.summary.created;
        plan_.creates.push_back(std::move(change));
        return Ok();
    }
    if (!who_.CanAt(kImport, current->resident.placement())) {
        Fail(row, "doc_number",
             "证件号码: 该居民已登记在您管辖范围以外的社区, 请联系该社区办理迁出");
        return Ok();
    }
    const Resident& old = current->resident;
    ASSIGN_OR_RETURN(Unsealed plain, Unseal(cipher_, old));
    Resident r = old;
    PersonalValues personal{.doc_number = plain.doc_number, .phone = plain.phone};
    Status applied = ApplyResidentInput(p.row->input, false, options_.today, &r, &personal);
    if (!applied.ok()) {
        Fail(row, applied.error().field, applied.error().message);
        return Ok();
    }
    // A sheet without a unit column keeps the unit a resident has in the same building.
    std::string unit = p.unit;
    if (mapping_[ImportField::kUnit] < 0 && p.building_ref == old.building_id) unit = current->unit;
    change.household_ref = HouseholdRef(p.building_ref, unit, p.room);
    const bool document_changed =
        personal.doc_number != plain.doc_number || r.doc_type != old.doc_type;
    const bool phone_changed = personal.phone != plain.phone;
    const bool changed = change.household_ref != old.household_id || document_changed ||
                         phone_changed || r.name != old.name || r.sex != old.sex ||
                         r.birth_date != old.birth_date || r.residency != old.residency ||
                         r.presence != old.presence || r.tags != old.tags || r.notes != old.notes;
    if (!changed) {
        ++plan_.summary.unchanged;
        return Ok();
    }
    if (options_.seal) {
        if (document_changed) SealDocument(cipher_, r.doc_type, personal.doc_number, &r);
        if (phone_changed) SealPhone(cipher_, personal.phone, &r);
    }
    r.updated_at = options_.now;
    PlaceIds(p.building_ref, &r);
    change.resident = std::move(r);
    change.expected_version = old.version;
    ++plan_.summary.updated;
    plan_.updates.push_back(std::move(change));
    return Ok();
}

Result<ImportPlan> Planner::Run(const std::vector<ImportRow>& rows) {
    RETURN_IF_ERROR(Load());
    plan_.now = options_.now;
    std::vector<Prepared> prepared(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) Prepare(rows[i], &prepared[i]);

    std::vector<std::string> indexes;
    bool any_without_document = false;
    for (const Prepared& p : prepared) {
        if (!p.ok) continue;
        if (p.doc_idx.empty()) {
            any_without_document = true;
        } else {
            indexes.push_back(p.doc_idx);
        }
    }
    ASSIGN_OR_RETURN(auto found, ImportStore::FindByDocIndexes(s_, indexes));
    for (ResidentDetail& d : found) {
        std::string idx = d.resident.doc_idx;
        by_doc_.emplace(std::move(idx), std::move(d));
    }
    if (any_without_document) {
        ASSIGN_OR_RETURN(auto infants, ImportStore::ListWithoutDocument(s_, options_.community_id));
        for (ResidentDetail& d : infants) {
            std::string key =
                HouseholdKey(d.resident.building_id, d.unit, d.room) + '\x1f' + d.resident.name;
            by_household_name_.emplace(std::move(key), std::move(d));
        }
    }
    for (Prepared& p : prepared) {
        if (p.ok) RETURN_IF_ERROR(Classify(p));
    }
    plan_.summary.grids_created = static_cast<int>(plan_.new_grids.size());
    plan_.summary.buildings_created = static_cast<int>(plan_.new_buildings.size());
    plan_.summary.households_created = static_cast<int>(plan_.new_households.size());
    std::stable_sort(plan_.errors.begin(), plan_.errors.end(),
                     [](const RowError& a, const RowError& b) { return a.row < b.row; });
    return std::move(plan_);
}

}  // namespace

Result<ImportPlan> PlanImport(db::Session& s, const auth::PersonalDataCipher& cipher,
                              const auth::Principal& who, const std::vector<ImportRow>& rows,
                              const ColumnMapping& mapping, const PlanOptions& options) {
    Planner planner(s, cipher, who, mapping, options);
    return planner.Run(rows);
}

}  // namespace bulwark::registry
