// The registry's schema and its bulk-loading SQL (the synthetic population generator).
#include <array>
#include <string_view>

#include "registry/pinyin.hpp"
#include "registry/registry_store.hpp"

namespace bulwark::registry {
namespace {

// The two unique indexes whose keys arrive in random order (a keyed hash, a random token).
constexpr const char* kCreateDocIndex =
    "CREATE UNIQUE INDEX IF NOT EXISTS residents_doc ON residents (doc_idx) "
    "WHERE doc_type <> 'none'";
constexpr const char* kCreateCodeIndex =
    "CREATE UNIQUE INDEX IF NOT EXISTS residents_code ON residents (code_token)";

constexpr const char* kSchema =
    "CREATE TABLE streets ("
    " id ID_PK,"
    " name TEXT NOT NULL,"
    " district TEXT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " UNIQUE (district, name));"
    "CREATE TABLE communities ("
    " id ID_PK,"
    " street_id BIGINT NOT NULL REFERENCES streets (id),"
    " name TEXT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " UNIQUE (street_id, name));"
    "CREATE TABLE grids ("
    " id ID_PK,"
    " community_id BIGINT NOT NULL REFERENCES communities (id),"
    " name TEXT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " UNIQUE (community_id, name));"
    "CREATE TABLE buildings ("
    " id ID_PK,"
    " street_id BIGINT NOT NULL REFERENCES streets (id),"
    " community_id BIGINT NOT NULL REFERENCES communities (id),"
    " grid_id BIGINT NOT NULL REFERENCES grids (id),"
    " name TEXT NOT NULL,"
    " floors INTEGER NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " UNIQUE (community_id, name));"
    "CREATE TABLE households ("
    " id ID_PK,"
    " building_id BIGINT NOT NULL REFERENCES buildings (id),"
    " unit TEXT NOT NULL,"
    " room TEXT NOT NULL,"
    " floor INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX households_address ON households (building_id, unit, room);"
    "CREATE TABLE residents ("
    " id ID_PK,"
    " household_id BIGINT NOT NULL REFERENCES households (id),"
    " building_id BIGINT NOT NULL,"
    " grid_id BIGINT NOT NULL,"
    " community_id BIGINT NOT NULL,"
    " street_id BIGINT NOT NULL,"
    " name TEXT NOT NULL,"
    " name_initials TEXT NOT NULL,"
    " doc_type TEXT NOT NULL,"
    " doc_enc BLOB,"
    " doc_idx BLOB,"
    " doc_tail TEXT NOT NULL,"
    " phone_enc BLOB,"
    " phone_idx BLOB,"
    " phone_tail TEXT NOT NULL,"
    " sex INTEGER NOT NULL,"
    " birth_date INTEGER NOT NULL,"
    " residency TEXT NOT NULL,"
    " presence TEXT NOT NULL,"
    " tags INTEGER NOT NULL,"
    " notes TEXT NOT NULL,"
    " code_token TEXT NOT NULL,"
    " code_issued_at BIGINT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " version BIGINT NOT NULL);"
    // Few indexes, and the hot ones in insert order: see registry/README.md.
    "CREATE INDEX residents_household ON residents (household_id);"
    "CREATE INDEX residents_building ON residents (building_id);"
    "CREATE UNIQUE INDEX residents_doc ON residents (doc_idx) WHERE doc_type <> 'none';"
    "CREATE UNIQUE INDEX residents_code ON residents (code_token)";

// Administrators and staff hold the registry; grid workers and data verifiers read their
// scope's residents; scanners and labs get nothing here.
constexpr const char* kPermissions =
    "INSERT INTO role_permissions (role, permission) VALUES"
    " ('administrator', 'residents.read'), ('administrator', 'residents.write'),"
    " ('administrator', 'residents.unmask'), ('administrator', 'residents.export'),"
    " ('administrator', 'residents.import'), ('administrator', 'codes.print'),"
    " ('staff', 'residents.read'), ('staff', 'residents.write'),"
    " ('staff', 'residents.unmask'), ('staff', 'residents.export'),"
    " ('staff', 'residents.import'), ('staff', 'codes.print'),"
    " ('grid_worker', 'residents.read'), ('data_verifier', 'residents.read')"
    " ON CONFLICT DO NOTHING";

// The collation key of each name (PinyinSortKey), for lists in pinyin order. SQL cannot compute
// it: rows that exist already are marked as work left, which FillNameSortKeys does at start.
constexpr const char* kNameSort =
    "ALTER TABLE residents ADD COLUMN name_sort BLOB;"
    "CREATE TABLE registry_pending_work (name TEXT PRIMARY KEY);"
    "INSERT INTO registry_pending_work (name) SELECT 'name_sort'"
    " WHERE EXISTS (SELECT 1 FROM residents)";

