#include "testing/sampling_store.hpp"

#include <algorithm>

#include "db/sql_rows.hpp"

namespace bulwark::testing {
namespace {

constexpr const char* kTubeColumns =
    "t.id, t.round_id, t.site_id, t.table_id, t.barcode, t.pool_size, t.filled, t.status, "
    "t.opened_at, t.closed_at, t.opened_by, t.box_id";

Tube TubeFrom(const db::Row& r) {
    return Tube{.id = r.Int(0),
                .round_id = r.Int(1),
                .site_id = r.Int(2),
                .table_id = r.Int(3),
                .barcode = r.Text(4),
                .pool_size = static_cast<int>(r.Int(5)),
                .count = static_cast<int>(r.Int(6)),
                .status = r.Text(7) == "open" ? TubeStatus::kOpen : TubeStatus::kClosed,
                .opened_at = r.Int(8),
                .closed_at = r.Int(9),
                .opened_by = r.Int(10),
                .box_id = r.IsNull(11) ? 0 : r.Int(11)};
}

Result<std::optional<TubeAtSite>> TubeWhere(db::Session& s, const char* where,
                                            const db::Value& key) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string("SELECT ") + kTubeColumns +
                                              ", st.street_id, st.community_id FROM tubes t "
                                              "JOIN sampling_sites st ON st.id = t.site_id " +
                                              where,
                                          {key}));
    if (!row) return std::optional<TubeAtSite>();
    return std::optional<TubeAtSite>(TubeAtSite{
        .tube = TubeFrom(*row), .street_id = row->Int(12), .community_id = row->Int(13)});
}

constexpr const char* kSampleColumns =
    "id, round_id, resident_id, tube_id, site_id, table_id, scanned_at, received_at, scanned_by, "
    "warnings";

Sample SampleFrom(const db::Row& r) {
    return Sample{.id = r.Int(0),
                  .round_id = r.Int(1),
                  .resident_id = r.Int(2),
                  .tube_id = r.Int(3),
                  .site_id = r.Int(4),
                  .table_id = r.Int(5),
                  .scanned_at = r.Int(6),
                  .received_at = r.Int(7),
                  .scanned_by = r.Int(8),
                  .warnings = static_cast<uint32_t>(r.Int(9))};
}

}  // namespace

Result<std::optional<TubeAtSite>> SamplingStore::TubeByBarcode(db::Session& s,
                                                               const std::string& barcode) {
    return TubeWhere(s, "WHERE t.barcode = ?", barcode);
}

Result<std::optional<TubeAtSite>> SamplingStore::TubeById(db::Session& s, int64_t id) {
    return TubeWhere(s, "WHERE t.id = ?", id);
}

Result<std::optional<Tube>> SamplingStore::OpenTubeAt(db::Session& s, int64_t table_id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string("SELECT ") + kTubeColumns +
                                              " FROM tubes t WHERE t.table_id = ? AND "
                                              "t.status = 'open'",
                                          {table_id}));
    if (!row) return std::optional<Tube>();
    return std::optional<Tube>(TubeFrom(*row));
}

Result<std::optional<int64_t>> SamplingStore::InsertTube(db::Session& s, const Tube& t) {
    return s.InsertId(
        "INSERT INTO tubes (round_id, site_id, table_id, barcode, pool_size, filled, status, "
        "opened_at, closed_at, opened_by) VALUES (?, ?, ?, ?, ?, 0, 'open', ?, 0, ?) "
        "ON CONFLICT DO NOTHING",
        {t.round_id, t.site_id, t.table_id, t.barcode, t.pool_size, t.opened_at, t.opened_by});
}

Status SamplingStore::RemoveSwab(db::Session& s, int64_t tube_id) {
    ASSIGN_OR_RETURN(
        int64_t changed,
        s.Exec("UPDATE tubes SET filled = filled - 1 WHERE id = ? AND filled > 0", {tube_id}));
    if (changed != 1) return Internal("tubes: a swab to take back is missing");
    return Ok();
}

