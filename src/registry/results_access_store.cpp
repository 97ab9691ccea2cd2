#include "registry/results_access.hpp"

#include "registry/sampling_access_store.hpp"

namespace bulwark::registry {

Result<std::vector<SamplingSubject>> ResultsAccess::HouseholdOf(db::Session& s,
                                                                int64_t resident_id) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query("SELECT o.id FROM residents r JOIN residents o "
                             "ON o.household_id = r.household_id "
                             "WHERE r.id = ? AND o.id <> r.id ORDER BY o.id LIMIT 50",
                             {resident_id}));
    std::vector<int64_t> ids;
    for (const db::Row& row : rows) ids.push_back(row.Int(0));
    return Subjects(s, ids);
}

Result<std::vector<SamplingSubject>> ResultsAccess::Subjects(db::Session& s,
                                                             const std::vector<int64_t>& ids) {
    std::vector<SamplingSubject> out;
    out.reserve(ids.size());
    for (int64_t id : ids) {
        ASSIGN_OR_RETURN(auto subject, SamplingAccessStore::ById(s, id));
        if (subject) out.push_back(std::move(*subject));
    }
    return out;
}

}  // namespace bulwark::registry
