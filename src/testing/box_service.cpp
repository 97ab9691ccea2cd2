#include "testing/box_service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "testing/model.hpp"
#include "testing/round_store.hpp"
#include "testing/sampling_store.hpp"
#include "testing/site_store.hpp"
#include "testing/testing_json.hpp"

namespace bulwark::testing {
namespace {

namespace json = boost::json;

constexpr const char* kRead = "boxes.read";
constexpr const char* kWrite = "boxes.write";
constexpr const char* kReceive = "boxes.receive";

std::string Canonical(std::initializer_list<std::string> parts) {
    std::string out;
    for (const std::string& p : parts) {
        out += p;
        out += '\x1f';
    }
    return out;
}

Answer Missing(std::string_view message, std::string_view field = {}) {
    return Rejection(404, "not_found", message, field);
}

Answer BoxAnswer(const Box& box, int status = 200) {
    return Answer{status, json::serialize(BoxJson(box))};
}

Result<BoxAtSite> Reload(db::Session& s, int64_t box_id) {
    ASSIGN_OR_RETURN(auto box, BoxStore::GetBox(s, box_id));
    if (!box) return Internal("transport_boxes: a box vanished");
    return std::move(*box);
}

}  // namespace

BoxService::BoxService(db::Database& db, Clock& clock) : db_(db), clock_(clock) {}

Result<Answer> BoxService::OpenBox(const auth::Principal& who, const OpenBoxRequest& req) {
    const WriteKey w{req.key, who.user_id, "box_open",
                     RequestHash(Canonical({std::to_string(req.round_id),
                                            std::to_string(req.site_id), req.barcode}))};
    const int64_t now = clock_.NowMillis();
    std::optional<StoredRequest> stored;
    std::optional<Site> site;
    std::optional<Round> round;
    RETURN_IF_ERROR(db_.Read([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(stored, RequestStore::Find(s, req.key));
        if (stored) return Ok();
        ASSIGN_OR_RETURN(site, SiteStore::GetSite(s, req.site_id));
        ASSIGN_OR_RETURN(round, RoundStore::Get(s, req.round_id, false));
        return Ok();
    }));
    if (stored) return Idempotency::Replay(*stored, w);
    if (!site || !who.CanAt(kWrite, site->placement())) {
        return Idempotency::Record(db_, clock_, w, Missing("采样点未找到", "site_id"));
    }
    if (!round || round->community_id != site->community_id) {
        return Idempotency::Record(db_, clock_, w, Missing("检测轮次未找到", "round_id"));
    }
    if (!std::binary_search(round->site_ids.begin(), round->site_ids.end(), site->id)) {
        return Idempotency::Record(
            db_, clock_, w,
            Rejection(422, "site_not_in_round", "该采样点不参加本轮检测", "site_id"));
    }
    Box box{.round_id = round->id, .site_id = site->id, .barcode = req.barcode, .created_at = now};
    return Idempotency::Apply(db_, clock_, w, [&](db::Session& s) -> Result<Answer> {
        ASSIGN_OR_RETURN(auto id, BoxStore::InsertBox(s, box, who.user_id));
        if (!id) {
            return Rejection(409, "box_barcode_used", "转运箱条码已被使用", "barcode");
        }
        box.id = *id;
        return BoxAnswer(box, 201);
    });
}

Result<Answer> BoxService::OnBox(
    const auth::Principal& who, int64_t box_id, const WriteKey& w,
    const std::function<Result<Answer>(db::Session&, const BoxAtSite&)>& apply) {
    std::optional<StoredRequest> stored;
    std::optional<BoxAtSite> box;
    RETURN_IF_ERROR(db_.Read([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(stored, RequestStore::Find(s, w.key));
        if (stored) return Ok();
        ASSIGN_OR_RETURN(box, BoxStore::GetBox(s, box_id));
        return Ok();
    }));
    if (stored) return Idempotency::Replay(*stored, w);
    if (!box || !who.CanAt(kWrite, box->placement())) {
        return Idempotency::Record(db_, clock_, w, Missing("转运箱未找到"));
    }
    return Idempotency::Apply(db_, clock_, w, [&](db::Session& s) -> Result<Answer> {
        ASSIGN_OR_RETURN(BoxAtSite fresh, Reload(s, box_id));
        return apply(s, fresh);
    });
}

Result<Answer> BoxService::PackTube(const auth::Principal& who, int64_t box_id,
                                    const std::string& key, const std::string& tube_barcode) {
    const WriteKey w{key, who.user_id, "box_pack",
                     RequestHash(Canonical({std::to_string(box_id), tube_barcode}))};
    return OnBox(who, box_id, w, [&](db::Session& s, const BoxAtSite& box) -> Result<Answer> {
        ASSIGN_OR_RETURN(auto tube, SamplingStore::TubeByBarcode(s, tube_barcode));
        if (!tube || tube->tube.site_id != box.box.site_id) {
            return Missing("试管未找到", "tube_barcode");
        }
        const Tube& t = tube->tube;
        if (t.box_id == box.box.id) return BoxAnswer(box.box);
        if (box.box.status != BoxStatus::kOpen) {
            return Rejection(422, "box_not_open", "转运箱已封箱, 不能再装试管", "tube_barcode");
        }
        if (t.round_id != box.box.round_id) {
            return Rejection(422, "tube_other_round", "该试管属于另一轮检测", "tube_barcode");
        }
        if (t.status != TubeStatus::kClosed) {
            return Rejection(422, "tube_not_closed", "试管尚未封管, 请先封管", "tube_barcode");
        }
        if (t.box_id != 0) {
            return Rejection(422, "tube_in_other_box", "该试管已装入另一个转运箱", "tube_barcode");
        }
        ASSIGN_OR_RETURN(bool packed, BoxStore::PackTube(s, box.box.id, t.id));
        if (!packed) {
            return Rejection(422, "tube_in_other_box", "该试管已装入另一个转运箱", "tube_barcode");
        }
        ASSIGN_OR_RETURN(BoxAtSite after, Reload(s, box.box.id));
        return BoxAnswer(after.box);
    });
}

Result<Answer> BoxService::Seal(const auth::Principal& who, int64_t box_id,
                                const std::string& key) {
    const WriteKey w{key, who.user_id, "box_seal", RequestHash(std::to_string(box_id))};
    const int64_t now = clock_.NowMillis();
    return OnBox(who, box_id, w, [&](db::Session& s, const BoxAtSite& box) -> Result<Answer> {
        if (box.box.status != BoxStatus::kOpen) return BoxAnswer(box.box);
        if (box.box.tube_count == 0) {
            return Rejection(422, "box_empty", "转运箱里还没有试管");
        }
        ASSIGN_OR_RETURN(bool sealed, BoxStore::Seal(s, box.box.id, now));
        (void)sealed;
        ASSIGN_OR_RETURN(BoxAtSite after, Reload(s, box.box.id));
        return BoxAnswer(after.box);
    });
}

Result<Answer> BoxService::HandOver(const auth::Principal& who, int64_t box_id,
                                    const std::string& key, int64_t lab_id) {
    const WriteKey w{key, who.user_id, "box_handover",
                     RequestHash(Canonical({std::to_string(box_id), std::to_string(lab_id)}))};
    const int64_t now = clock_.NowMillis();
    return OnBox(who, box_id, w, [&](db::Session& s, const BoxAtSite& box) -> Result<Answer> {
        ASSIGN_OR_RETURN(auto lab, SiteStore::GetLab(s, lab_id));
        if (!lab) return Missing("检测机构未找到", "lab_id");
        if (box.box.status == BoxStatus::kOpen) {
            return Rejection(422, "box_not_sealed", "请先封箱再交接");
        }
        if (box.box.status != BoxStatus::kSealed) {
            if (box.box.lab_id == lab_id && box.box.status == BoxStatus::kHandedOver) {
                return BoxAnswer(box.box);
            }
            return Rejection(422, "box_handed_over", "转运箱已交接给检测机构");
        }
        ASSIGN_OR_RETURN(bool handed, BoxStore::HandOver(s, box.box.id, lab_id, now));
        (void)handed;
        ASSIGN_OR_RETURN(BoxAtSite after, Reload(s, box.box.id));
        return BoxAnswer(after.box);
    });
}

Result<Answer> BoxService::Receive(const auth::Principal& who, int64_t box_id,
                                   const std::string& key,
                                   const std::vector<std::string>& tube_barcodes) {
    std::vector<std::string> sorted = tube_barcodes;
    std::sort(sorted.begin(), sorted.end());
    std::string canonical = std::to_string(box_id);
    for (const std::string& b : sorted) canonical += '\x1f' + b;
    const WriteKey w{key, who.user_id, "box_receipt", RequestHash(canonical)};
    const int64_t now = clock_.NowMillis();
    std::optional<StoredRequest> stored;
    std::optional<BoxAtSite> box;
    RETURN_IF_ERROR(db_.Read([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(stored, RequestStore::Find(s, key));
        if (stored) return Ok();
        ASSIGN_OR_RETURN(box, BoxStore::GetBox(s, box_id));
        return Ok();
    }));
    if (stored) return Idempotency::Replay(*stored, w);
    // A lab sees a box only once it was handed to that lab.
    if (!box || box->box.lab_id == 0 || !who.CanAt(kReceive, box->placement())) {
        return Idempotency::Record(db_, clock_, w, Missing("转运箱未找到"));
    }
    return Idempotency::Apply(db_, clock_, w, [&](db::Session& s) -> Result<Answer> {
        ASSIGN_OR_RETURN(BoxAtSite fresh, Reload(s, box_id));
        if (fresh.box.status == BoxStatus::kReceived) {
            return Rejection(422, "box_received", "该转运箱已签收");
        }
        if (fresh.box.status != BoxStatus::kHandedOver) {
            return Rejection(422, "box_not_handed_over", "转运箱尚未交接");
        }
        ASSIGN_OR_RETURN(std::vector<Tube> tubes, BoxStore::TubesInBox(s, box_id));
        std::vector<std::string> sent;
        for (const Tube& t : tubes) sent.push_back(t.barcode);
        ReceiptComparison c = CompareReceipt(sent, tube_barcodes);
        std::vector<ReceiptItem> items;
        for (const std::string& b : sent) {
            bool missing = std::binary_search(c.missing.begin(), c.missing.end(), b);
            items.push_back({b, missing ? "missing" : "received"});
        }
        for (const std::string& b : c.unexpected) items.push_back({b, "unexpected"});
        ASSIGN_OR_RETURN(bool received, BoxStore::Receive(s, box_id, now, items));
        if (!received) return Rejection(422, "box_received", "该转运箱已签收");
        ASSIGN_OR_RETURN(BoxAtSite after, Reload(s, box_id));
        json::array missing;
        for (const std::string& b : c.missing) missing.emplace_back(b);
        json::array unexpected;
        for (const std::string& b : c.unexpected) unexpected.emplace_back(b);
        return Answer{200, json::serialize(json::object{{"box", BoxJson(after.box)},
                                                        {"received", c.received},
                                                        {"sent", c.sent},
                                                        {"missing", std::move(missing)},
                                                        {"unexpected", std::move(unexpected)}})};
    });
}

Result<std::vector<Box>> BoxService::List(const auth::Principal& who, int64_t round_id,
                                          int64_t site_id) {
    return db_.ReadValue([&](db::Session& s) -> Result<std::vector<Box>> {
        ASSIGN_OR_RETURN(auto round, RoundStore::Get(s, round_id, false));
        if (!round) return NotFound("未找到");
        ASSIGN_OR_RETURN(std::vector<Box> boxes, BoxStore::ListBoxes(s, round_id, site_id));
        std::erase_if(boxes, [&](const Box& b) {
            return !who.CanAt(kRead, {.street_id = round->street_id,
                                      .community_id = round->community_id,
                                      .site_id = b.site_id,
                                      .lab_id = b.lab_id});
        });
        // A round the caller cannot see answers as a missing one, so nobody learns that it
        // exists; an empty list means "no boxes yet" only for a round in scope.
        if (boxes.empty() && !RoundCovers(who, kRead, *round)) return NotFound("未找到");
        return boxes;
    });
}

Result<std::vector<Box>> BoxService::ListForLab(const auth::Principal& who,
                                                const std::string& barcode) {
    std::vector<int64_t> labs;
    for (const auth::Scope& scope : who.ScopesFor(kReceive)) {
        if (scope.kind == auth::ScopeKind::kLab) labs.push_back(scope.id);
    }
    if (labs.empty()) return std::vector<Box>();
    return db_.ReadValue([&](db::Session& s) { return BoxStore::ListForLabs(s, labs, barcode); });
}

Result<BoxDetail> BoxService::Get(const auth::Principal& who, int64_t box_id) {
    return db_.ReadValue([&](db::Session& s) -> Result<BoxDetail> {
        ASSIGN_OR_RETURN(auto box, BoxStore::GetBox(s, box_id));
        if (!box || !who.CanAt(kRead, box->placement())) return NotFound("未找到");
        BoxDetail detail{.box = box->box};
        ASSIGN_OR_RETURN(detail.tubes, BoxStore::TubesInBox(s, box_id));
        ASSIGN_OR_RETURN(detail.receipt, BoxStore::ReceiptItems(s, box_id));
        return detail;
    });
}

}  // namespace bulwark::testing