Result<std::optional<int>> SamplingStore::AddSwab(db::Session& s, int64_t tube_id) {
    // The guard is the tube's capacity; closing at the pool size is the model's ClosesAt.
    // PostgreSQL answers in one round trip; SQLite's RETURNING would open a temporary b-tree per
    // statement, dearer than reading the row it has just written (db::Session::InsertId).
    std::optional<db::Row> row;
    if (s.dialect() == db::Dialect::kPostgres) {
        ASSIGN_OR_RETURN(row, s.QueryOne("UPDATE tubes SET filled = filled + 1 WHERE id = ? "
                                         "AND status = 'open' AND filled < pool_size "
                                         "RETURNING filled",
                                         {tube_id}));
    } else {
        ASSIGN_OR_RETURN(int64_t changed,
                         s.Exec("UPDATE tubes SET filled = filled + 1 WHERE id = ? "
                                "AND status = 'open' AND filled < pool_size",
                                {tube_id}));
        if (changed == 1) {
            ASSIGN_OR_RETURN(row, s.QueryOne("SELECT filled FROM tubes WHERE id = ?", {tube_id}));
        }
    }
    if (!row) return std::optional<int>();
    return std::optional<int>(static_cast<int>(row->Int(0)));
}

Result<bool> SamplingStore::CloseTube(db::Session& s, int64_t tube_id, int64_t now) {
    ASSIGN_OR_RETURN(int64_t changed, s.Exec("UPDATE tubes SET status = 'closed', closed_at = ? "
                                             "WHERE id = ? AND status = 'open'",
                                             {now, tube_id}));
    return changed == 1;
}

Result<std::optional<int64_t>> SamplingStore::InsertSample(db::Session& s, const Sample& x) {
    return s.InsertId(
        "INSERT INTO samples (round_id, resident_id, tube_id, site_id, table_id, scanned_at, "
        "received_at, scanned_by, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (round_id, resident_id) DO NOTHING",
        {x.round_id, x.resident_id, x.tube_id, x.site_id, x.table_id, x.scanned_at, x.received_at,
         x.scanned_by, static_cast<int64_t>(x.warnings)});
}

Result<std::optional<Sample>> SamplingStore::SampleOf(db::Session& s, int64_t round_id,
                                                      int64_t resident_id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string("SELECT ") + kSampleColumns +
                                              " FROM samples WHERE round_id = ? AND "
                                              "resident_id = ?",
                                          {round_id, resident_id}));
    if (!row) return std::optional<Sample>();
    return std::optional<Sample>(SampleFrom(*row));
}

Result<std::vector<Sample>> SamplingStore::SamplesInTube(db::Session& s, int64_t tube_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(std::string("SELECT ") + kSampleColumns +
                                                " FROM samples WHERE tube_id = ? ORDER BY id",
                                            {tube_id}));
    std::vector<Sample> out;
    for (const db::Row& r : rows) out.push_back(SampleFrom(r));
    return out;
}

Result<std::pair<std::string, std::string>> SamplingStore::SiteAndTableNames(db::Session& s,
                                                                             int64_t site_id,
                                                                             int64_t table_id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT st.name, tb.name FROM sampling_sites st "
                                          "JOIN site_tables tb ON tb.site_id = st.id "
                                          "WHERE st.id = ? AND tb.id = ?",
                                          {site_id, table_id}));
    if (!row) return std::pair<std::string, std::string>();
    return std::pair<std::string, std::string>(row->Text(0), row->Text(1));
}

Status SamplingStore::Count(db::Session& s, const CounterDelta& d) {
    ASSIGN_OR_RETURN(
        int64_t n,
        s.Exec("INSERT INTO sampling_counters (round_id, table_id, hour_start, shard, site_id, "
               "samples, tubes_opened, tubes_closed) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (round_id, table_id, hour_start, shard) DO UPDATE SET "
               "samples = sampling_counters.samples + excluded.samples, "
               "tubes_opened = sampling_counters.tubes_opened + excluded.tubes_opened, "
               "tubes_closed = sampling_counters.tubes_closed + excluded.tubes_closed",
               {d.round_id, d.table_id, d.hour_start, d.shard, d.site_id, d.samples, d.tubes_opened,
                d.tubes_closed}));
    (void)n;
    return Ok();
}

namespace {

constexpr size_t kRows = db::kMaxRowsPerStatement;

// Runs `run(first, count)` over [0, n) in slices of at most kRows.
template <class F>
void InSlices(size_t n, F&& run) {
    for (size_t at = 0; at < n; at += kRows) run(at, std::min(kRows, n - at));
}

}  // namespace

