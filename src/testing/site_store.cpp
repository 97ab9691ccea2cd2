#include "testing/site_store.hpp"

#include <algorithm>
#include <charconv>

#include "db/sql_rows.hpp"
#include "testing/store_internal.hpp"

namespace bulwark::testing {
namespace {

using internal::AppendIdList;

constexpr const char* kSiteColumns =
    "id, street_id, community_id, name, address, hours, version, created_at, updated_at";

// Opening hours as stored: "1:420-1260;7:480-720" (weekday:open-close in minutes).
std::string EncodeHours(const std::vector<OpeningHours>& hours) {
    std::string out;
    for (const OpeningHours& h : hours) {
        if (!out.empty()) out += ';';
        out += std::to_string(h.weekday) + ':' + std::to_string(h.open_minute) + '-' +
               std::to_string(h.close_minute);
    }
    return out;
}

std::vector<OpeningHours> DecodeHours(const std::string& text) {
    std::vector<OpeningHours> out;
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end) {
        OpeningHours h;
        auto r1 = std::from_chars(p, end, h.weekday);
        if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != ':') break;
        auto r2 = std::from_chars(r1.ptr + 1, end, h.open_minute);
        if (r2.ec != std::errc() || r2.ptr == end || *r2.ptr != '-') break;
        auto r3 = std::from_chars(r2.ptr + 1, end, h.close_minute);
        if (r3.ec != std::errc()) break;
        out.push_back(h);
        p = r3.ptr;
        if (p < end && *p == ';') ++p;
    }
    return out;
}

Site SiteFrom(const db::Row& r) {
    return Site{.id = r.Int(0),
                .street_id = r.Int(1),
                .community_id = r.Int(2),
                .name = r.Text(3),
                .address = r.Text(4),
                .hours = DecodeHours(r.Text(5)),
                .version = r.Int(6),
                .created_at = r.Int(7),
                .updated_at = r.Int(8)};
}

Status LoadTables(db::Session& s, Site* site) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query("SELECT id, site_id, name, priority_lane, active "
                                            "FROM site_tables WHERE site_id = ? AND active = 1 "
                                            "ORDER BY position, id",
                                            {site->id}));
    site->tables.clear();
    for (const db::Row& r : rows) {
        site->tables.push_back(SiteTable{.id = r.Int(0),
                                         .site_id = r.Int(1),
                                         .name = r.Text(2),
                                         .priority_lane = r.Int(3) != 0,
                                         .active = r.Int(4) != 0});
    }
    return Ok();
}

Status InsertTable(db::Session& s, int64_t site_id, const SiteTable& t, int position) {
    ASSIGN_OR_RETURN(int64_t n, s.Exec("INSERT INTO site_tables (site_id, name, priority_lane, "
                                       "position, active) VALUES (?, ?, ?, ?, 1)",
                                       {site_id, t.name, t.priority_lane, position}));
    (void)n;
    return Ok();
}

}  // namespace

Result<std::optional<Lab>> SiteStore::InsertLab(db::Session& s, const std::string& name,
                                                int64_t now) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("INSERT INTO labs (name, created_at) VALUES (?, ?) "
                                          "ON CONFLICT (name) DO NOTHING RETURNING id, name",
                                          {name, now}));
    if (!row) return std::optional<Lab>();
    return std::optional<Lab>(Lab{.id = row->Int(0), .name = row->Text(1)});
}

Result<std::vector<Lab>> SiteStore::ListLabs(db::Session& s) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query("SELECT id, name FROM labs ORDER BY id"));
    std::vector<Lab> out;
    for (const db::Row& r : rows) out.push_back(Lab{.id = r.Int(0), .name = r.Text(1)});
    return out;
}

Result<std::optional<Lab>> SiteStore::GetLab(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT id, name FROM labs WHERE id = ?", {id}));
    if (!row) return std::optional<Lab>();
    return std::optional<Lab>(Lab{.id = row->Int(0), .name = row->Text(1)});
}

Result<std::optional<int64_t>> SiteStore::InsertSite(db::Session& s, const Site& site) {
    ASSIGN_OR_RETURN(auto row,
                     s.QueryOne("INSERT INTO sampling_sites (street_id, community_id, name, "
                                "address, hours, version, created_at, updated_at) VALUES "
                                "(?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (community_id, name) "
                                "DO NOTHING RETURNING id",
                                {site.street_id, site.community_id, site.name, site.address,
                                 EncodeHours(site.hours), site.created_at, site.updated_at}));
    if (!row) return std::optional<int64_t>();
    const int64_t id = row->Int(0);
    for (size_t i = 0; i < site.tables.size(); ++i) {
        RETURN_IF_ERROR(InsertTable(s, id, site.tables[i], static_cast<int>(i)));
    }
    return std::optional<int64_t>(id);
}

