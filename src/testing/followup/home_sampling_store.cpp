#include "testing/followup/home_sampling_store.hpp"

#include "testing/store_internal.hpp"

namespace bulwark::testing::followup {
namespace {

constexpr const char* kColumns =
    "SELECT id, resident_id, community_id, round_id, reason, urgent, source, requested_by, "
    "requested_at, done_at, done_round_id, done_tube FROM home_sampling ";

HomeSamplingEntry EntryFrom(const db::Row& r) {
    HomeSamplingEntry e;
    e.id = r.Int(0);
    e.resident_id = r.Int(1);
    e.community_id = r.Int(2);
    e.round_id = r.Int(3);
    e.reason = r.Text(4);
    e.urgent = r.Int(5) != 0;
    e.source = r.Text(6);
    e.requested_by = r.Int(7);
    e.requested_at = r.Int(8);
    e.done_at = r.Int(9);
    e.done_round_id = r.Int(10);
    e.done_tube = r.Text(11);
    return e;
}

std::vector<HomeSamplingEntry> EntriesFrom(const db::Rows& rows) {
    std::vector<HomeSamplingEntry> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(EntryFrom(r));
    return out;
}

}  // namespace

Result<bool> HomeSamplingStore::InsertOpen(db::Session& s, const HomeSamplingEntry& e) {
    ASSIGN_OR_RETURN(
        int64_t n,
        s.Exec("INSERT INTO home_sampling (resident_id, community_id, round_id, reason, urgent, "
               "source, requested_by, requested_at, done_at, done_round_id, done_tube) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '') ON CONFLICT DO NOTHING",
               {e.resident_id, e.community_id, e.round_id, e.reason, e.urgent, e.source,
                e.requested_by, e.requested_at}));
    return n > 0;
}

Result<std::vector<HomeSamplingEntry>> HomeSamplingStore::OfCommunity(db::Session& s,
                                                                      int64_t community_id,
                                                                      bool done) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query(std::string(kColumns) +
                                 (done ? "WHERE community_id = ? AND done_at <> 0 ORDER BY id"
                                       : "WHERE community_id = ? AND done_at = 0 ORDER BY id"),
                             {community_id}));
    return EntriesFrom(rows);
}

Result<std::vector<HomeSamplingEntry>> HomeSamplingStore::OpenOf(
    db::Session& s, const std::vector<int64_t>& residents) {
    std::vector<HomeSamplingEntry> out;
    constexpr size_t kChunk = 256;
    for (size_t at = 0; at < residents.size(); at += kChunk) {
        std::vector<int64_t> part(residents.begin() + at,
                                  residents.begin() + std::min(residents.size(), at + kChunk));
        std::string sql = std::string(kColumns) + "WHERE done_at = 0 AND resident_id IN ";
        db::Params params;
        internal::AppendIdList(part, &sql, &params);
        ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
        for (const auto& r : rows) out.push_back(EntryFrom(r));
    }
    return out;
}

Result<std::optional<HomeSamplingEntry>> HomeSamplingStore::Get(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string(kColumns) + "WHERE id = ?", {id}));
    if (!row) return std::optional<HomeSamplingEntry>();
    return std::optional<HomeSamplingEntry>(EntryFrom(*row));
}

Result<bool> HomeSamplingStore::MarkDone(db::Session& s, int64_t id, int64_t at, int64_t round_id,
                                         const std::string& tube) {
    ASSIGN_OR_RETURN(int64_t n, s.Exec("UPDATE home_sampling SET done_at = ?, done_round_id = ?, "
                                       "done_tube = ? WHERE id = ? AND done_at = 0",
                                       {at, round_id, tube, id}));
    return n > 0;
}

Result<std::pair<int64_t, int64_t>> HomeSamplingStore::Counts(db::Session& s, int64_t community_id,
                                                              int64_t from, int64_t to) {
    ASSIGN_OR_RETURN(
        auto row, s.QueryOne("SELECT COALESCE(SUM(CASE WHEN done_at = 0 THEN 1 ELSE 0 END), 0), "
                             "COALESCE(SUM(CASE WHEN done_at <> 0 AND done_at >= ? AND done_at < ? "
                             "THEN 1 "
                             "ELSE 0 END), 0) FROM home_sampling WHERE community_id = ?",
                             {from, to, community_id}));
    if (!row) return std::pair<int64_t, int64_t>(0, 0);
    return std::pair<int64_t, int64_t>(row->Int(0), row->Int(1));
}

}  // namespace bulwark::testing::followup
