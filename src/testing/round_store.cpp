#include "testing/round_store.hpp"

#include <algorithm>
#include <array>

#include "db/sql_rows.hpp"
#include "testing/store_internal.hpp"

namespace bulwark::testing {
namespace {

using internal::AppendIdList;

constexpr const char* kColumns =
    "id, street_id, community_id, name, kind, scope_kind, starts_at, ends_at, pool_size, "
    "single_tube_tags, single_tube_control_areas, closed_at, created_by, version, created_at, "
    "updated_at";

Round RoundFrom(const db::Row& r) {
    Round round;
    round.id = r.Int(0);
    round.street_id = r.Int(1);
    round.community_id = r.Int(2);
    round.name = r.Text(3);
    ParseRoundKind(r.Text(4), &round.kind);
    ParseRoundScopeKind(r.Text(5), &round.scope_kind);
    round.starts_at = r.Int(6);
    round.ends_at = r.Int(7);
    round.pool_size = static_cast<int>(r.Int(8));
    round.single_tube_tags = static_cast<uint32_t>(r.Int(9));
    round.single_tube_control_areas = r.Int(10) != 0;
    round.closed_at = r.Int(11);
    round.created_by = r.Int(12);
    round.version = r.Int(13);
    round.created_at = r.Int(14);
    round.updated_at = r.Int(15);
    return round;
}

// Inserts (round_id, id) pairs into `table` (column `column`) in multi-row statements of a few
// fixed sizes, so that a long list of people costs few round trips and few prepared texts.
Status InsertPairs(db::Session& s, const char* table, const char* column, int64_t round_id,
                   const std::vector<int64_t>& ids) {
    constexpr std::array<size_t, 3> kChunks = {100, 10, 1};
    size_t at = 0;
    for (size_t chunk : kChunks) {
        while (ids.size() - at >= chunk) {
            std::string sql =
                std::string("INSERT INTO ") + table + " (round_id, " + column + ") VALUES ";
            db::Params params;
            for (size_t i = 0; i < chunk; ++i) {
                sql += i == 0 ? "(?, ?)" : ", (?, ?)";
                params.emplace_back(round_id);
                params.emplace_back(ids[at + i]);
            }
            sql += " ON CONFLICT DO NOTHING";
            ASSIGN_OR_RETURN(int64_t n, s.Exec(sql, params));
            (void)n;
            at += chunk;
        }
    }
    return Ok();
}

Result<std::vector<int64_t>> Ids(db::Session& s, const char* sql, int64_t round_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, {round_id}));
    std::vector<int64_t> out;
    out.reserve(rows.size());
    for (const db::Row& r : rows) out.push_back(r.Int(0));
    return out;
}

Status LoadLists(db::Session& s, Round* round, bool with_people, bool with_sites = true) {
    if (with_sites) {
        ASSIGN_OR_RETURN(round->site_ids, Ids(s,
                                              "SELECT site_id FROM round_sites WHERE round_id = ? "
                                              "ORDER BY site_id",
                                              round->id));
    }
    if (round->scope_kind == RoundScopeKind::kCommunity) return Ok();
    if (round->scope_kind == RoundScopeKind::kPeople && !with_people) return Ok();
    ASSIGN_OR_RETURN(round->scope_ids, Ids(s,
                                           "SELECT member_id FROM round_scope_members "
                                           "WHERE round_id = ? ORDER BY member_id",
                                           round->id));
    return Ok();
}

Status WriteLists(db::Session& s, const Round& round) {
    RETURN_IF_ERROR(InsertPairs(s, "round_scope_members", "member_id", round.id, round.scope_ids));
    return InsertPairs(s, "round_sites", "site_id", round.id, round.site_ids);
}

}  // namespace

