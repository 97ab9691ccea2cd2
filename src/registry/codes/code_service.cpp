#include "registry/codes/code_service.hpp"

#include "auth/audit_log.hpp"
#include "auth/personal_data.hpp"
#include "registry/codes/code_cards.hpp"
#include "registry/codes/code_store.hpp"
#include "registry/codes/qr_code.hpp"
#include "registry/registry_store.hpp"

namespace bulwark::registry {
namespace {

Error Missing() { return NotFound("未找到"); }

std::string Place(const ResidentDetail& d) {
    std::string out = d.building;
    if (!d.unit.empty()) out += " " + d.unit;
    return out + " " + d.room;
}

}  // namespace

CodeService::CodeService(db::Database& db, Clock& clock) : db_(db), clock_(clock) {}

Result<std::string> CodeService::CodeSvg(const auth::Principal& who, int64_t resident_id,
                                         const std::string& origin) {
    ASSIGN_OR_RETURN(auto found, db_.ReadValue([&](db::Session& s) {
        return RegistryStore::GetResident(s, resident_id);
    }));
    if (!found || !who.CanAt("residents.read", found->resident.placement())) return Missing();
    auth::AuditEntry entry = auth::AuditLog::For(who, "resident.code");
    entry.subject_kind = "resident";
    entry.subject_id = resident_id;
    entry.at = clock_.NowMillis();
    RETURN_IF_ERROR(db_.Write([&](db::Session& s) { return auth::AuditLog::Append(s, entry); }));
    ASSIGN_OR_RETURN(QrMatrix qr, EncodeQr(ResidentCodeLink(origin, found->resident.code_token)));
    return QrSvg(qr, "个人采样码 " + auth::MaskName(found->resident.name));
}

Result<std::string> CodeService::CardsPdf(const auth::Principal& who, int64_t building_id,
                                          int64_t household_id, const std::string& origin) {
    if ((building_id == 0) == (household_id == 0)) {
        return InvalidArgument("请给出 building_id 或 household_id (其一)", "building_id");
    }
    std::vector<ResidentDetail> residents;
    std::string heading;
    RETURN_IF_ERROR(db_.Read([&](db::Session& s) -> Status {
        if (building_id != 0) {
            ASSIGN_OR_RETURN(auto building, RegistryStore::GetBuilding(s, building_id));
            auth::Placement where;
            if (building) {
                where = {.street_id = building->street_id,
                         .community_id = building->community_id,
                         .grid_id = building->grid_id};
            }
            if (!building || !who.CanAt("codes.print", where)) return Missing();
            ASSIGN_OR_RETURN(residents,
                             CodeStore::ResidentsOfBuilding(s, building_id, kMaxCards + 1));
            heading = building->name;
        } else {
            ASSIGN_OR_RETURN(residents,
                             CodeStore::ResidentsOfHousehold(s, household_id, kMaxCards + 1));
            // An empty or out-of-scope household looks like a missing one.
            if (residents.empty() ||
                !who.CanAt("codes.print", residents.front().resident.placement())) {
                return Missing();
            }
            heading = Place(residents.front());
        }
        return Ok();
    }));
    if (static_cast<int>(residents.size()) > kMaxCards) {
        return InvalidArgument("一次最多打印 " + std::to_string(kMaxCards) + " 张, 请按住户打印");
    }
    if (!residents.empty()) heading = residents.front().community + " " + heading;
    auth::AuditEntry entry = auth::AuditLog::For(who, "resident.codes_print");
    entry.subject_kind = building_id != 0 ? "building" : "household";
    entry.subject_id = building_id != 0 ? building_id : household_id;
    entry.detail = "{\"cards\":" + std::to_string(residents.size()) + "}";
    entry.at = clock_.NowMillis();
    RETURN_IF_ERROR(db_.Write([&](db::Session& s) { return auth::AuditLog::Append(s, entry); }));
    std::vector<CodeCard> cards;
    cards.reserve(residents.size());
    for (const ResidentDetail& d : residents) {
        cards.push_back({.masked_name = auth::MaskName(d.resident.name),
                         .place = Place(d),
                         .link = ResidentCodeLink(origin, d.resident.code_token)});
    }
    return RenderCodeCards(cards, heading + " 个人采样码");
}

}  // namespace bulwark::registry
