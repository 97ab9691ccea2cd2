#include "testing/results/results_store.hpp"

#include "testing/store_internal.hpp"

namespace bulwark::testing::results {
namespace {

using internal::AppendIdList;

Status Done(Result<int64_t> changed) {
    if (!changed.ok()) return std::move(changed).error();
    return Ok();
}

constexpr const char* kSchema =
    // One result per tube (a tube's result is every member's); conflicts never overwrite it.
    "CREATE TABLE test_results ("
    " id ID_PK,"
    " tube_id BIGINT NOT NULL UNIQUE,"
    " tube_barcode TEXT NOT NULL,"
    " round_id BIGINT NOT NULL,"
    " street_id BIGINT NOT NULL,"
    " community_id BIGINT NOT NULL,"
    " lab_id BIGINT NOT NULL,"
    " pool_size INTEGER NOT NULL,"
    " result TEXT NOT NULL,"
    " ct TEXT NOT NULL,"
    " sampled_at BIGINT NOT NULL,"
    " reported_at BIGINT NOT NULL,"
    " recorded_at BIGINT NOT NULL,"
    " recorded_by BIGINT NOT NULL,"
    " source TEXT NOT NULL);"
    "CREATE INDEX test_results_lab ON test_results (lab_id, reported_at);"
    "CREATE INDEX test_results_round ON test_results (round_id, result);"
    "CREATE TABLE result_conflicts ("
    " id ID_PK,"
    " tube_id BIGINT NOT NULL,"
    " tube_barcode TEXT NOT NULL,"
    " round_id BIGINT NOT NULL,"
    " street_id BIGINT NOT NULL,"
    " community_id BIGINT NOT NULL,"
    " lab_id BIGINT NOT NULL,"
    " recorded_result TEXT NOT NULL,"
    " recorded_reported_at BIGINT NOT NULL,"
    " recorded_ct TEXT NOT NULL,"
    " incoming_result TEXT NOT NULL,"
    " incoming_reported_at BIGINT NOT NULL,"
    " incoming_ct TEXT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " created_by BIGINT NOT NULL,"
    " status TEXT NOT NULL,"
    " resolution TEXT NOT NULL,"
    " resolved_by TEXT NOT NULL,"
    " resolved_at BIGINT NOT NULL,"
    " note TEXT NOT NULL);"
    "CREATE INDEX result_conflicts_tube ON result_conflicts (tube_id);"
    "CREATE INDEX result_conflicts_status ON result_conflicts (status, community_id);"
    "CREATE TABLE result_pools ("
    " id ID_PK,"
    " tube_id BIGINT NOT NULL UNIQUE,"
    " tube_barcode TEXT NOT NULL,"
    " round_id BIGINT NOT NULL,"
    " street_id BIGINT NOT NULL,"
    " community_id BIGINT NOT NULL,"
    " opened_at BIGINT NOT NULL,"
    " closed_at BIGINT NOT NULL,"
    " retest_round_id BIGINT NOT NULL);"
    "CREATE INDEX result_pools_community ON result_pools (community_id, closed_at);"
    "CREATE TABLE pool_members ("
    " pool_id BIGINT NOT NULL REFERENCES result_pools (id),"
    " resident_id BIGINT NOT NULL,"
    " status TEXT NOT NULL,"
    " retest_tube_id BIGINT NOT NULL,"
    " retest_barcode TEXT NOT NULL,"
    " retest_result TEXT NOT NULL,"
    " retest_sampled_at BIGINT NOT NULL,"
    " retest_reported_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " PRIMARY KEY (pool_id, resident_id));"
    "CREATE INDEX pool_members_resident ON pool_members (resident_id);"
    "CREATE TABLE pool_events ("
    " id ID_PK,"
    " pool_id BIGINT NOT NULL REFERENCES result_pools (id),"
    " at BIGINT NOT NULL,"
    " action TEXT NOT NULL,"
    " actor TEXT NOT NULL,"
    " evidence TEXT NOT NULL);"
    "CREATE INDEX pool_events_pool ON pool_events (pool_id, id);"
    // Cases for the tracing capability to take up: the person, the pool (0 when a single tube
    // found them outside a procedure) and the tube that showed it.
    "CREATE TABLE cases ("
    " id ID_PK,"
    " resident_id BIGINT NOT NULL,"
    " street_id BIGINT NOT NULL,"
    " community_id BIGINT NOT NULL,"
    " pool_id BIGINT NOT NULL,"
    " tube_id BIGINT NOT NULL,"
    " confirmed_at BIGINT NOT NULL,"
    " UNIQUE (resident_id, tube_id));"
    "CREATE INDEX cases_community ON cases (community_id, confirmed_at);"
    // Calls of the residents' public page per client address (the rate limit), one window.
    "CREATE TABLE public_page_hits ("
    " id ID_PK,"
    " address TEXT NOT NULL,"
    " at BIGINT NOT NULL);"
    "CREATE INDEX public_page_hits_address ON public_page_hits (address, at)";

constexpr const char* kPermissions =
    "INSERT INTO role_permissions (role, permission) VALUES"
    " ('administrator', 'results.write'), ('lab', 'results.write'),"
    " ('administrator', 'results.read'), ('staff', 'results.read'),"
    " ('data_verifier', 'results.read'),"
    " ('administrator', 'results.review'), ('staff', 'results.review'),"
    " ('administrator', 'pools.read'), ('staff', 'pools.read'),"
    " ('administrator', 'pools.write'), ('staff', 'pools.write'),"
    " ('administrator', 'alerts.read'), ('staff', 'alerts.read'),"
    " ('administrator', 'lab.overview'), ('lab', 'lab.overview')"
    " ON CONFLICT DO NOTHING";

Outcome OutcomeOf(const std::string& name) {
    Outcome o = Outcome::kInvalid;
    for (Outcome x : {Outcome::kNegative, Outcome::kPositive, Outcome::kInvalid}) {
        if (OutcomeName(x) == name) o = x;
    }
    return o;
}

std::string Name(Outcome o) { return std::string(OutcomeName(o)); }

// "(street_id IN (...) OR community_id IN (...))" and the community when given.
std::string Where(const PlaceFilter& f, db::Params* params) {
    std::string sql = "(street_id IN ";
    AppendIdList(f.streets, &sql, params);
    sql += " OR community_id IN ";
    AppendIdList(f.communities, &sql, params);
    sql += ")";
    if (f.community_id != 0) {
        sql += " AND community_id = ?";
        params->emplace_back(f.community_id);
    }
    return sql;
}

constexpr const char* kResultColumns =
    "SELECT id, tube_id, tube_barcode, round_id, street_id, community_id, lab_id, pool_size, "
    "result, ct, sampled_at, reported_at, recorded_at, recorded_by, source FROM test_results ";

StoredResult ResultFrom(const db::Row& row) {
    StoredResult r;
    r.id = row.Int(0);
    r.tube_id = row.Int(1);
    r.tube_barcode = row.Text(2);
    r.round_id = row.Int(3);
    r.street_id = row.Int(4);
    r.community_id = row.Int(5);
    r.lab_id = row.Int(6);
    r.pool_size = static_cast<int>(row.Int(7));
    r.result = OutcomeOf(row.Text(8));
    r.ct = ParseCtText(row.Text(9));
    r.sampled_at = row.Int(10);
    r.reported_at = row.Int(11);
    r.recorded_at = row.Int(12);
    r.recorded_by = row.Int(13);
    r.source = row.Text(14);
    return r;
}

constexpr const char* kConflictColumns =
    "SELECT id, tube_id, tube_barcode, round_id, street_id, community_id, lab_id, "
    "recorded_result, recorded_reported_at, recorded_ct, incoming_result, incoming_reported_at, "
    "incoming_ct, created_at, status, resolution, resolved_by, resolved_at, note "
    "FROM result_conflicts ";

Conflict ConflictFrom(const db::Row& row) {
    Conflict c;
    c.id = row.Int(0);
    c.tube_id = row.Int(1);
    c.tube_barcode = row.Text(2);
    c.round_id = row.Int(3);
    c.street_id = row.Int(4);
    c.community_id = row.Int(5);
    c.lab_id = row.Int(6);
    c.recorded = OutcomeOf(row.Text(7));
    c.recorded_reported_at = row.Int(8);
    c.recorded_ct = ParseCtText(row.Text(9));
    c.incoming = OutcomeOf(row.Text(10));
    c.incoming_reported_at = row.Int(11);
    c.incoming_ct = ParseCtText(row.Text(12));
    c.created_at = row.Int(13);
    c.open = row.Text(14) == "open";
    c.resolution = row.Text(15);
    c.resolved_by = row.Text(16);
    c.resolved_at = row.Int(17);
    c.note = row.Text(18);
    return c;
}

// A pool with its members' counts by status.
constexpr const char* kPoolColumns =
    "SELECT p.id, p.tube_id, p.tube_barcode, p.round_id, p.street_id, p.community_id, "
    "p.opened_at, p.closed_at, p.retest_round_id, "
    "(SELECT COUNT(*) FROM pool_members m WHERE m.pool_id = p.id), "
    "(SELECT COUNT(*) FROM pool_members m WHERE m.pool_id = p.id AND m.status = "
    "'pending_retest'), "
    "(SELECT COUNT(*) FROM pool_members m WHERE m.pool_id = p.id AND m.status = 'cleared'), "
    "(SELECT COUNT(*) FROM pool_members m WHERE m.pool_id = p.id AND m.status = 'case') "
    "FROM result_pools p ";

Pool PoolFrom(const db::Row& row) {
    Pool p;
    p.id = row.Int(0);
    p.tube_id = row.Int(1);
    p.tube_barcode = row.Text(2);
    p.round_id = row.Int(3);
    p.street_id = row.Int(4);
    p.community_id = row.Int(5);
    p.opened_at = row.Int(6);
    p.closed_at = row.Int(7);
    p.retest_round_id = row.Int(8);
    p.members_total = static_cast<int>(row.Int(9));
    p.pending = static_cast<int>(row.Int(10));
    p.cleared = static_cast<int>(row.Int(11));
    p.cases = static_cast<int>(row.Int(12));
    return p;
}

}  // namespace

