// The testing module's schema and the role permissions of its routes.
#include "testing/testing_schema.hpp"

namespace bulwark::testing {
namespace {

// The scan path writes samples, tubes, sampling_counters and sampling_requests: each keeps
// only the indexes its reads need. samples has one random-order index (round, resident), the
// rule "sampled once per round"; sampling_requests one (the phone's key).
constexpr const char* kSchema =
    "CREATE TABLE labs ("
    " id ID_PK,"
    " name TEXT NOT NULL UNIQUE,"
    " created_at BIGINT NOT NULL);"
    "CREATE TABLE sampling_sites ("
    " id ID_PK,"
    " street_id BIGINT NOT NULL,"
    " community_id BIGINT NOT NULL,"
    " name TEXT NOT NULL,"
    " address TEXT NOT NULL,"
    " hours TEXT NOT NULL,"
    " version BIGINT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " UNIQUE (community_id, name));"
    "CREATE TABLE site_tables ("
    " id ID_PK,"
    " site_id BIGINT NOT NULL REFERENCES sampling_sites (id),"
    " name TEXT NOT NULL,"
    " priority_lane INTEGER NOT NULL,"
    " position INTEGER NOT NULL,"
    " active INTEGER NOT NULL);"
    "CREATE INDEX site_tables_site ON site_tables (site_id);"
    "CREATE TABLE rounds ("
    " id ID_PK,"
    " street_id BIGINT NOT NULL,"
    " community_id BIGINT NOT NULL,"
    " name TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " scope_kind TEXT NOT NULL,"
    " starts_at BIGINT NOT NULL,"
    " ends_at BIGINT NOT NULL,"
    " pool_size INTEGER NOT NULL,"
    " single_tube_tags INTEGER NOT NULL,"
    " single_tube_control_areas INTEGER NOT NULL,"
    " closed_at BIGINT NOT NULL,"
    " created_by BIGINT NOT NULL,"
    " version BIGINT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL);"
    "CREATE INDEX rounds_community ON rounds (community_id, starts_at);"
    // Grid, building or resident ids of a round's scope (none for a community round).
    "CREATE TABLE round_scope_members ("
    " round_id BIGINT NOT NULL REFERENCES rounds (id),"
    " member_id BIGINT NOT NULL,"
    " PRIMARY KEY (round_id, member_id));"
    "CREATE TABLE round_sites ("
    " round_id BIGINT NOT NULL REFERENCES rounds (id),"
    " site_id BIGINT NOT NULL REFERENCES sampling_sites (id),"
    " PRIMARY KEY (round_id, site_id));"
    "CREATE INDEX round_sites_site ON round_sites (site_id);"
    "CREATE TABLE tubes ("
    " id ID_PK,"
    " round_id BIGINT NOT NULL,"
    " site_id BIGINT NOT NULL,"
    " table_id BIGINT NOT NULL,"
    " barcode TEXT NOT NULL UNIQUE,"
    " pool_size INTEGER NOT NULL,"
    " filled INTEGER NOT NULL,"
    " status TEXT NOT NULL,"
    " opened_at BIGINT NOT NULL,"
    " closed_at BIGINT NOT NULL,"
    " opened_by BIGINT NOT NULL,"
    " box_id BIGINT);"
    // One open tube per table: the page resumes it after a reload.
    "CREATE UNIQUE INDEX tubes_open_at_table ON tubes (table_id) WHERE status = 'open';"
    "CREATE INDEX tubes_box ON tubes (box_id) WHERE box_id IS NOT NULL;"
    "CREATE TABLE samples ("
    " id ID_PK,"
    " round_id BIGINT NOT NULL,"
    " resident_id BIGINT NOT NULL,"
    " tube_id BIGINT NOT NULL,"
    " site_id BIGINT NOT NULL,"
    " table_id BIGINT NOT NULL,"
    " scanned_at BIGINT NOT NULL,"
    " received_at BIGINT NOT NULL,"
    " scanned_by BIGINT NOT NULL,"
    " warnings INTEGER NOT NULL,"
    " UNIQUE (round_id, resident_id));"
    "CREATE INDEX samples_tube ON samples (tube_id);"
    // Live figures, kept as the scans happen: one row per round, table, hour and writer shard
    // (so that concurrent writers never wait on each other's counter rows).
    "CREATE TABLE sampling_counters ("
    " round_id BIGINT NOT NULL,"
    " table_id BIGINT NOT NULL,"
    " hour_start BIGINT NOT NULL,"
    " shard BIGINT NOT NULL,"
    " site_id BIGINT NOT NULL,"
    " samples BIGINT NOT NULL,"
    " tubes_opened BIGINT NOT NULL,"
    " tubes_closed BIGINT NOT NULL,"
    " PRIMARY KEY (round_id, table_id, hour_start, shard));"
    "CREATE TABLE transport_boxes ("
    " id ID_PK,"
    " round_id BIGINT NOT NULL,"
    " site_id BIGINT NOT NULL,"
    " barcode TEXT NOT NULL UNIQUE,"
    " status TEXT NOT NULL,"
    " tube_count INTEGER NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " created_by BIGINT NOT NULL,"
    " sealed_at BIGINT NOT NULL,"
    " lab_id BIGINT NOT NULL,"
    " handed_over_at BIGINT NOT NULL,"
    " received_at BIGINT NOT NULL);"
    "CREATE INDEX transport_boxes_round ON transport_boxes (round_id, site_id);"
    "CREATE TABLE box_receipt_items ("
    " box_id BIGINT NOT NULL REFERENCES transport_boxes (id),"
    " barcode TEXT NOT NULL,"
    " outcome TEXT NOT NULL,"
    " PRIMARY KEY (box_id, barcode));"
    // Every answered write of a phone, under its idempotency key: a retry gets this answer.
    "CREATE TABLE sampling_requests ("
    " id ID_PK,"
    " request_key TEXT NOT NULL UNIQUE,"
    " user_id BIGINT NOT NULL,"
    " kind TEXT NOT NULL,"
    " request_hash BLOB NOT NULL,"
    " status INTEGER NOT NULL,"
    " body TEXT NOT NULL,"
    " created_at BIGINT NOT NULL)";

// Who may do what (src/testing/README.md has the table); scope narrows each grant further.
constexpr const char* kPermissions =
    "INSERT INTO role_permissions (role, permission) VALUES"
    " ('administrator', 'rounds.read'), ('administrator', 'rounds.write'),"
    " ('staff', 'rounds.read'), ('staff', 'rounds.write'),"
    " ('data_verifier', 'rounds.read'), ('grid_worker', 'rounds.read'), ('scanner', 'rounds.read'),"
    " ('administrator', 'sites.read'), ('administrator', 'sites.write'),"
    " ('staff', 'sites.read'), ('staff', 'sites.write'), ('scanner', 'sites.read'),"
    " ('administrator', 'labs.read'), ('administrator', 'labs.write'),"
    " ('staff', 'labs.read'), ('scanner', 'labs.read'), ('lab', 'labs.read'),"
    " ('administrator', 'sampling.scan'), ('staff', 'sampling.scan'), ('scanner', 'sampling.scan'),"
    " ('administrator', 'sampling.lookup'), ('staff', 'sampling.lookup'),"
    " ('scanner', 'sampling.lookup'),"
    " ('administrator', 'sampling.register_floating'), ('staff', 'sampling.register_floating'),"
    " ('scanner', 'sampling.register_floating'),"
    " ('administrator', 'boxes.read'), ('staff', 'boxes.read'), ('scanner', 'boxes.read'),"
    " ('lab', 'boxes.read'),"
    " ('administrator', 'boxes.write'), ('staff', 'boxes.write'), ('scanner', 'boxes.write'),"
    " ('lab', 'boxes.receive'),"
    " ('administrator', 'sampling.live'), ('staff', 'sampling.live'), ('scanner', 'sampling.live')"
    " ON CONFLICT DO NOTHING";

}  // namespace