// One row's placeholders. Blob columns take NULLIF(?, ?) with an empty blob as the second value:
// an absent value is stored as NULL while every parameter keeps its type (see the class comment).
constexpr const char* kHouseholdRow = "(?,?,?,?,?)";
constexpr int kHouseholdParams = 5;
constexpr const char* kResidentRow =
    "(?,?,?,?,?,?,?,?,?,NULLIF(?,?),NULLIF(?,?),?,NULLIF(?,?),NULLIF(?,?),?,?,?,?,?,?,?,?,?,?,?,?,?"
    ")";
constexpr int kResidentParams = 31;
// Rows per multi-row INSERT: a batch is cut into these sizes, so that only a handful of SQL
// texts are ever prepared.
constexpr std::array<size_t, 5> kChunkSizes = {500, 100, 20, 5, 1};

std::string MultiRowInsert(const char* head, std::string_view one, size_t rows) {
    std::string sql = head;
    sql.reserve(sql.size() + rows * (one.size() + 1));
    for (size_t i = 0; i < rows; ++i) {
        if (i > 0) sql += ',';
        sql += one;
    }
    return sql;
}

// The INSERT text for `rows` rows (one of kChunkSizes) of households (table 0) or residents (1).
const std::string& BulkSql(int table, size_t rows) {
    static const auto texts = [] {
        std::array<std::array<std::string, kChunkSizes.size()>, 2> t;
        for (size_t i = 0; i < kChunkSizes.size(); ++i) {
            t[0][i] = MultiRowInsert(
                "INSERT INTO households (id, building_id, unit, room, floor) VALUES ",
                kHouseholdRow, kChunkSizes[i]);
            t[1][i] = MultiRowInsert(
                "INSERT INTO residents (id, household_id, building_id, grid_id, community_id, "
                "street_id, name, name_initials, doc_type, doc_enc, doc_idx, doc_tail, phone_enc, "
                "phone_idx, phone_tail, sex, birth_date, residency, presence, tags, notes, "
                "code_token, code_issued_at, created_at, updated_at, version, name_sort) VALUES ",
                kResidentRow, kChunkSizes[i]);
        }
        return t;
    }();
    for (size_t i = 0; i < kChunkSizes.size(); ++i) {
        if (kChunkSizes[i] == rows) return texts[table][i];
    }
    return texts[table].back();
}

void AddParams(const Household& h, db::Params* p) {
    p->emplace_back(h.id);
    p->emplace_back(h.building_id);
    p->emplace_back(h.unit);
    p->emplace_back(h.room);
    p->emplace_back(h.floor);
}

void AddParams(const Resident& r, db::Params* p) {
    p->emplace_back(r.id);
    p->emplace_back(r.household_id);
    p->emplace_back(r.building_id);
    p->emplace_back(r.grid_id);
    p->emplace_back(r.community_id);
    p->emplace_back(r.street_id);
    p->emplace_back(r.name);
    p->emplace_back(r.name_initials);
    p->emplace_back(std::string(DocTypeName(r.doc_type)));
    for (const std::string* blob : {&r.doc_enc, &r.doc_idx}) {
        p->emplace_back(db::Blob{*blob});
        p->emplace_back(db::Blob{});
    }
    p->emplace_back(r.doc_tail);
    for (const std::string* blob : {&r.phone_enc, &r.phone_idx}) {
        p->emplace_back(db::Blob{*blob});
        p->emplace_back(db::Blob{});
    }
    p->emplace_back(r.phone_tail);
    p->emplace_back(static_cast<int64_t>(r.sex));
    p->emplace_back(static_cast<int64_t>(r.birth_date));
    p->emplace_back(std::string(ResidencyName(r.residency)));
    p->emplace_back(std::string(PresenceName(r.presence)));
    p->emplace_back(static_cast<int64_t>(r.tags));
    p->emplace_back(r.notes);
    p->emplace_back(r.code_token);
    p->emplace_back(r.code_issued_at);
    p->emplace_back(r.created_at);
    p->emplace_back(r.updated_at);
    p->emplace_back(r.version);
    p->emplace_back(db::Blob{PinyinSortKey(r.name)});
}

template <class Row>
Status InsertChunks(db::Session& s, int table, int columns, std::span<const Row> rows) {
    db::Params params;
    size_t done = 0;
    while (done < rows.size()) {
        size_t left = rows.size() - done;
        size_t n = 1;
        for (size_t size : kChunkSizes) {
            if (size <= left) {
                n = size;
                break;
            }
        }
        params.clear();
        params.reserve(n * columns);
        for (size_t i = 0; i < n; ++i) AddParams(rows[done + i], &params);
        RETURN_IF_ERROR(s.Exec(BulkSql(table, n), params));
        done += n;
    }
    return Ok();
}

}  // namespace