std::vector<db::Migration> ResultsStore::Migrations() {
    return {{"results", 1, "results, conflicts, pools, cases, public page calls", kSchema},
            {"results", 2, "results permissions of the roles", kPermissions}};
}

Result<std::optional<StoredResult>> ResultsStore::ResultOf(db::Session& s, int64_t tube_id) {
    ASSIGN_OR_RETURN(auto row,
                     s.QueryOne(std::string(kResultColumns) + "WHERE tube_id = ?", {tube_id}));
    if (!row) return std::optional<StoredResult>();
    return std::optional<StoredResult>(ResultFrom(*row));
}

Result<bool> ResultsStore::InsertResult(db::Session& s, const StoredResult& r) {
    ASSIGN_OR_RETURN(
        int64_t n,
        s.Exec(
            "INSERT INTO test_results (tube_id, tube_barcode, round_id, street_id, "
            "community_id, lab_id, pool_size, result, ct, sampled_at, reported_at, "
            "recorded_at, recorded_by, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (tube_id) DO NOTHING",
            {r.tube_id, r.tube_barcode, r.round_id, r.street_id, r.community_id, r.lab_id,
             r.pool_size, Name(r.result), CtText(r.ct), r.sampled_at, r.reported_at, r.recorded_at,
             r.recorded_by, r.source}));
    return n == 1;
}

