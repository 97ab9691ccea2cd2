// People without a code at a sampling site: lookup and floating registration.
#include <boost/json.hpp>
#include <map>

#include "auth/audit_log.hpp"
#include "auth/personal_data.hpp"
#include "testing/round_store.hpp"
#include "testing/sampling_service.hpp"
#include "testing/site_store.hpp"

namespace bulwark::testing {
namespace {

namespace json = boost::json;

constexpr const char* kLookup = "sampling.lookup";
constexpr const char* kFloating = "sampling.register_floating";
constexpr int kMaxLookup = 20;

std::string Canonical(std::initializer_list<std::string> parts) {
    std::string out;
    for (const std::string& p : parts) {
        out += p;
        out += '\x1f';
    }
    return out;
}

}  // namespace

Result<Answer> SamplingService::RegisterFloating(const auth::Principal& who,
                                                 const FloatingRequest& req) {
    const registry::FloatingInput& p = req.person;
    const WriteKey w{
        req.key, who.user_id, "floating",
        RequestHash(
            Canonical({std::to_string(req.round_id), std::to_string(req.site_id), p.name,
                       p.doc_type, p.doc_number, p.phone, std::to_string(p.building_id), p.room}))};
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
    if (!site || !who.CanAt(kFloating, site->placement())) {
        return Idempotency::Record(db_, clock_, w,
                                   Rejection(404, "not_found", "采样点未找到", "site_id"));
    }
    if (!round || round->community_id != site->community_id) {
        return Idempotency::Record(db_, clock_, w,
                                   Rejection(404, "not_found", "检测轮次未找到", "round_id"));
    }
    if (!std::binary_search(round->site_ids.begin(), round->site_ids.end(), site->id)) {
        return Idempotency::Record(
            db_, clock_, w,
            Rejection(422, "site_not_in_round", "该采样点不参加本轮检测", "site_id"));
    }
    return Idempotency::Apply(db_, clock_, w, [&](db::Session& s) -> Result<Answer> {
        bool existing = false;
        ASSIGN_OR_RETURN(registry::SamplingSubject person,
                         access_->RegisterFloating(s, site->community_id, p, &existing));
        auth::AuditEntry e = auth::AuditLog::For(who, "sampling.register_floating");
        e.subject_kind = "resident";
        e.subject_id = person.id;
        e.detail = "{\"site_id\":" + std::to_string(site->id) +
                   ",\"round_id\":" + std::to_string(round->id) +
                   ",\"existing\":" + (existing ? "true" : "false") + "}";
        e.at = now;
        RETURN_IF_ERROR(auth::AuditLog::Append(s, e));
        return Answer{201,
                      json::serialize(json::object{{"resident_id", person.id},
                                                   {"name_masked", auth::MaskName(person.name)},
                                                   {"existing", existing}})};
    });
}

Result<std::vector<registry::ScannerResidentView>> SamplingService::Lookup(
    const auth::Principal& who, const LookupRequest& req) {
    const bool by_document = !req.doc_number.empty();
    if (!by_document && (req.name.empty() || req.building_id == 0 || req.room.empty())) {
        return InvalidArgument("请填写证件号码, 或姓名、楼栋和房号", "doc_number");
    }
    std::vector<registry::SamplingSubject> found;
    RETURN_IF_ERROR(db_.Read([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(auto round, RoundStore::Get(s, req.round_id, false));
        if (!round || !RoundCovers(who, kLookup, *round)) return NotFound("未找到");
        if (by_document) {
            ASSIGN_OR_RETURN(auto one, access_->ByDocument(s, req.doc_number));
            if (one) found.push_back(std::move(*one));
        } else {
            ASSIGN_OR_RETURN(
                found, access_->AtAddress(s, req.name, req.building_id, req.room, kMaxLookup));
            // Names at an address are searched within the round's community only.
            std::erase_if(found, [&](const registry::SamplingSubject& x) {
                return x.community_id != round->community_id;
            });
        }
        return Ok();
    }));
    // The audit row names how the search was made and what it returned, never the number.
    auth::AuditEntry e = auth::AuditLog::For(who, "sampling.lookup");
    e.subject_kind = found.size() == 1 ? "resident" : "";
    e.subject_id = found.size() == 1 ? found.front().id : 0;
    e.detail = std::string("{\"round_id\":") + std::to_string(req.round_id) + ",\"by\":\"" +
               (by_document ? "doc_number" : "address") +
               "\",\"returned\":" + std::to_string(found.size()) + "}";
    e.at = clock_.NowMillis();
    RETURN_IF_ERROR(db_.Write([&](db::Session& s) { return auth::AuditLog::Append(s, e); }));
    std::vector<registry::ScannerResidentView> out;
    for (const registry::SamplingSubject& x : found) out.push_back(x.View());
    return out;
}

Result<std::vector<LookupBuilding>> SamplingService::Buildings(const auth::Principal& who,
                                                               int64_t round_id) {
    return db_.ReadValue([&](db::Session& s) -> Result<std::vector<LookupBuilding>> {
        ASSIGN_OR_RETURN(auto round, RoundStore::Get(s, round_id, false));
        if (!round || !RoundCovers(who, kLookup, *round)) return NotFound("未找到");
        ASSIGN_OR_RETURN(auto grids, access_->GridsOf(s, round->community_id));
        ASSIGN_OR_RETURN(auto buildings, access_->BuildingsOf(s, round->community_id));
        std::map<int64_t, std::string> grid_names;
        for (const registry::Grid& g : grids) grid_names[g.id] = g.name;
        std::vector<LookupBuilding> out;
        for (const registry::Building& b : buildings) {
            out.push_back({.id = b.id, .name = b.name, .grid = grid_names[b.grid_id]});
        }
        return out;
    });
}

}  // namespace bulwark::testing
