#include "testing/box_store.hpp"

#include "testing/store_internal.hpp"

namespace bulwark::testing {
namespace {

constexpr const char* kBoxColumns =
    "b.id, b.round_id, b.site_id, b.barcode, b.status, b.tube_count, b.created_at, b.sealed_at, "
    "b.lab_id, b.handed_over_at, b.received_at";

Box BoxFrom(const db::Row& r) {
    Box b{.id = r.Int(0),
          .round_id = r.Int(1),
          .site_id = r.Int(2),
          .barcode = r.Text(3),
          .tube_count = static_cast<int>(r.Int(5)),
          .created_at = r.Int(6),
          .sealed_at = r.Int(7),
          .lab_id = r.Int(8),
          .handed_over_at = r.Int(9),
          .received_at = r.Int(10)};
    ParseBoxStatus(r.Text(4), &b.status);
    return b;
}

}  // namespace

Result<std::optional<int64_t>> BoxStore::InsertBox(db::Session& s, const Box& b,
                                                   int64_t created_by) {
    return s.InsertId(
        "INSERT INTO transport_boxes (round_id, site_id, barcode, status, "
        "tube_count, created_at, created_by, sealed_at, lab_id, handed_over_at, "
        "received_at) VALUES (?, ?, ?, 'open', 0, ?, ?, 0, 0, 0, 0) "
        "ON CONFLICT (barcode) DO NOTHING",
        {b.round_id, b.site_id, b.barcode, b.created_at, created_by});
}

Result<std::optional<BoxAtSite>> BoxStore::GetBox(db::Session& s, int64_t id) {
    ASSIGN_OR_RETURN(auto row, s.QueryOne(std::string("SELECT ") + kBoxColumns +
                                              ", st.street_id, st.community_id FROM "
                                              "transport_boxes b JOIN sampling_sites st ON "
                                              "st.id = b.site_id WHERE b.id = ?",
                                          {id}));
    if (!row) return std::optional<BoxAtSite>();
    return std::optional<BoxAtSite>(
        BoxAtSite{.box = BoxFrom(*row), .street_id = row->Int(11), .community_id = row->Int(12)});
}

Result<std::vector<Box>> BoxStore::ListBoxes(db::Session& s, int64_t round_id, int64_t site_id) {
    std::string sql =
        std::string("SELECT ") + kBoxColumns + " FROM transport_boxes b WHERE b.round_id = ?";
    db::Params params{round_id};
    if (site_id != 0) {
        sql += " AND b.site_id = ?";
        params.emplace_back(site_id);
    }
    sql += " ORDER BY b.id DESC LIMIT 500";
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
    std::vector<Box> out;
    for (const db::Row& r : rows) out.push_back(BoxFrom(r));
    return out;
}

Result<std::vector<Box>> BoxStore::ListForLabs(db::Session& s, const std::vector<int64_t>& labs,
                                               const std::string& barcode) {
    db::Params params;
    std::string sql =
        std::string("SELECT ") + kBoxColumns + " FROM transport_boxes b WHERE b.lab_id IN ";
    internal::AppendIdList(labs, &sql, &params);
    if (!barcode.empty()) {
        sql += " AND b.barcode = ?";
        params.emplace_back(barcode);
    }
    sql += " ORDER BY b.id DESC LIMIT 500";
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(sql, params));
    std::vector<Box> out;
    for (const db::Row& r : rows) out.push_back(BoxFrom(r));
    return out;
}

Result<bool> BoxStore::PackTube(db::Session& s, int64_t box_id, int64_t tube_id) {
    ASSIGN_OR_RETURN(
        int64_t packed,
        s.Exec("UPDATE tubes SET box_id = ? WHERE id = ? AND box_id IS NULL", {box_id, tube_id}));
    if (packed != 1) return false;
    ASSIGN_OR_RETURN(
        int64_t counted,
        s.Exec("UPDATE transport_boxes SET tube_count = tube_count + 1 WHERE id = ?", {box_id}));
    (void)counted;
    return true;
}

Result<std::vector<Tube>> BoxStore::TubesInBox(db::Session& s, int64_t box_id) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query("SELECT id, round_id, site_id, table_id, barcode, pool_size, filled, "
                             "status, opened_at, closed_at, opened_by FROM tubes "
                             "WHERE box_id = ? ORDER BY id",
                             {box_id}));
    std::vector<Tube> out;
    for (const db::Row& r : rows) {
        out.push_back(Tube{.id = r.Int(0),
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
                           .box_id = box_id});
    }
    return out;
}

Result<bool> BoxStore::Seal(db::Session& s, int64_t box_id, int64_t now) {
    ASSIGN_OR_RETURN(int64_t n, s.Exec("UPDATE transport_boxes SET status = 'sealed', "
                                       "sealed_at = ? WHERE id = ? AND status = 'open'",
                                       {now, box_id}));
    return n == 1;
}

Result<bool> BoxStore::HandOver(db::Session& s, int64_t box_id, int64_t lab_id, int64_t now) {
    ASSIGN_OR_RETURN(int64_t n,
                     s.Exec("UPDATE transport_boxes SET status = 'handed_over', lab_id = ?, "
                            "handed_over_at = ? WHERE id = ? AND status = 'sealed'",
                            {lab_id, now, box_id}));
    return n == 1;
}

Result<bool> BoxStore::Receive(db::Session& s, int64_t box_id, int64_t now,
                               const std::vector<ReceiptItem>& items) {
    ASSIGN_OR_RETURN(int64_t n, s.Exec("UPDATE transport_boxes SET status = 'received', "
                                       "received_at = ? WHERE id = ? AND status = 'handed_over'",
                                       {now, box_id}));
    if (n != 1) return false;
    for (const ReceiptItem& item : items) {
        ASSIGN_OR_RETURN(int64_t added,
                         s.Exec("INSERT INTO box_receipt_items (box_id, barcode, outcome) "
                                "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                {box_id, item.barcode, item.outcome}));
        (void)added;
    }
    return true;
}

Result<std::vector<ReceiptItem>> BoxStore::ReceiptItems(db::Session& s, int64_t box_id) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query("SELECT barcode, outcome FROM box_receipt_items "
                                            "WHERE box_id = ? ORDER BY barcode",
                                            {box_id}));
    std::vector<ReceiptItem> out;
    for (const db::Row& r : rows) out.push_back({r.Text(0), r.Text(1)});
    return out;
}

}  // namespace bulwark::testing