Result<std::optional<Site>> SiteStore::GetSite(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string("SELECT ") + kSiteColumns +
                                              " FROM sampling_sites WHERE id = ?",
                                          {id}));
    if (!row) return std::optional<Site>();
    Site site = SiteFrom(*row);
    RETURN_IF_ERROR(LoadTables(s, &site));
    return std::optional<Site>(std::move(site));
}

void SiteStore::SitesWithTables(db::Batch& batch,
                                const std::vector<std::pair<int64_t, int64_t>>& site_tables,
                                std::unordered_map<int64_t, Site>* out) {
    internal::ForEachSliceOfPairs(
        site_tables, [&](const std::vector<int64_t>& sites, const std::vector<int64_t>& tables) {
            // A row per site and asked-for table of it, or one with no table.
            db::Params params(tables.begin(), tables.end());
            params.insert(params.end(), sites.begin(), sites.end());
            batch.Add(
                "SELECT s.id, s.street_id, s.community_id, s.name, s.address, s.hours, "
                "s.version, s.created_at, s.updated_at, t.id, t.name, t.priority_lane "
                "FROM sampling_sites s LEFT JOIN site_tables t ON t.site_id = s.id AND "
                "t.active = 1 AND t.id IN (" +
                    db::RowPlaceholders(1, tables.size()) + ") WHERE s.id IN (" +
                    db::RowPlaceholders(1, sites.size()) + ")",
                std::move(params), [out](db::Outcome& o) -> Status {
                    for (const db::Row& r : o.rows) {
                        Site& site = out->try_emplace(r.Int(0), SiteFrom(r)).first->second;
                        if (r.IsNull(9) || site.FindTable(r.Int(9)) != nullptr) continue;
                        site.tables.push_back(SiteTable{.id = r.Int(9),
                                                        .site_id = site.id,
                                                        .name = r.Text(10),
                                                        .priority_lane = r.Int(11) != 0,
                                                        .active = true});
                    }
                    return Ok();
                });
        });
}

Result<std::vector<Site>> SiteStore::ListSites(db::Session& s, const SiteFilter& f) {
    db::Params params;
    std::string sql =
        std::string("SELECT ") + kSiteColumns + " FROM sampling_sites WHERE (street_id IN ";
    AppendIdList(f.streets, &sql, &params);
    sql += " OR community_id IN ";
    AppendIdList(f.communities, &sql, &params);
    sql += " OR id IN ";
    AppendIdList(f.sites, &sql, &params);
    sql += ")";
    if (f.community_id != 0) {
        sql += " AND community_id = ?";
        params.emplace_back(f.community_id);
    }
    sql += " ORDER BY community_id, id LIMIT 1000";
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
    std::vector<Site> out;
    for (const db::Row& r : rows) {
        Site site = SiteFrom(r);
        RETURN_IF_ERROR(LoadTables(s, &site));
        out.push_back(std::move(site));
    }
    return out;
}

Result<bool> SiteStore::UpdateSite(db::Session& s, const Site& site, int64_t expected_version) {
    ASSIGN_OR_RETURN(int64_t changed,
                     s.Exec("UPDATE sampling_sites SET name = ?, address = ?, hours = ?, "
                            "version = ?, updated_at = ? WHERE id = ? AND version = ?",
                            {site.name, site.address, EncodeHours(site.hours), expected_version + 1,
                             site.updated_at, site.id, expected_version}));
    if (changed != 1) return false;
    ASSIGN_OR_RETURN(int64_t off,
                     s.Exec("UPDATE site_tables SET active = 0 WHERE site_id = ?", {site.id}));
    (void)off;
    for (size_t i = 0; i < site.tables.size(); ++i) {
        const SiteTable& t = site.tables[i];
        if (t.id == 0) {
            RETURN_IF_ERROR(InsertTable(s, site.id, t, static_cast<int>(i)));
            continue;
        }
        ASSIGN_OR_RETURN(int64_t n,
                         s.Exec("UPDATE site_tables SET name = ?, priority_lane = ?, "
                                "position = ?, active = 1 WHERE id = ? AND site_id = ?",
                                {t.name, t.priority_lane, static_cast<int>(i), t.id, site.id}));
        if (n != 1) return InvalidArgument("采样台不属于该采样点", "tables");
    }
    return true;
}

Result<std::optional<int64_t>> SiteStore::SiteNamed(db::Session& s, int64_t community_id,
                                                    const std::string& name) {
    ASSIGN_OR_RETURN(auto row,
                     s.QueryOne("SELECT id FROM sampling_sites WHERE community_id = ? AND name = ?",
                                {community_id, name}));
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(row->Int(0));
}

Result<std::vector<int64_t>> SiteStore::SiteIdsOfCommunities(db::Session& s,
                                                             const std::vector<int64_t>& ids) {
    db::Params params;
    std::string sql = "SELECT id FROM sampling_sites WHERE community_id IN ";
    AppendIdList(ids, &sql, &params);
    sql += " ORDER BY id";
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
    std::vector<int64_t> out;
    for (const db::Row& r : rows) out.push_back(r.Int(0));
    return out;
}

}  // namespace bulwark::testing