Status ResultsStore::ReplaceResult(db::Session& s, const StoredResult& r) {
    ASSIGN_OR_RETURN(int64_t n, s.Exec("UPDATE test_results SET result = ?, ct = ?, "
                                       "reported_at = ?, lab_id = ?, recorded_at = ?, "
                                       "recorded_by = ?, source = ? WHERE tube_id = ?",
                                       {Name(r.result), CtText(r.ct), r.reported_at, r.lab_id,
                                        r.recorded_at, r.recorded_by, r.source, r.tube_id}));
    if (n != 1) return Internal("test_results: no row to replace");
    return Ok();
}

Result<std::vector<StoredResult>> ResultsStore::ResultsOfRound(db::Session& s, int64_t round_id,
                                                               Outcome result) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query(std::string(kResultColumns) + "WHERE round_id = ? AND result = ? "
                                                           "ORDER BY tube_id LIMIT 5000",
                             {round_id, Name(result)}));
    std::vector<StoredResult> out;
    for (const db::Row& row : rows) out.push_back(ResultFrom(row));
    return out;
}

Result<std::vector<ResultsStore::LabTime>> ResultsStore::LabTimes(db::Session& s, int64_t lab_id,
                                                                  int64_t since) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query("SELECT sampled_at, reported_at, street_id, community_id "
                             "FROM test_results WHERE lab_id = ? AND reported_at >= ? "
                             "ORDER BY reported_at",
                             {lab_id, since}));
    std::vector<LabTime> out;
    for (const db::Row& row : rows) {
        out.push_back({row.Int(0), row.Int(1), row.Int(2), row.Int(3)});
    }
    return out;
}