Result<int64_t> RoundStore::Insert(db::Session& s, const Round& r) {
    ASSIGN_OR_RETURN(
        auto row,
        s.QueryOne("INSERT INTO rounds (street_id, community_id, name, kind, scope_kind, "
                   "starts_at, ends_at, pool_size, single_tube_tags, single_tube_control_areas, "
                   "closed_at, created_by, version, created_at, updated_at) VALUES "
                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 1, ?, ?) RETURNING id",
                   {r.street_id, r.community_id, r.name, std::string(RoundKindName(r.kind)),
                    std::string(RoundScopeKindName(r.scope_kind)), r.starts_at, r.ends_at,
                    r.pool_size, static_cast<int64_t>(r.single_tube_tags),
                    r.single_tube_control_areas, r.created_by, r.created_at, r.updated_at}));
    if (!row) return Internal("rounds: insert returned nothing");
    Round stored = r;
    stored.id = row->Int(0);
    RETURN_IF_ERROR(WriteLists(s, stored));
    return stored.id;
}

Result<std::optional<Round>> RoundStore::Get(db::Session& s, int64_t id, bool with_people,
                                             bool with_sites) {
    ASSIGN_OR_RETURN(
        auto row,
        s.QueryOne(std::string("SELECT ") + kColumns + " FROM rounds WHERE id = ?", {id}));
    if (!row) return std::optional<Round>();
    Round round = RoundFrom(*row);
    RETURN_IF_ERROR(LoadLists(s, &round, with_people, with_sites));
    return std::optional<Round>(std::move(round));
}

void RoundStore::ForSites(db::Batch& batch,
                          const std::vector<std::pair<int64_t, int64_t>>& round_sites,
                          std::unordered_map<int64_t, Round>* out) {
    internal::ForEachSliceOfPairs(
        round_sites, [&](const std::vector<int64_t>& rounds, const std::vector<int64_t>& sites) {
            // A row per round and asked-for site taking part, or one with no site.
            db::Params params(sites.begin(), sites.end());
            params.insert(params.end(), rounds.begin(), rounds.end());
            batch.Add(std::string("SELECT ") + kColumns +
                          ", round_sites.site_id FROM rounds LEFT JOIN round_sites ON "
                          "round_sites.round_id = rounds.id AND round_sites.site_id IN (" +
                          db::RowPlaceholders(1, sites.size()) + ") WHERE rounds.id IN (" +
                          db::RowPlaceholders(1, rounds.size()) + ")",
                      std::move(params), [out](db::Outcome& o) -> Status {
                          for (const db::Row& r : o.rows) {
                              Round& round = out->try_emplace(r.Int(0), RoundFrom(r)).first->second;
                              if (r.IsNull(16)) continue;
                              std::vector<int64_t>& ids = round.site_ids;
                              auto it = std::lower_bound(ids.begin(), ids.end(), r.Int(16));
                              if (it == ids.end() || *it != r.Int(16)) ids.insert(it, r.Int(16));
                          }
                          return Ok();
                      });
        });
}

void RoundStore::ByIds(db::Batch& batch, const std::vector<int64_t>& ids,
                       std::unordered_map<int64_t, Round>* out) {
    for (size_t at = 0; at < ids.size(); at += db::kMaxRowsPerStatement) {
        const size_t n = std::min(db::kMaxRowsPerStatement, ids.size() - at);
        // With, as LoadLists without the people of a people round, the grids or buildings: a
        // row per member, or one with none.
        db::Params params = {std::string(RoundScopeKindName(RoundScopeKind::kCommunity)),
                             std::string(RoundScopeKindName(RoundScopeKind::kPeople))};
        params.insert(params.end(), ids.begin() + static_cast<long>(at),
                      ids.begin() + static_cast<long>(at + n));
        batch.Add(std::string("SELECT ") + kColumns +
                      ", m.member_id FROM rounds LEFT JOIN round_scope_members m ON "
                      "m.round_id = rounds.id AND rounds.scope_kind <> ? AND "
                      "rounds.scope_kind <> ? WHERE rounds.id IN (" +
                      db::RowPlaceholders(1, n) + ") ORDER BY rounds.id, m.member_id",
                  std::move(params), [out](db::Outcome& o) -> Status {
                      for (const db::Row& r : o.rows) {
                          Round& round = out->try_emplace(r.Int(0), RoundFrom(r)).first->second;
                          if (!r.IsNull(16)) round.scope_ids.push_back(r.Int(16));
                      }
                      return Ok();
                  });
    }
}

