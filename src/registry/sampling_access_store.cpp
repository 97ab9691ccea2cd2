#include "registry/sampling_access_store.hpp"

#include <algorithm>

#include "db/sql_rows.hpp"

namespace bulwark::registry {
namespace {

constexpr const char* kSubjectColumns =
    "SELECT r.id, r.street_id, r.community_id, r.grid_id, r.building_id, r.name, b.name, h.room, "
    "r.presence, r.tags, r.birth_date FROM residents r JOIN buildings b ON b.id = r.building_id "
    "JOIN households h ON h.id = r.household_id ";

SamplingSubject SubjectFrom(const db::Row& row) {
    SamplingSubject s;
    s.id = row.Int(0);
    s.street_id = row.Int(1);
    s.community_id = row.Int(2);
    s.grid_id = row.Int(3);
    s.building_id = row.Int(4);
    s.name = row.Text(5);
    s.building = row.Text(6);
    s.room = row.Text(7);
    ParsePresence(row.Text(8), &s.presence);
    s.stored_tags = static_cast<uint32_t>(row.Int(9));
    s.birth_date = static_cast<int32_t>(row.Int(10));
    return s;
}

Result<std::optional<SamplingSubject>> One(db::Session& s, const std::string& where,
                                           const db::Params& params) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string(kSubjectColumns) + where, params));
    if (!row) return std::optional<SamplingSubject>();
    return std::optional<SamplingSubject>(SubjectFrom(*row));
}

}  // namespace

Result<std::optional<SamplingSubject>> SamplingAccessStore::ByCode(db::Session& s,
                                                                   const std::string& token) {
    return One(s, "WHERE r.code_token = ?", {token});
}

Result<std::optional<SamplingSubject>> SamplingAccessStore::ById(db::Session& s, int64_t id) {
    return One(s, "WHERE r.id = ?", {id});
}

void SamplingAccessStore::ByCodes(db::Batch& batch, const std::vector<std::string>& tokens,
                                  std::unordered_map<std::string, SamplingSubject>* out) {
    for (size_t at = 0; at < tokens.size(); at += db::kMaxRowsPerStatement) {
        const size_t n = std::min(db::kMaxRowsPerStatement, tokens.size() - at);
        db::Params params(tokens.begin() + static_cast<long>(at),
                          tokens.begin() + static_cast<long>(at + n));
        batch.Add(
            "SELECT r.id, r.street_id, r.community_id, r.grid_id, r.building_id, r.name, "
            "b.name, h.room, r.presence, r.tags, r.birth_date, r.code_token "
            "FROM residents r JOIN buildings b ON b.id = r.building_id "
            "JOIN households h ON h.id = r.household_id WHERE r.code_token IN (" +
                db::RowPlaceholders(1, n) + ")",
            std::move(params), [out](db::Outcome& o) -> Status {
                for (const db::Row& row : o.rows) {
                    out->emplace(row.Text(11), SubjectFrom(row));
                }
                return Ok();
            });
    }
}

Result<std::vector<SamplingSubject>> SamplingAccessStore::AtAddress(db::Session& s,
                                                                    const std::string& name,
                                                                    int64_t building_id,
                                                                    const std::string& room,
                                                                    int limit) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query(std::string(kSubjectColumns) +
                                 "WHERE r.building_id = ? AND h.room = ? AND r.name = ? "
                                 "ORDER BY r.id LIMIT ?",
                             {building_id, room, name, limit}));
    std::vector<SamplingSubject> out;
    for (const db::Row& row : rows) out.push_back(SubjectFrom(row));
    return out;
}

Result<std::optional<int64_t>> SamplingAccessStore::GridNamed(db::Session& s, int64_t community_id,
                                                              const std::string& name) {
    ASSIGN_OR_RETURN(auto row,
                     s.QueryOne("SELECT id FROM grids WHERE community_id = ? AND name = ?",
                                {community_id, name}));
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(row->Int(0));
}

Result<std::optional<int64_t>> SamplingAccessStore::BuildingNamed(db::Session& s,
                                                                  int64_t community_id,
                                                                  const std::string& name) {
    ASSIGN_OR_RETURN(auto row,
                     s.QueryOne("SELECT id FROM buildings WHERE community_id = ? AND name = ?",
                                {community_id, name}));
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(row->Int(0));
}

Result<std::vector<std::pair<int64_t, int64_t>>> SamplingAccessStore::Communities(
    db::Session& s, const std::vector<int64_t>& ids) {
    std::vector<std::pair<int64_t, int64_t>> out;
    for (int64_t id : ids) {
        ASSIGN_OR_RETURN(auto row,
                         s.QueryOne("SELECT id, community_id FROM residents WHERE id = ?", {id}));
        if (row) out.emplace_back(row->Int(0), row->Int(1));
    }
    return out;
}

}  // namespace bulwark::registry
