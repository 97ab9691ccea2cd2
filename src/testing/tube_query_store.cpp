#include "testing/tube_query_store.hpp"

namespace bulwark::testing {
namespace {

constexpr const char* kTubeColumns =
    "SELECT t.id, t.barcode, t.round_id, r.name, t.site_id, st.street_id, st.community_id, "
    "t.pool_size, t.closed_at, COALESCE(t.box_id, 0), COALESCE(b.lab_id, 0), "
    "COALESCE(b.handed_over_at, 0) FROM tubes t JOIN rounds r ON r.id = t.round_id "
    "JOIN sampling_sites st ON st.id = t.site_id LEFT JOIN transport_boxes b ON b.id = t.box_id ";

TubeForResult TubeFrom(const db::Row& row) {
    TubeForResult t;
    t.id = row.Int(0);
    t.barcode = row.Text(1);
    t.round_id = row.Int(2);
    t.round_name = row.Text(3);
    t.site_id = row.Int(4);
    t.street_id = row.Int(5);
    t.community_id = row.Int(6);
    t.pool_size = static_cast<int>(row.Int(7));
    t.closed_at = row.Int(8);
    t.box_id = row.Int(9);
    // A box counts as the lab's only once handed over.
    t.handed_over_at = row.Int(11);
    t.lab_id = t.handed_over_at > 0 ? row.Int(10) : 0;
    return t;
}

Result<std::optional<TubeForResult>> OneTube(db::Session& s, const char* where,
                                             const db::Params& params) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string(kTubeColumns) + where, params));
    if (!row) return std::optional<TubeForResult>();
    return std::optional<TubeForResult>(TubeFrom(*row));
}

}  // namespace

Result<std::optional<TubeForResult>> TubeQueryStore::TubeByBarcode(db::Session& s,
                                                                   const std::string& barcode) {
    return OneTube(s, "WHERE t.barcode = ?", {barcode});
}

Result<std::optional<TubeForResult>> TubeQueryStore::TubeById(db::Session& s, int64_t id) {
    return OneTube(s, "WHERE t.id = ?", {id});
}

Result<std::vector<TubeSwab>> TubeQueryStore::Members(db::Session& s, int64_t tube_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query("SELECT resident_id, scanned_at FROM samples "
                                            "WHERE tube_id = ? ORDER BY scanned_at, id",
                                            {tube_id}));
    std::vector<TubeSwab> out;
    for (const db::Row& row : rows) out.push_back({row.Int(0), row.Int(1)});
    return out;
}

Result<std::vector<ResidentSample>> TubeQueryStore::SamplesOf(db::Session& s, int64_t resident_id,
                                                              int64_t community_id, int limit) {
    // Driven from the community's rounds (indexed), each probing UNIQUE (round, resident).
    ASSIGN_OR_RETURN(
        db::Rows rows,
        s.Query("SELECT r.id, r.name, t.id, t.barcode, t.pool_size, sa.scanned_at FROM rounds r "
                "JOIN samples sa ON sa.round_id = r.id AND sa.resident_id = ? "
                "JOIN tubes t ON t.id = sa.tube_id WHERE r.community_id = ? "
                "ORDER BY sa.scanned_at DESC LIMIT ?",
                {resident_id, community_id, limit}));
    std::vector<ResidentSample> out;
    for (const db::Row& row : rows) {
        out.push_back({.round_id = row.Int(0),
                       .round_name = row.Text(1),
                       .tube_id = row.Int(2),
                       .tube_barcode = row.Text(3),
                       .pool_size = static_cast<int>(row.Int(4)),
                       .sampled_at = row.Int(5)});
    }
    return out;
}

Result<std::optional<RoundBrief>> TubeQueryStore::Round(db::Session& s, int64_t round_id) {
    ASSIGN_OR_RETURN(auto row,
                     s.QueryOne("SELECT id, name, street_id, community_id FROM rounds WHERE id = ?",
                                {round_id}));
    if (!row) return std::optional<RoundBrief>();
    return std::optional<RoundBrief>(
        RoundBrief{row->Int(0), row->Text(1), row->Int(2), row->Int(3)});
}

Result<std::vector<int64_t>> TubeQueryStore::SitesOf(db::Session& s, int64_t community_id) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query("SELECT id FROM sampling_sites WHERE community_id = ? ORDER BY id",
                             {community_id}));
    std::vector<int64_t> out;
    for (const db::Row& row : rows) out.push_back(row.Int(0));
    return out;
}

Result<std::vector<LabBox>> TubeQueryStore::BoxesForLab(db::Session& s, int64_t lab_id,
                                                        int64_t since) {
    ASSIGN_OR_RETURN(
        db::Rows rows,
        s.Query("SELECT b.id, b.barcode, b.round_id, b.site_id, st.street_id, st.community_id, "
                "b.tube_count, b.handed_over_at, b.received_at, "
                "(SELECT COUNT(*) FROM box_receipt_items i WHERE i.box_id = b.id "
                "AND i.outcome = 'received') FROM transport_boxes b "
                "JOIN sampling_sites st ON st.id = b.site_id "
                "WHERE b.lab_id = ? AND b.handed_over_at > 0 AND b.handed_over_at >= ? "
                "ORDER BY b.handed_over_at DESC, b.id DESC LIMIT 500",
                {lab_id, since}));
    std::vector<LabBox> out;
    for (const db::Row& row : rows) {
        out.push_back({.id = row.Int(0),
                       .barcode = row.Text(1),
                       .round_id = row.Int(2),
                       .site_id = row.Int(3),
                       .street_id = row.Int(4),
                       .community_id = row.Int(5),
                       .tubes_sent = static_cast<int>(row.Int(6)),
                       .tubes_received = static_cast<int>(row.Int(9)),
                       .handed_over_at = row.Int(7),
                       .received_at = row.Int(8)});
    }
    return out;
}

Result<std::vector<int64_t>> TubeQueryStore::TubesInBox(db::Session& s, int64_t box_id) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query("SELECT id FROM tubes WHERE box_id = ? ORDER BY id", {box_id}));
    std::vector<int64_t> out;
    for (const db::Row& row : rows) out.push_back(row.Int(0));
    return out;
}

Result<std::optional<std::string>> TubeQueryStore::LabName(db::Session& s, int64_t lab_id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT name FROM labs WHERE id = ?", {lab_id}));
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(row->Text(0));
}

}  // namespace bulwark::testing