void SamplingStore::InsertTubes(db::Batch& batch, const std::vector<Tube>& tubes,
                                std::vector<int64_t>* ids, bool* all) {
    ids->assign(tubes.size(), 0);
    InSlices(tubes.size(), [&](size_t at, size_t n) {
        db::Params params;
        params.reserve(n * 7);
        std::vector<std::string> barcodes;  // to match RETURNING's rows, in no promised order
        for (size_t i = at; i < at + n; ++i) {
            const Tube& t = tubes[i];
            params.insert(params.end(), {t.round_id, t.site_id, t.table_id, t.barcode, t.pool_size,
                                         t.opened_at, t.opened_by});
            barcodes.push_back(t.barcode);
        }
        std::string values;
        for (size_t i = 0; i < n; ++i) {
            values += i == 0 ? "" : ", ";
            values += "(?, ?, ?, ?, ?, 0, 'open', ?, 0, ?)";
        }
        batch.Add(
            "INSERT INTO tubes (round_id, site_id, table_id, barcode, pool_size, filled, status, "
            "opened_at, closed_at, opened_by) VALUES " +
                values + " ON CONFLICT DO NOTHING RETURNING id, barcode",
            std::move(params),
            [ids, all, at, barcodes = std::move(barcodes)](db::Outcome& o) -> Status {
                if (o.rows.size() != barcodes.size()) {
                    *all = false;
                    return Ok();
                }
                for (const db::Row& r : o.rows) {
                    auto it = std::find(barcodes.begin(), barcodes.end(), r.Text(1));
                    if (it == barcodes.end()) return Internal("tubes: an inserted row is unknown");
                    (*ids)[at + static_cast<size_t>(it - barcodes.begin())] = r.Int(0);
                }
                return Ok();
            });
    });
}

void SamplingStore::TubesByBarcodes(db::Batch& batch, const std::vector<std::string>& barcodes,
                                    std::vector<TubeAtSite>* out) {
    InSlices(barcodes.size(), [&](size_t at, size_t n) {
        db::Params params(barcodes.begin() + static_cast<long>(at),
                          barcodes.begin() + static_cast<long>(at + n));
        batch.Add(
            std::string("SELECT ") + kTubeColumns +
                ", st.street_id, st.community_id FROM tubes t "
                "JOIN sampling_sites st ON st.id = t.site_id WHERE t.barcode IN (" +
                db::RowPlaceholders(1, n) + ")",
            std::move(params), [out](db::Outcome& o) -> Status {
                for (const db::Row& r : o.rows) {
                    out->push_back(TubeAtSite{
                        .tube = TubeFrom(r), .street_id = r.Int(12), .community_id = r.Int(13)});
                }
                return Ok();
            });
    });
}

void SamplingStore::SamplesAt(db::Batch& batch, const std::vector<SampleProbe>& probes,
                              std::vector<Sample>* out) {
    InSlices(probes.size(), [&](size_t at, size_t n) {
        // One indexed probe of (round_id, resident_id) per scan (db::Probes): as "round_id = ?
        // AND resident_id IN (...)", PostgreSQL planned a scan of the round's every sample,
        // filtered, whenever its statistics were older than the round's last thousands of
        // samples (as they are while a round fills): 2 ms and growing.
        std::string sql = db::Probes(std::string("SELECT ") + kSampleColumns +
                                         " FROM samples WHERE round_id = ? AND resident_id = ?",
                                     n);
        db::Params params;
        params.reserve(n * 2);
        for (size_t i = at; i < at + n; ++i) {
            params.insert(params.end(), {probes[i].round_id, probes[i].resident_id});
        }
        batch.Add(std::move(sql), std::move(params), [out](db::Outcome& o) -> Status {
            for (const db::Row& r : o.rows) out->push_back(SampleFrom(r));
            return Ok();
        });
    });
}

void SamplingStore::InsertSamples(db::Batch& batch, const std::vector<Sample>& samples,
                                  std::vector<int64_t>* ids, bool* all) {
    ids->assign(samples.size(), 0);
    InSlices(samples.size(), [&](size_t at, size_t n) {
        db::Params params;
        params.reserve(n * 9);
        // Who each row is, to match RETURNING's rows, whose order is not promised: by (round,
        // resident), which the UNIQUE constraint makes one per row.
        std::vector<std::pair<int64_t, int64_t>> who;
        who.reserve(n);
        for (size_t i = at; i < at + n; ++i) {
            const Sample& x = samples[i];
            params.insert(params.end(), {x.round_id, x.resident_id, x.tube_id, x.site_id,
                                         x.table_id, x.scanned_at, x.received_at, x.scanned_by,
                                         static_cast<int64_t>(x.warnings)});
            who.emplace_back(x.round_id, x.resident_id);
        }
        batch.Add(
            "INSERT INTO samples (round_id, resident_id, tube_id, site_id, table_id, "
            "scanned_at, received_at, scanned_by, warnings) VALUES " +
                db::RowPlaceholders(9, n) + " RETURNING id, round_id, resident_id",
            std::move(params), [ids, all, at, who = std::move(who)](db::Outcome& o) -> Status {
                if (o.rows.size() != who.size()) {
                    *all = false;
                    return Ok();
                }
                for (const db::Row& r : o.rows) {
                    const std::pair<int64_t, int64_t> row_of{r.Int(1), r.Int(2)};
                    auto it = std::find(who.begin(), who.end(), row_of);
                    if (it == who.end()) {
                        return Internal("samples: an inserted row matches no scan");
                    }
                    (*ids)[at + static_cast<size_t>(it - who.begin())] = r.Int(0);
                }
                return Ok();
            });
    });
}

