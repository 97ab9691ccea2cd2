#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "testing/box_store.hpp"
#include "testing/idempotency.hpp"

namespace bulwark::testing {

struct OpenBoxRequest {
    std::string key;
    int64_t round_id = 0;
    int64_t site_id = 0;
    std::string barcode;
};

// A box with its tubes and, once received, the lab's differences.
struct BoxDetail {
    Box box;
    std::vector<Tube> tubes;
    std::vector<ReceiptItem> receipt;  // empty until received
};

// Transport boxes: packing closed tubes, sealing, handing over to a lab, and the lab's receipt.
// Keyed writes like the scans (see Idempotency). The site's scanners and staff see a box; the
// lab sees it once handed to them. Out of scope answers 404. Thread-safe.
class BoxService {
public:
    BoxService(db::Database& db, Clock& clock);

    // 201 Box; 404 not_found; 409 box_barcode_used; 422 site_not_in_round.
    Result<Answer> OpenBox(const auth::Principal& who, const OpenBoxRequest& request);
    // 200 Box; 404 not_found (box, tube); 422 box_not_open, tube_not_closed, tube_in_other_box,
    // tube_other_round. Packing a tube already in this box answers the box again.
    Result<Answer> PackTube(const auth::Principal& who, int64_t box_id, const std::string& key,
                            const std::string& tube_barcode);
    // 200 Box (sealed with its count and time; a sealed box answers as it is); 422 box_empty.
    Result<Answer> Seal(const auth::Principal& who, int64_t box_id, const std::string& key);
    // 200 Box (handed_over); 404 not_found (box, lab_id); 422 box_not_sealed, box_handed_over.
    Result<Answer> HandOver(const auth::Principal& who, int64_t box_id, const std::string& key,
                            int64_t lab_id);
    // The lab's receipt: 200 {box, received, sent, missing, unexpected}; 404 for a box not handed
    // to the caller's lab; 422 box_received (a receipt is made once).
    Result<Answer> Receive(const auth::Principal& who, int64_t box_id, const std::string& key,
                           const std::vector<std::string>& tube_barcodes);

    Result<std::vector<Box>> List(const auth::Principal& who, int64_t round_id, int64_t site_id);
    // Boxes handed to the caller's labs (boxes.receive), of that barcode when not empty.
    Result<std::vector<Box>> ListForLab(const auth::Principal& who, const std::string& barcode);
    Result<BoxDetail> Get(const auth::Principal& who, int64_t box_id);

private:
    // Runs a keyed write on a box the caller may change (boxes.write); `apply` sees it fresh.
    Result<Answer> OnBox(
        const auth::Principal& who, int64_t box_id, const WriteKey& w,
        const std::function<Result<Answer>(db::Session&, const BoxAtSite&)>& apply);

    db::Database& db_;
    Clock& clock_;
};

}  // namespace bulwark::testing
