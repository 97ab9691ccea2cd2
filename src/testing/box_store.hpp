#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"
#include "testing/model.hpp"

namespace bulwark::testing {

// A box with where its site sits, for scope checks: the site's scanners and community, and the
// lab it was handed to.
struct BoxAtSite {
    Box box;
    int64_t street_id = 0;
    int64_t community_id = 0;

    auth::Placement placement() const {
        return {.street_id = street_id,
                .community_id = community_id,
                .site_id = box.site_id,
                .lab_id = box.lab_id};
    }
};

// One line of a lab's receipt: a barcode and whether it was "received", "missing" (sent, not
// received) or "unexpected" (received, not sent).
struct ReceiptItem {
    std::string barcode;
    std::string outcome;
};

// The SQL of transport boxes and their receipts. Stateless; thread-safe; runs in the caller's
// transaction.
class BoxStore {
public:
    // A new open box; nullopt when the barcode is used.
    static Result<std::optional<int64_t>> InsertBox(db::Session& s, const Box& box,
                                                    int64_t created_by);
    static Result<std::optional<BoxAtSite>> GetBox(db::Session& s, int64_t id);
    // Boxes of a round (at a site when site_id is not 0), newest first, at most 500.
    static Result<std::vector<Box>> ListBoxes(db::Session& s, int64_t round_id, int64_t site_id);
    // Boxes handed to any of these labs (of that barcode when not empty), newest first, at
    // most 500.
    static Result<std::vector<Box>> ListForLabs(db::Session& s, const std::vector<int64_t>& labs,
                                                const std::string& barcode);
    // Puts a tube into a box unless it is in a box already (false then) and counts it.
    static Result<bool> PackTube(db::Session& s, int64_t box_id, int64_t tube_id);
    static Result<std::vector<Tube>> TubesInBox(db::Session& s, int64_t box_id);
    // Status changes, each only from the status before it; false when the box was elsewhere.
    static Result<bool> Seal(db::Session& s, int64_t box_id, int64_t now);
    static Result<bool> HandOver(db::Session& s, int64_t box_id, int64_t lab_id, int64_t now);
    static Result<bool> Receive(db::Session& s, int64_t box_id, int64_t now,
                                const std::vector<ReceiptItem>& items);
    static Result<std::vector<ReceiptItem>> ReceiptItems(db::Session& s, int64_t box_id);
};

}  // namespace bulwark::testing