void SamplingStore::FillTubes(db::Batch& batch, const std::vector<TubeFilled>& changes, bool* all) {
    InSlices(changes.size(), [&](size_t at, size_t n) {
        // The changes as a table of VALUES (the first row's CASTs type the placeholders for
        // PostgreSQL): one node to start per run, where a UNION ALL of one-row SELECTs made
        // PostgreSQL start one per tube.
        std::string rows =
            "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))";
        for (size_t i = 1; i < n; ++i) rows += ", (?, ?, ?, ?)";
        db::Params params;
        params.reserve(n * 4);
        for (size_t i = at; i < at + n; ++i) {
            const TubeFilled& c = changes[i];
            params.insert(params.end(), {c.tube_id, int64_t{c.was}, int64_t{c.count}, c.closed_at});
        }
        batch.Add("WITH v (id, was, filled, closed_at) AS (VALUES " + rows +
                      ") UPDATE tubes SET filled = v.filled, closed_at = v.closed_at, "
                      "status = CASE WHEN v.closed_at <> 0 THEN 'closed' ELSE 'open' END FROM v "
                      "WHERE tubes.id = v.id AND tubes.filled = v.was AND "
                      "tubes.status = 'open' AND v.filled <= tubes.pool_size",
                  std::move(params), [all, n](db::Outcome& o) -> Status {
                      if (o.changed != static_cast<int64_t>(n)) *all = false;
                      return Ok();
                  });
    });
}

void SamplingStore::CountAll(db::Batch& batch, const std::vector<CounterDelta>& deltas) {
    InSlices(deltas.size(), [&](size_t at, size_t n) {
        db::Params params;
        params.reserve(n * 8);
        for (size_t i = at; i < at + n; ++i) {
            const CounterDelta& d = deltas[i];
            params.insert(params.end(), {d.round_id, d.table_id, d.hour_start, d.shard, d.site_id,
                                         d.samples, d.tubes_opened, d.tubes_closed});
        }
        batch.Add(
            "INSERT INTO sampling_counters (round_id, table_id, hour_start, shard, site_id, "
            "samples, tubes_opened, tubes_closed) VALUES " +
                db::RowPlaceholders(8, n) +
                " ON CONFLICT (round_id, table_id, hour_start, shard) DO UPDATE SET "
                "samples = sampling_counters.samples + excluded.samples, "
                "tubes_opened = sampling_counters.tubes_opened + excluded.tubes_opened, "
                "tubes_closed = sampling_counters.tubes_closed + excluded.tubes_closed",
            std::move(params), nullptr);
    });
}

Result<std::vector<TableFigures>> SamplingStore::Figures(db::Session& s, int64_t round_id,
                                                         int64_t day_start, int64_t hour_start) {
    ASSIGN_OR_RETURN(
        db::Rows rows,
        s.Query("SELECT site_id, table_id, SUM(samples), "
                "SUM(CASE WHEN hour_start >= ? THEN samples ELSE 0 END), "
                "SUM(CASE WHEN hour_start = ? THEN samples ELSE 0 END), "
                "SUM(tubes_opened), SUM(tubes_closed) FROM sampling_counters "
                "WHERE round_id = ? GROUP BY site_id, table_id ORDER BY site_id, table_id",
                {day_start, hour_start, round_id}));
    std::vector<TableFigures> out;
    for (const db::Row& r : rows) {
        out.push_back(TableFigures{.site_id = r.Int(0),
                                   .table_id = r.Int(1),
                                   .samples = r.Int(2),
                                   .today = r.Int(3),
                                   .this_hour = r.Int(4),
                                   .tubes_open = r.Int(5) - r.Int(6),
                                   .tubes_closed = r.Int(6)});
    }
    return out;
}

}  // namespace bulwark::testing