std::vector<db::Migration> Migrations() {
    std::vector<db::Migration> out = {
        {"testing", 1, "labs, sites, rounds, tubes, samples, boxes, requests", kSchema},
        {"testing", 2, "testing permissions of the roles", kPermissions},
        {"testing", 3, "room on the tubes' pages for their fills (PostgreSQL)", ""},
        {"testing", 4, "idempotency keys compared byte by byte (PostgreSQL)", ""},
        {"testing", 5, "idempotency keys as the stored answers' primary key (PostgreSQL)", ""}};
    // A tube's row is rewritten at every group of scans into it (its count), ten times or more.
    // PostgreSQL writes the new version beside the old one when the page has room (a HOT
    // update: no index entries); tubes packed full left no room, and three updates in ten
    // wrote a new entry in each of the tubes' indexes. SQLite updates in place.
    out[2].postgres_sql = "ALTER TABLE tubes SET (fillfactor = 50)";
    // A key is made by a phone, not read by a person: its unique index compares bytes (the "C"
    // collation) rather than through the database's language collation (ICU's zh, a tenth of
    // the cost of inserting a scan's stored answer). SQLite's TEXT compares bytes already.
    out[3].postgres_sql =
        "ALTER TABLE sampling_requests ALTER COLUMN request_key TYPE TEXT COLLATE \"C\"";
    // A stored answer is only ever found by its key: the key is its primary key, and the
    // numbered id (an index and a sequence's number more per scan) is gone. SQLite keeps both:
    // its rows live in the rowid's tree, which a scan appends to, while a tree ordered by the
    // phones' random keys would need a page read for each insert once it outgrows the cache.
    out[4].postgres_sql =
        "ALTER TABLE sampling_requests DROP COLUMN id,"
        " DROP CONSTRAINT sampling_requests_request_key_key, ADD PRIMARY KEY (request_key)";
    return out;
}

}  // namespace bulwark::testing
