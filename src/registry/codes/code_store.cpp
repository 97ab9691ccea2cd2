#include "registry/codes/code_store.hpp"

#include "registry/registry_store_internal.hpp"

namespace bulwark::registry {
namespace {

constexpr const char* kCardOrder =
    " ORDER BY length(h.unit), h.unit, h.floor, length(h.room), h.room, r.name_sort, r.id"
    " LIMIT ?";

Result<std::vector<ResidentDetail>> Residents(db::Session& s, const char* where, int64_t id,
                                              int limit) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(std::string("SELECT ") + internal::kDetailColumns +
                                                internal::kDetailJoins + where + kCardOrder,
                                            {id, static_cast<int64_t>(limit)}));
    std::vector<ResidentDetail> out;
    out.reserve(rows.size());
    for (const db::Row& row : rows) out.push_back(internal::FromResidentRow(row));
    return out;
}

}  // namespace

Result<std::vector<ResidentDetail>> CodeStore::ResidentsOfHousehold(db::Session& s,
                                                                    int64_t household_id,
                                                                    int limit) {
    return Residents(s, " WHERE r.household_id = ?", household_id, limit);
}

Result<std::vector<ResidentDetail>> CodeStore::ResidentsOfBuilding(db::Session& s,
                                                                   int64_t building_id, int limit) {
    return Residents(s, " WHERE r.building_id = ?", building_id, limit);
}

}  // namespace bulwark::registry