Result<int64_t> ResultsStore::CountWithResult(db::Session& s,
                                              const std::vector<int64_t>& tube_ids) {
    int64_t total = 0;
    // In slices, so that the SQL texts stay few.
    for (size_t i = 0; i < tube_ids.size(); i += 256) {
        std::vector<int64_t> slice(tube_ids.begin() + i,
                                   tube_ids.begin() + std::min(tube_ids.size(), i + 256));
        db::Params params;
        std::string sql = "SELECT COUNT(*) FROM test_results WHERE tube_id IN ";
        AppendIdList(slice, &sql, &params);
        ASSIGN_OR_RETURN(auto row, s.QueryOne(sql, params));
        total += row ? row->Int(0) : 0;
    }
    return total;
}

Result<std::optional<int64_t>> ResultsStore::OpenConflictFor(db::Session& s, int64_t tube_id,
                                                             Outcome incoming) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT id FROM result_conflicts WHERE tube_id = ? "
                                          "AND status = 'open' AND incoming_result = ?",
                                          {tube_id, Name(incoming)}));
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(row->Int(0));
}

Result<int64_t> ResultsStore::InsertConflict(db::Session& s, const Conflict& c,
                                             int64_t created_by) {
    ASSIGN_OR_RETURN(
        auto row,
        s.QueryOne(
            "INSERT INTO result_conflicts (tube_id, tube_barcode, round_id, street_id, "
            "community_id, lab_id, recorded_result, recorded_reported_at, recorded_ct, "
            "incoming_result, incoming_reported_at, incoming_ct, created_at, created_by, "
            "status, resolution, resolved_by, resolved_at, note) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', '', '', 0, '') RETURNING id",
            {c.tube_id, c.tube_barcode, c.round_id, c.street_id, c.community_id, c.lab_id,
             Name(c.recorded), c.recorded_reported_at, CtText(c.recorded_ct), Name(c.incoming),
             c.incoming_reported_at, CtText(c.incoming_ct), c.created_at, created_by}));
    if (!row) return Internal("result_conflicts: insert returned nothing");
    return row->Int(0);
}

Result<std::optional<Conflict>> ResultsStore::GetConflict(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string(kConflictColumns) + "WHERE id = ?", {id}));
    if (!row) return std::optional<Conflict>();
    return std::optional<Conflict>(ConflictFrom(*row));
}

Result<std::vector<Conflict>> ResultsStore::ListConflicts(db::Session& s, const PlaceFilter& f,
                                                          bool open, int limit, int offset) {
    db::Params params{std::string(open ? "open" : "resolved")};
    std::string sql = std::string(kConflictColumns) + "WHERE status = ? AND " + Where(f, &params) +
                      " ORDER BY id DESC LIMIT ? OFFSET ?";
    params.emplace_back(limit);
    params.emplace_back(offset);
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
    std::vector<Conflict> out;
    for (const db::Row& row : rows) out.push_back(ConflictFrom(row));
    return out;
}

Result<int64_t> ResultsStore::CountConflicts(db::Session& s, const PlaceFilter& f, bool open) {
    db::Params params{std::string(open ? "open" : "resolved")};
    std::string sql =
        "SELECT COUNT(*) FROM result_conflicts WHERE status = ? AND " + Where(f, &params);
    ASSIGN_OR_RETURN(auto row, s.QueryOne(sql, params));
    return row ? row->Int(0) : 0;
}

Result<bool> ResultsStore::ResolveConflict(db::Session& s, int64_t id,
                                           const std::string& resolution, const std::string& by,
                                           const std::string& note, int64_t now) {
    ASSIGN_OR_RETURN(int64_t n,
                     s.Exec("UPDATE result_conflicts SET status = 'resolved', resolution = ?, "
                            "resolved_by = ?, resolved_at = ?, note = ? "
                            "WHERE id = ? AND status = 'open'",
                            {resolution, by, now, note, id}));
    return n == 1;
}