Result<std::vector<Round>> RoundStore::List(db::Session& s, const RoundFilter& f) {
    db::Params params;
    std::string sql = std::string("SELECT ") + kColumns + " FROM rounds WHERE (street_id IN ";
    AppendIdList(f.streets, &sql, &params);
    sql += " OR community_id IN ";
    AppendIdList(f.communities, &sql, &params);
    sql += " OR id IN (SELECT rs.round_id FROM round_sites rs WHERE rs.site_id IN ";
    AppendIdList(f.sites, &sql, &params);
    sql += "))";
    if (f.community_id != 0) {
        sql += " AND community_id = ?";
        params.emplace_back(f.community_id);
    }
    sql += " ORDER BY starts_at DESC, id DESC LIMIT ?";
    params.emplace_back(f.limit);
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
    std::vector<Round> out;
    for (const db::Row& r : rows) {
        Round round = RoundFrom(r);
        RETURN_IF_ERROR(LoadLists(s, &round, true));
        out.push_back(std::move(round));
    }
    return out;
}

Result<bool> RoundStore::IsListed(db::Session& s, int64_t round_id, int64_t resident_id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT 1 FROM round_scope_members "
                                          "WHERE round_id = ? AND member_id = ?",
                                          {round_id, resident_id}));
    return row.has_value();
}

Result<bool> RoundStore::Update(db::Session& s, const Round& r, int64_t expected_version) {
    ASSIGN_OR_RETURN(
        int64_t changed,
        s.Exec("UPDATE rounds SET name = ?, kind = ?, scope_kind = ?, starts_at = ?, ends_at = ?, "
               "pool_size = ?, single_tube_tags = ?, single_tube_control_areas = ?, version = ?, "
               "updated_at = ? WHERE id = ? AND version = ?",
               {r.name, std::string(RoundKindName(r.kind)),
                std::string(RoundScopeKindName(r.scope_kind)), r.starts_at, r.ends_at, r.pool_size,
                static_cast<int64_t>(r.single_tube_tags), r.single_tube_control_areas,
                expected_version + 1, r.updated_at, r.id, expected_version}));
    if (changed != 1) return false;
    ASSIGN_OR_RETURN(int64_t a,
                     s.Exec("DELETE FROM round_scope_members WHERE round_id = ?", {r.id}));
    ASSIGN_OR_RETURN(int64_t b, s.Exec("DELETE FROM round_sites WHERE round_id = ?", {r.id}));
    (void)a;
    (void)b;
    RETURN_IF_ERROR(WriteLists(s, r));
    return true;
}

Result<bool> RoundStore::Close(db::Session& s, int64_t id, int64_t now) {
    ASSIGN_OR_RETURN(int64_t changed,
                     s.Exec("UPDATE rounds SET closed_at = ?, version = version + 1, "
                            "updated_at = ? WHERE id = ? AND closed_at = 0",
                            {now, now, id}));
    return changed == 1;
}

Result<std::map<int64_t, int64_t>> RoundStore::SampleCounts(db::Session& s,
                                                            const std::vector<int64_t>& ids) {
    std::map<int64_t, int64_t> out;
    for (int64_t id : ids) out[id] = 0;
    if (ids.empty()) return out;
    db::Params params;
    std::string sql = "SELECT round_id, SUM(samples) FROM sampling_counters WHERE round_id IN ";
    AppendIdList(ids, &sql, &params);
    sql += " GROUP BY round_id";
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
    for (const db::Row& r : rows) out[r.Int(0)] = r.Int(1);
    return out;
}

}  // namespace bulwark::testing
