#include "registry/import/import_store.hpp"

#include <string_view>

#include "registry/registry_store.hpp"
#include "registry/registry_store_internal.hpp"

namespace bulwark::registry {
namespace {

constexpr size_t kLookupBatch = 256;

const std::string& LookupSql() {
    static const std::string sql = [] {
        std::string s = std::string("SELECT ") + internal::kDetailColumns + internal::kDetailJoins +
                        " WHERE r.doc_type <> 'none' AND r.doc_idx IN (";
        for (size_t i = 0; i < kLookupBatch; ++i) s += i == 0 ? "?" : ",?";
        return s + ")";
    }();
    return sql;
}

}  // namespace

Result<ImportStore::CommunityPlaces> ImportStore::LoadCommunity(db::Session& s,
                                                                int64_t community_id) {
    CommunityPlaces out;
    ASSIGN_OR_RETURN(auto community, RegistryStore::GetCommunity(s, community_id));
    if (!community) return NotFound("社区未找到");
    out.community = *community;
    ASSIGN_OR_RETURN(db::Rows grids, s.Query("SELECT id, community_id, name FROM grids "
                                             "WHERE community_id = ? ORDER BY id",
                                             {community_id}));
    for (const db::Row& r : grids) {
        out.grids.push_back({.id = r.Int(0), .community_id = r.Int(1), .name = r.Text(2)});
    }
    ASSIGN_OR_RETURN(db::Rows buildings,
                     s.Query("SELECT id, street_id, community_id, grid_id, name, floors "
                             "FROM buildings WHERE community_id = ? ORDER BY id",
                             {community_id}));
    for (const db::Row& r : buildings) {
        out.buildings.push_back({.id = r.Int(0),
                                 .street_id = r.Int(1),
                                 .community_id = r.Int(2),
                                 .grid_id = r.Int(3),
                                 .name = r.Text(4),
                                 .floors = static_cast<int>(r.Int(5))});
    }
    ASSIGN_OR_RETURN(
        db::Rows households,
        s.Query("SELECT h.id, h.building_id, h.unit, h.room, h.floor FROM households h "
                "JOIN buildings b ON b.id = h.building_id WHERE b.community_id = ?",
                {community_id}));
    out.households.reserve(households.size());
    for (const db::Row& r : households) {
        out.households.push_back({.id = r.Int(0),
                                  .building_id = r.Int(1),
                                  .unit = r.Text(2),
                                  .room = r.Text(3),
                                  .floor = static_cast<int>(r.Int(4))});
    }
    return out;
}

Result<std::vector<ResidentDetail>> ImportStore::FindByDocIndexes(
    db::Session& s, const std::vector<std::string>& blind_indexes) {
    std::vector<ResidentDetail> out;
    db::Params params;
    for (size_t begin = 0; begin < blind_indexes.size(); begin += kLookupBatch) {
        params.clear();
        for (size_t i = 0; i < kLookupBatch; ++i) {
            // Short batches repeat their first value: one SQL text for every batch.
            size_t at = begin + i < blind_indexes.size() ? begin + i : begin;
            params.emplace_back(db::Blob{blind_indexes[at]});
        }
        ASSIGN_OR_RETURN(db::Rows rows, s.Query(LookupSql(), params));
        for (const db::Row& row : rows) out.push_back(internal::FromResidentRow(row));
    }
    return out;
}

Result<std::vector<ResidentDetail>> ImportStore::ListWithoutDocument(db::Session& s,
                                                                     int64_t community_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(std::string("SELECT ") + internal::kDetailColumns +
                                                internal::kDetailJoins +
                                                " WHERE r.community_id = ? AND r.doc_type = 'none'",
                                            {community_id}));
    std::vector<ResidentDetail> out;
    out.reserve(rows.size());
    for (const db::Row& row : rows) out.push_back(internal::FromResidentRow(row));
    return out;
}

Result<std::vector<int64_t>> ImportStore::ReserveIds(db::Session& s, const char* table, size_t n) {
    std::vector<int64_t> ids;
    if (n == 0) return ids;
    ids.reserve(n);
    const std::string_view name(table);
    if (name != "households" && name != "residents") return Internal("ReserveIds: unknown table");
    if (s.dialect() == db::Dialect::kPostgres) {
        std::string sql = std::string("SELECT nextval(pg_get_serial_sequence('") + table +
                          "', 'id')) FROM generate_series(CAST(1 AS BIGINT), CAST(? AS BIGINT))";
        ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, {static_cast<int64_t>(n)}));
        for (const db::Row& r : rows) ids.push_back(r.Int(0));
        if (ids.size() != n) return Internal("ReserveIds: sequence gave too few ids");
        return ids;
    }
    std::string sql = std::string("SELECT COALESCE(MAX(id), 0) FROM ") + table;
    ASSIGN_OR_RETURN(auto row, s.QueryOne(sql));
    int64_t next = row ? row->Int(0) + 1 : 1;
    for (size_t i = 0; i < n; ++i) ids.push_back(next + static_cast<int64_t>(i));
    return ids;
}

Status ImportStore::RefreshStatistics(db::Session& s) {
    if (s.dialect() != db::Dialect::kPostgres) return Ok();
    RETURN_IF_ERROR(s.Exec("ANALYZE residents"));
    RETURN_IF_ERROR(s.Exec("ANALYZE households"));
    return Ok();
}

}  // namespace bulwark::registry
