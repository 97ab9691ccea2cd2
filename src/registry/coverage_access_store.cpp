#include "registry/coverage_access_store.hpp"

#include <algorithm>

namespace bulwark::registry {
namespace {

constexpr const char* kPersonColumns =
    "SELECT r.id, r.street_id, r.community_id, r.grid_id, r.building_id, r.name, b.name, h.unit, "
    "h.room, h.floor, r.presence, r.residency, r.tags, r.birth_date, r.created_at "
    "FROM buildings b JOIN residents r ON r.building_id = b.id "
    "JOIN households h ON h.id = r.household_id ";

CoveragePerson PersonFrom(const db::Row& row) {
    CoveragePerson p;
    p.id = row.Int(0);
    p.street_id = row.Int(1);
    p.community_id = row.Int(2);
    p.grid_id = row.Int(3);
    p.building_id = row.Int(4);
    p.name = row.Text(5);
    p.building = row.Text(6);
    p.unit = row.Text(7);
    p.room = row.Text(8);
    p.floor = static_cast<int>(row.Int(9));
    ParsePresence(row.Text(10), &p.presence);
    ParseResidency(row.Text(11), &p.residency);
    p.stored_tags = static_cast<uint32_t>(row.Int(12));
    p.birth_date = static_cast<int32_t>(row.Int(13));
    p.created_at = row.Int(14);
    return p;
}

// "(?, ?, ...)" for `ids`, padded with -1 to a power of two (few distinct SQL texts).
void AppendIds(const std::vector<int64_t>& ids, std::string* sql, db::Params* params) {
    size_t size = 1;
    while (size < ids.size()) size *= 2;
    *sql += "(";
    for (size_t i = 0; i < size; ++i) {
        *sql += i == 0 ? "?" : ", ?";
        params->emplace_back(i < ids.size() ? ids[i] : int64_t{-1});
    }
    *sql += ")";
}

}  // namespace

Result<std::vector<CoveragePerson>> CoverageAccessStore::ResidentsOf(db::Session& s,
                                                                     int64_t community_id) {
    ASSIGN_OR_RETURN(
        db::Rows rows,
        s.Query(std::string(kPersonColumns) + "WHERE b.community_id = ?", {community_id}));
    std::vector<CoveragePerson> out;
    out.reserve(rows.size());
    for (const db::Row& row : rows) out.push_back(PersonFrom(row));
    return out;
}

Result<ResidentsStamp> CoverageAccessStore::StampOf(db::Session& s, int64_t community_id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT COUNT(*), COALESCE(MAX(r.updated_at), 0), "
                                          "COALESCE(MAX(r.id), 0) FROM buildings b "
                                          "JOIN residents r ON r.building_id = b.id "
                                          "WHERE b.community_id = ?",
                                          {community_id}));
    ResidentsStamp stamp;
    if (row) {
        stamp.count = row->Int(0);
        stamp.last_update = row->Int(1);
        stamp.last_id = row->Int(2);
    }
    return stamp;
}

Result<std::optional<CoveragePerson>> CoverageAccessStore::Person(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string(kPersonColumns) + "WHERE r.id = ?", {id}));
    if (!row) return std::optional<CoveragePerson>();
    return std::optional<CoveragePerson>(PersonFrom(*row));
}

Result<std::vector<std::pair<int64_t, std::string>>> CoverageAccessStore::SealedPhones(
    db::Session& s, const std::vector<int64_t>& ids) {
    std::vector<std::pair<int64_t, std::string>> out;
    constexpr size_t kChunk = 256;
    for (size_t at = 0; at < ids.size(); at += kChunk) {
        std::vector<int64_t> part(
            ids.begin() + static_cast<std::ptrdiff_t>(at),
            ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), at + kChunk)));
        std::string sql =
            "SELECT id, phone_enc FROM residents WHERE phone_enc IS NOT NULL AND id IN ";
        db::Params params;
        AppendIds(part, &sql, &params);
        ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
        for (const db::Row& row : rows) out.emplace_back(row.Int(0), row[1].AsBlob().bytes);
    }
    return out;
}

}  // namespace bulwark::registry