Result<std::optional<int64_t>> ResultsStore::InsertPool(db::Session& s, const Pool& p) {
    return s.InsertId(
        "INSERT INTO result_pools (tube_id, tube_barcode, round_id, street_id, "
        "community_id, opened_at, closed_at, retest_round_id) "
        "VALUES (?, ?, ?, ?, ?, ?, 0, 0) ON CONFLICT (tube_id) DO NOTHING",
        {p.tube_id, p.tube_barcode, p.round_id, p.street_id, p.community_id, p.opened_at});
}

Status ResultsStore::SetRetestRound(db::Session& s, int64_t pool_id, int64_t round_id) {
    return Done(
        s.Exec("UPDATE result_pools SET retest_round_id = ? WHERE id = ?", {round_id, pool_id}));
}

Status ResultsStore::ClosePool(db::Session& s, int64_t pool_id, int64_t now) {
    return Done(s.Exec("UPDATE result_pools SET closed_at = ? WHERE id = ? AND closed_at = 0",
                       {now, pool_id}));
}

Result<std::optional<Pool>> ResultsStore::GetPool(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string(kPoolColumns) + "WHERE p.id = ?", {id}));
    if (!row) return std::optional<Pool>();
    return std::optional<Pool>(PoolFrom(*row));
}

Result<std::vector<Pool>> ResultsStore::ListPools(db::Session& s, const PlaceFilter& f,
                                                  std::optional<bool> open, int limit, int offset) {
    db::Params params;
    std::string sql = std::string(kPoolColumns) + "WHERE " + Where(f, &params);
    if (open) sql += *open ? " AND p.closed_at = 0" : " AND p.closed_at > 0";
    sql += " ORDER BY p.id DESC LIMIT ? OFFSET ?";
    params.emplace_back(limit);
    params.emplace_back(offset);
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
    std::vector<Pool> out;
    for (const db::Row& row : rows) out.push_back(PoolFrom(row));
    return out;
}

Result<int64_t> ResultsStore::CountPools(db::Session& s, const PlaceFilter& f,
                                         std::optional<bool> open) {
    db::Params params;
    std::string sql = "SELECT COUNT(*) FROM result_pools WHERE " + Where(f, &params);
    if (open) sql += *open ? " AND closed_at = 0" : " AND closed_at > 0";
    ASSIGN_OR_RETURN(auto row, s.QueryOne(sql, params));
    return row ? row->Int(0) : 0;
}

Status ResultsStore::InsertMember(db::Session& s, int64_t pool_id, int64_t resident_id,
                                  int64_t now) {
    return Done(
        s.Exec("INSERT INTO pool_members (pool_id, resident_id, status, retest_tube_id, "
               "retest_barcode, retest_result, retest_sampled_at, retest_reported_at, updated_at) "
               "VALUES (?, ?, 'pending_retest', 0, '', '', 0, 0, ?) ON CONFLICT DO NOTHING",
               {pool_id, resident_id, now}));
}

Result<std::vector<PoolMember>> ResultsStore::Members(db::Session& s, int64_t pool_id) {
    ASSIGN_OR_RETURN(
        db::Rows rows,
        s.Query("SELECT pool_id, resident_id, status, retest_tube_id, retest_barcode, "
                "retest_result, retest_sampled_at, retest_reported_at FROM pool_members "
                "WHERE pool_id = ? ORDER BY resident_id",
                {pool_id}));
    std::vector<PoolMember> out;
    for (const db::Row& row : rows) {
        PoolMember m;
        m.pool_id = row.Int(0);
        m.resident_id = row.Int(1);
        ParseMemberStatus(row.Text(2), &m.status);
        m.retest_tube_id = row.Int(3);
        m.retest_barcode = row.Text(4);
        if (!row.Text(5).empty()) m.retest_result = OutcomeOf(row.Text(5));
        m.retest_sampled_at = row.Int(6);
        m.retest_reported_at = row.Int(7);
        out.push_back(std::move(m));
    }
    return out;
}

Result<std::vector<std::pair<int64_t, int64_t>>> ResultsStore::PendingPoolsOf(db::Session& s,
                                                                              int64_t resident_id) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query("SELECT p.id, p.opened_at FROM pool_members m "
                             "JOIN result_pools p ON p.id = m.pool_id "
                             "WHERE m.resident_id = ? AND m.status = 'pending_retest' "
                             "AND p.closed_at = 0 ORDER BY p.id",
                             {resident_id}));
    std::vector<std::pair<int64_t, int64_t>> out;
    for (const db::Row& row : rows) out.emplace_back(row.Int(0), row.Int(1));
    return out;
}