std::vector<db::Migration> RegistryStore::Migrations() {
    std::vector<db::Migration> out = {
        {"registry", 1, "places, households and residents", kSchema},
        {"registry", 2, "registry permissions of the roles", kPermissions},
        {"registry", 3, "names in pinyin order", kNameSort},
        {"registry", 4, "code tokens compared byte by byte (PostgreSQL)", ""}};
    // A code token is random, looked up (a scan) and never sorted for a person: its index
    // compares bytes (the "C" collation), not through the database's language collation.
    // SQLite's TEXT compares bytes already.
    out[3].postgres_sql = "ALTER TABLE residents ALTER COLUMN code_token TYPE TEXT COLLATE \"C\"";
    return out;
}

std::vector<auth::EncryptedColumn> RegistryStore::EncryptedColumns() {
    return {{.table = "residents", .id_column = "id", .column = "doc_enc"},
            {.table = "residents", .id_column = "id", .column = "phone_enc"}};
}

Result<RegistryStore::NextIds> RegistryStore::NextFreeIds(db::Session& s) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT (SELECT COALESCE(MAX(id), 0) FROM households), "
                                          "(SELECT COALESCE(MAX(id), 0) FROM residents)"));
    if (!row) return Internal("residents: no max id");
    return NextIds{.household = row->Int(0) + 1, .resident = row->Int(1) + 1};
}

Status RegistryStore::InsertHouseholdsBulk(db::Session& s, std::span<const Household> households) {
    return InsertChunks(s, 0, kHouseholdParams, households);
}

Status RegistryStore::InsertResidentsBulk(db::Session& s, std::span<const Resident> residents) {
    return InsertChunks(s, 1, kResidentParams, residents);
}

Result<bool> RegistryStore::NameSortPending(db::Session& s) {
    ASSIGN_OR_RETURN(auto row,
                     s.QueryOne("SELECT COUNT(*) FROM registry_pending_work WHERE name = ?",
                                {std::string("name_sort")}));
    return row && row->Int(0) > 0;
}

Result<int64_t> RegistryStore::FillNameSortKeys(db::Session& s, int64_t after_id, int limit) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query("SELECT id, name FROM residents WHERE id > ? AND "
                                            "name_sort IS NULL ORDER BY id LIMIT ?",
                                            {after_id, static_cast<int64_t>(limit)}));
    for (const db::Row& row : rows) {
        RETURN_IF_ERROR(s.Exec("UPDATE residents SET name_sort = ? WHERE id = ?",
                               {db::Blob{PinyinSortKey(row.Text(1))}, row.Int(0)}));
    }
    if (rows.empty()) {
        RETURN_IF_ERROR(
            s.Exec("DELETE FROM registry_pending_work WHERE name = ?", {std::string("name_sort")}));
    }
    return rows.empty() ? int64_t{0} : rows.rows.back().Int(0);
}

Status RegistryStore::DropBulkLoadIndexes(db::Session& s) {
    RETURN_IF_ERROR(s.Exec("DROP INDEX IF EXISTS residents_doc"));
    RETURN_IF_ERROR(s.Exec("DROP INDEX IF EXISTS residents_code"));
    return Ok();
}

Status RegistryStore::CreateBulkLoadIndexes(db::Session& s) {
    RETURN_IF_ERROR(s.Exec(kCreateDocIndex));
    RETURN_IF_ERROR(s.Exec(kCreateCodeIndex));
    return Ok();
}

Status RegistryStore::ResyncIdSequences(db::Session& s) {
    if (s.dialect() != db::Dialect::kPostgres) return Ok();
    for (const char* sql : {"SELECT setval(pg_get_serial_sequence('households', 'id'), "
                            "(SELECT COALESCE(MAX(id), 0) + 1 FROM households), false)",
                            "SELECT setval(pg_get_serial_sequence('residents', 'id'), "
                            "(SELECT COALESCE(MAX(id), 0) + 1 FROM residents), false)"}) {
        RETURN_IF_ERROR(s.Query(sql));
    }
    return Ok();
}

Status RegistryStore::AnalyzeLoadedTables(db::Session& s) {
    for (const char* sql : {"ANALYZE streets", "ANALYZE communities", "ANALYZE grids",
                            "ANALYZE buildings", "ANALYZE households", "ANALYZE residents"}) {
        RETURN_IF_ERROR(s.Exec(sql));
    }
    return Ok();
}

}  // namespace bulwark::registry
