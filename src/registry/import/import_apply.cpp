// ApplyPlan: the writes of an import, inside the caller's one transaction.
#include <span>

#include "registry/import/import_plan.hpp"
#include "registry/import/import_store.hpp"
#include "registry/registry_store.hpp"

namespace bulwark::registry {
namespace {

// Rows per InsertResidentsBulk call: progress is reported between them.
constexpr size_t kProgressChunk = 2000;

}  // namespace

Status ApplyPlan(db::Session& s, ImportPlan& plan, const std::function<void(int)>& progress) {
    if (!plan.errors.empty()) return FailedPrecondition("导入数据有错误, 未写入任何内容");
    // Places first: grids, then buildings (whose grid may be new), then households.
    std::vector<int64_t> grid_ids;
    for (Grid& g : plan.new_grids) {
        ASSIGN_OR_RETURN(Grid stored, RegistryStore::InsertGrid(s, g, plan.now));
        g.id = stored.id;
        grid_ids.push_back(stored.id);
    }
    for (Building& b : plan.new_buildings) {
        if (b.grid_id < 0) b.grid_id = grid_ids[static_cast<size_t>(-b.grid_id - 1)];
        ASSIGN_OR_RETURN(Building stored, RegistryStore::InsertBuilding(s, b, plan.now));
        b.id = stored.id;
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> household_ids,
                     ImportStore::ReserveIds(s, "households", plan.new_households.size()));
    for (size_t i = 0; i < plan.new_households.size(); ++i) {
        Household& h = plan.new_households[i];
        h.id = household_ids[i];
        if (h.building_id < 0) h.building_id = plan.new_buildings[-h.building_id - 1].id;
    }
    RETURN_IF_ERROR(RegistryStore::InsertHouseholdsBulk(s, plan.new_households));

    auto resolve = [&plan](ImportPlan::Change& c) {
        Resident& r = c.resident;
        r.household_id = c.household_ref > 0
                             ? c.household_ref
                             : plan.new_households[static_cast<size_t>(-c.household_ref - 1)].id;
        if (c.building_ref < 0) {
            const Building& b = plan.new_buildings[static_cast<size_t>(-c.building_ref - 1)];
            r.building_id = b.id;
            r.grid_id = b.grid_id;
            r.community_id = b.community_id;
            r.street_id = b.street_id;
        }
    };

    ASSIGN_OR_RETURN(std::vector<int64_t> resident_ids,
                     ImportStore::ReserveIds(s, "residents", plan.creates.size()));
    std::vector<Resident> batch;
    batch.reserve(std::min(kProgressChunk, plan.creates.size()));
    int done = 0;
    for (size_t i = 0; i < plan.creates.size(); ++i) {
        ImportPlan::Change& c = plan.creates[i];
        resolve(c);
        c.resident.id = resident_ids[i];
        batch.push_back(std::move(c.resident));
        if (batch.size() == kProgressChunk || i + 1 == plan.creates.size()) {
            RETURN_IF_ERROR(RegistryStore::InsertResidentsBulk(s, batch));
            done += static_cast<int>(batch.size());
            batch.clear();
            if (progress) progress(done);
        }
    }
    for (ImportPlan::Change& c : plan.updates) {
        resolve(c);
        ASSIGN_OR_RETURN(bool updated,
                         RegistryStore::UpdateResident(s, c.resident, c.expected_version));
        if (!updated) {
            return FailedPrecondition("第 " + std::to_string(c.row) +
                                      " 行的居民刚被他人修改, 请重新检查后再导入");
        }
        if (++done % static_cast<int>(kProgressChunk) == 0 && progress) progress(done);
    }
    if (progress) progress(done);
    if (plan.creates.size() + plan.new_households.size() >= kProgressChunk) {
        RETURN_IF_ERROR(ImportStore::RefreshStatistics(s));
    }
    return Ok();
}

}  // namespace bulwark::registry
