// Read-only SQL over rounds, samples, tubes and sites for the follow-up module.
#include "testing/sample_queries.hpp"

#include <algorithm>

#include "testing/round_store.hpp"
#include "testing/store_internal.hpp"

namespace bulwark::testing {
namespace {

using internal::AppendIdList;

// Runs `fn` on slices of `ids` small enough for one statement.
template <class F>
Status InChunks(const std::vector<int64_t>& ids, F&& fn) {
    constexpr size_t kChunk = 256;
    for (size_t at = 0; at < ids.size(); at += kChunk) {
        std::vector<int64_t> part(
            ids.begin() + static_cast<std::ptrdiff_t>(at),
            ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), at + kChunk)));
        RETURN_IF_ERROR(fn(part));
    }
    return Ok();
}

}  // namespace

Result<std::optional<Round>> SampleQueries::RoundById(db::Session& s, int64_t id) {
    return RoundStore::Get(s, id, true, true);
}

Result<std::vector<Round>> SampleQueries::RoundsOf(db::Session& s, int64_t community_id,
                                                   int limit) {
    RoundFilter filter;
    filter.communities = {community_id};
    filter.community_id = community_id;
    filter.limit = limit;
    return RoundStore::List(s, filter);
}

Result<SampleStamp> SampleQueries::StampOf(db::Session& s, int64_t round_id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM samples "
                                          "WHERE round_id = ?",
                                          {round_id}));
    SampleStamp stamp;
    if (row) {
        stamp.count = row->Int(0);
        stamp.last_id = row->Int(1);
    }
    return stamp;
}

Result<std::vector<SampleFact>> SampleQueries::SamplesOf(db::Session& s, int64_t round_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query("SELECT resident_id, site_id, scanned_at FROM samples "
                                            "WHERE round_id = ?",
                                            {round_id}));
    std::vector<SampleFact> out;
    out.reserve(rows.size());
    for (const db::Row& r : rows) out.push_back({r.Int(0), r.Int(1), r.Int(2)});
    return out;
}

Result<std::vector<SampleFact>> SampleQueries::SamplesSince(db::Session& s, int64_t round_id,
                                                            int64_t after_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query("SELECT resident_id, site_id, scanned_at FROM samples "
                                            "WHERE round_id = ? AND id > ?",
                                            {round_id, after_id}));
    std::vector<SampleFact> out;
    out.reserve(rows.size());
    for (const db::Row& r : rows) out.push_back({r.Int(0), r.Int(1), r.Int(2)});
    return out;
}

Result<std::vector<SampleWithTube>> SampleQueries::SamplesAfter(
    db::Session& s, const std::vector<int64_t>& round_ids, const std::vector<int64_t>& residents,
    int64_t after) {
    std::vector<SampleWithTube> out;
    if (round_ids.empty() || residents.empty()) return out;
    for (int64_t round_id : round_ids) {
        RETURN_IF_ERROR(InChunks(residents, [&](const std::vector<int64_t>& part) -> Status {
            std::string sql =
                "SELECT s.resident_id, s.round_id, s.scanned_at, t.barcode FROM samples s "
                "JOIN tubes t ON t.id = s.tube_id WHERE s.round_id = ? AND s.scanned_at > ? "
                "AND s.resident_id IN ";
            db::Params params = {round_id, after};
            AppendIdList(part, &sql, &params);
            ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
            for (const db::Row& r : rows) {
                out.push_back({r.Int(0), r.Int(1), r.Int(2), r.Text(3)});
            }
            return Ok();
        }));
    }
    return out;
}

Result<std::vector<SiteDay>> SampleQueries::PerSite(db::Session& s,
                                                    const std::vector<int64_t>& round_ids,
                                                    int64_t from, int64_t to) {
    std::map<int64_t, SiteDay> by_site;
    for (int64_t round_id : round_ids) {
        ASSIGN_OR_RETURN(db::Rows rows,
                         s.Query("SELECT site_id, COUNT(*), COUNT(DISTINCT tube_id) FROM samples "
                                 "WHERE round_id = ? AND scanned_at >= ? AND scanned_at < ? "
                                 "GROUP BY site_id",
                                 {round_id, from, to}));
        for (const db::Row& r : rows) {
            SiteDay& day = by_site[r.Int(0)];
            day.site_id = r.Int(0);
            day.samples += r.Int(1);
            day.tubes += r.Int(2);
        }
    }
    std::vector<int64_t> ids;
    for (const auto& [id, day] : by_site) ids.push_back(id);
    ASSIGN_OR_RETURN(auto names, SiteNames(s, ids));
    std::vector<SiteDay> out;
    for (auto& [id, day] : by_site) {
        day.name = names[id];
        out.push_back(day);
    }
    return out;
}

Result<std::map<int64_t, std::string>> SampleQueries::SiteNames(db::Session& s,
                                                                const std::vector<int64_t>& ids) {
    std::map<int64_t, std::string> out;
    RETURN_IF_ERROR(InChunks(ids, [&](const std::vector<int64_t>& part) -> Status {
        std::string sql = "SELECT id, name FROM sampling_sites WHERE id IN ";
        db::Params params;
        AppendIdList(part, &sql, &params);
        ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
        for (const db::Row& r : rows) out[r.Int(0)] = r.Text(1);
        return Ok();
    }));
    return out;
}

}  // namespace bulwark::testing