Result<std::vector<std::pair<int64_t, MemberStatus>>> ResultsStore::MarksOf(db::Session& s,
                                                                            int64_t resident_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query("SELECT pool_id, status FROM pool_members "
                                            "WHERE resident_id = ? ORDER BY pool_id DESC",
                                            {resident_id}));
    std::vector<std::pair<int64_t, MemberStatus>> out;
    for (const db::Row& row : rows) {
        MemberStatus st = MemberStatus::kPendingRetest;
        ParseMemberStatus(row.Text(1), &st);
        out.emplace_back(row.Int(0), st);
    }
    return out;
}

Status ResultsStore::UpdateMember(db::Session& s, const PoolMember& m, int64_t now) {
    return Done(
        s.Exec("UPDATE pool_members SET status = ?, retest_tube_id = ?, retest_barcode = ?, "
               "retest_result = ?, retest_sampled_at = ?, retest_reported_at = ?, updated_at = ? "
               "WHERE pool_id = ? AND resident_id = ?",
               {std::string(MemberStatusName(m.status)), m.retest_tube_id, m.retest_barcode,
                m.retest_result ? Name(*m.retest_result) : std::string(), m.retest_sampled_at,
                m.retest_reported_at, now, m.pool_id, m.resident_id}));
}

Status ResultsStore::AddEvent(db::Session& s, int64_t pool_id, const PoolEvent& e) {
    return Done(
        s.Exec("INSERT INTO pool_events (pool_id, at, action, actor, evidence) "
               "VALUES (?, ?, ?, ?, ?)",
               {pool_id, e.at, e.action, e.actor, e.evidence}));
}

Result<std::vector<PoolEvent>> ResultsStore::Events(db::Session& s, int64_t pool_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query("SELECT at, action, actor, evidence FROM pool_events "
                                            "WHERE pool_id = ? ORDER BY id",
                                            {pool_id}));
    std::vector<PoolEvent> out;
    for (const db::Row& row : rows) {
        out.push_back({row.Int(0), row.Text(1), row.Text(2), row.Text(3)});
    }
    return out;
}

Status ResultsStore::InsertCase(db::Session& s, int64_t resident_id, int64_t street_id,
                                int64_t community_id, int64_t pool_id, int64_t tube_id,
                                int64_t now) {
    return Done(
        s.Exec("INSERT INTO cases (resident_id, street_id, community_id, pool_id, tube_id, "
               "confirmed_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
               {resident_id, street_id, community_id, pool_id, tube_id, now}));
}

Result<std::vector<ResultsStore::CaseRow>> ResultsStore::CasesSince(db::Session& s,
                                                                    const PlaceFilter& f,
                                                                    int64_t since) {
    db::Params params;
    std::string sql =
        "SELECT id, resident_id, community_id, street_id, confirmed_at, pool_id FROM cases "
        "WHERE " +
        Where(f, &params) + " AND confirmed_at >= ? ORDER BY id DESC LIMIT 200";
    params.emplace_back(since);
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
    std::vector<CaseRow> out;
    for (const db::Row& row : rows) {
        out.push_back({row.Int(0), row.Int(1), row.Int(2), row.Int(3), row.Int(4), row.Int(5)});
    }
    return out;
}

Result<int64_t> ResultsStore::CountHits(db::Session& s, const std::string& address, int64_t since) {
    ASSIGN_OR_RETURN(
        auto row, s.QueryOne("SELECT COUNT(*) FROM public_page_hits WHERE address = ? AND at >= ?",
                             {address, since}));
    return row ? row->Int(0) : 0;
}

Result<std::optional<int64_t>> ResultsStore::NthNewestHit(db::Session& s,
                                                          const std::string& address, int64_t since,
                                                          int n) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT at FROM public_page_hits WHERE address = ? AND "
                                          "at >= ? ORDER BY at DESC LIMIT 1 OFFSET ?",
                                          {address, since, n}));
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(row->Int(0));
}

Status ResultsStore::AddHit(db::Session& s, const std::string& address, int64_t at) {
    return Done(s.Exec("INSERT INTO public_page_hits (address, at) VALUES (?, ?)", {address, at}));
}

Status ResultsStore::DeleteHitsBefore(db::Session& s, int64_t before) {
    return Done(s.Exec("DELETE FROM public_page_hits WHERE at < ?", {before}));
}

}  // namespace bulwark::testing::results
