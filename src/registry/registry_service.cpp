#include "registry/registry_service.hpp"

#include <algorithm>

#include "auth/audit_log.hpp"
#include "registry/id_number.hpp"
#include "registry/sealing.hpp"

namespace bulwark::registry {
namespace {

// A room as typed in a search box, as rooms are stored: full-width folded, spaces trimmed, a
// final 室/号/房 after digits dropped.
std::string SearchedRoom(std::string_view typed) {
    std::string room = FoldFullWidth(typed);
    while (!room.empty() && room.back() == ' ') room.pop_back();
    room.erase(0, room.find_first_not_of(' '));
    for (std::string_view suffix : {"室", "号", "房"}) {
        if (room.size() > suffix.size() && room.ends_with(suffix) &&
            std::all_of(room.begin(), room.end() - static_cast<std::ptrdiff_t>(suffix.size()),
                        [](char c) { return c >= '0' && c <= '9'; })) {
            room.resize(room.size() - suffix.size());
            break;
        }
    }
    return room;
}

constexpr const char* kRead = "residents.read";
constexpr const char* kWrite = "residents.write";
constexpr const char* kUnmask = "residents.unmask";

Error Missing() { return NotFound("未找到"); }

bool AllDigits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsAsciiLetters(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
}

// Chooses how to search from the query text. Returns a short description of the kind of search
// for the audit row: never the text itself when it is (part of) a document number or a phone.
std::string ApplySearch(const std::string& raw, const auth::PersonalDataCipher& cipher,
                        ResidentFilter* f) {
    std::string doc = NormaliseDocument(raw);
    if (doc.empty()) return "";
    std::string phone = NormalisePhone(raw);
    if (doc.size() == 4 && (AllDigits(doc) || (AllDigits(doc.substr(0, 3)) && doc[3] == 'X'))) {
        f->tail = doc;
        return "tail";
    }
    if (ValidatePhone(phone).ok()) {
        f->blind_index = cipher.BlindIndex(phone);
        return "exact";
    }
    bool has_digit =
        std::any_of(doc.begin(), doc.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (doc.size() >= 6 && has_digit && std::all_of(doc.begin(), doc.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
        })) {
        f->blind_index = cipher.BlindIndex(doc);
        return "exact";
    }
    std::string folded = FoldFullWidth(raw);
    folded.erase(std::remove(folded.begin(), folded.end(), ' '), folded.end());
    if (IsAsciiLetters(folded)) {
        for (char& c : folded) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        f->initials_prefix = folded;
        return "initials";
    }
    f->name_like = NormaliseName(raw);
    return "name";
}

}  // namespace

RegistryService::RegistryService(db::Database& db, const auth::PersonalDataCipher& cipher,
                                 Clock& clock)
    : db_(db), cipher_(cipher), clock_(clock) {}

int32_t RegistryService::Today() const { return DateFromMillis(clock_.NowMillis()); }

Result<MaskedResident> RegistryService::Mask(const ResidentDetail& detail) const {
    ASSIGN_OR_RETURN(Unsealed plain, Unseal(cipher_, detail.resident));
    MaskedResident m;
    m.detail = detail;
    if (!plain.doc_number.empty()) {
        m.doc_number_masked =
            detail.resident.doc_type == DocType::kIdCard
                ? auth::MaskIdNumber(plain.doc_number)
                : std::string(plain.doc_number.size() - Tail(plain.doc_number).size(), '*') +
                      Tail(plain.doc_number);
    }
    if (!plain.phone.empty()) m.phone_masked = auth::MaskPhone(plain.phone);
    int32_t today = Today();
    m.tags = EffectiveTags(detail.resident.tags, detail.resident.birth_date, today);
    m.age = AgeOn(detail.resident.birth_date, today);
    return m;
}

Status RegistryService::Audit(const auth::Principal& who, const char* action, int64_t subject_id,
                              std::string detail, std::string reason) {
    auth::AuditEntry entry = auth::AuditLog::For(who, action);
    entry.subject_kind = subject_id != 0 ? "resident" : "";
    entry.subject_id = subject_id;
    entry.detail = std::move(detail);
    entry.reason = std::move(reason);
    entry.at = clock_.NowMillis();
    return db_.Write([&](db::Session& s) { return auth::AuditLog::Append(s, entry); });
}

Result<ResidentFilter> RegistryService::FilterFor(const auth::Principal& who,
                                                  const ResidentQuery& query,
                                                  std::string_view permission,
                                                  std::string* search) const {
    ResidentFilter f;
    f.scope = ScopeFilter::FromScopes(who.ScopesFor(permission));
    f.street_id = query.street_id;
    f.community_id = query.community_id;
    f.grid_id = query.grid_id;
    f.building_id = query.building_id;
    if (!query.room.empty()) {
        // Rooms are stored as imported ("1203"); a full-width, spaced or "1203室" one finds
        // them too.
        f.room = SearchedRoom(query.room);
        if (f.room.empty() || f.room.size() > 20) {
            return InvalidArgument("房号应为 1 到 20 个字符", "room");
        }
    }
    if (query.sort == "name") {
        f.by_name = true;
    } else if (!query.sort.empty() && query.sort != "address") {
        return InvalidArgument("sort 应为 address 或 name", "sort");
    }
    if (!query.tag.empty()) {
        uint32_t bit = TagBit(query.tag);
        if (bit == 0) return InvalidArgument("未知标签 " + query.tag, "tag");
        int32_t today = Today();
        if (bit == tags::kElderly60) {
            f.born_on_or_before = today - 600000;
        } else if (bit == tags::kElderly80) {
            f.born_on_or_before = today - 800000;
        } else {
            f.any_tags = bit;
        }
    }
    if (!query.presence.empty()) {
        Presence p;
        if (!ParsePresence(query.presence, &p)) {
            return InvalidArgument("presence 应为 present、away 或 moved_out", "presence");
        }
        f.presence = p;
    }
    if (query.page < 1) return InvalidArgument("page 应从 1 开始", "page");
    if (query.page_size < 1) return InvalidArgument("page_size 应大于 0", "page_size");
    *search = ApplySearch(query.q, cipher_, &f);
    f.limit = query.page_size;
    f.offset = (query.page - 1) * query.page_size;
    return f;
}

Result<ResidentPage> RegistryService::ListResidents(const auth::Principal& who,
                                                    const ResidentQuery& query) {
    if (query.page_size < 1 || query.page_size > 200) {
        return InvalidArgument("page_size 应在 1 到 200 之间", "page_size");
    }
    std::string search;
    ASSIGN_OR_RETURN(ResidentFilter f, FilterFor(who, query, kRead, &search));

    ResidentPage page{.page = query.page, .page_size = query.page_size};
    std::vector<ResidentDetail> rows;
    RETURN_IF_ERROR(db_.Read([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(page.total, RegistryStore::CountResidents(s, f));
        ASSIGN_OR_RETURN(rows, RegistryStore::ListResidents(s, f));
        return Ok();
    }));
    // The filters, never the searched text when it is a number.
    std::string detail = "{\"street_id\":" + std::to_string(query.street_id) +
                         ",\"community_id\":" + std::to_string(query.community_id) +
                         ",\"grid_id\":" + std::to_string(query.grid_id) +
                         ",\"building_id\":" + std::to_string(query.building_id) + ",\"tag\":\"" +
                         query.tag + "\",\"presence\":\"" + query.presence + "\",\"search\":\"" +
                         search + "\",\"page\":" + std::to_string(query.page) +
                         ",\"returned\":" + std::to_string(rows.size()) + "}";
    RETURN_IF_ERROR(Audit(who, "resident.search", 0, std::move(detail)));
    for (const ResidentDetail& d : rows) {
        ASSIGN_OR_RETURN(MaskedResident m, Mask(d));
        page.items.push_back(std::move(m));
    }
    return page;
}

Result<MaskedResident> RegistryService::GetResident(const auth::Principal& who, int64_t id) {
    ASSIGN_OR_RETURN(auto found, db_.ReadValue([&](db::Session& s) {
        return RegistryStore::GetResident(s, id);
    }));
    if (!found || !who.CanAt(kRead, found->resident.placement())) return Missing();
    RETURN_IF_ERROR(Audit(who, "resident.read", id, ""));
    return Mask(*found);
}

Result<PersonalValues> RegistryService::Unmask(const auth::Principal& who, int64_t id,
                                               const std::string& raw_reason) {
    ASSIGN_OR_RETURN(std::string reason, CleanLabel(raw_reason, "reason", "查看原因", 200));
    ASSIGN_OR_RETURN(auto found, db_.ReadValue([&](db::Session& s) {
        return RegistryStore::GetResident(s, id);
    }));
    if (!found || !who.CanAt(kRead, found->resident.placement())) return Missing();
    if (!who.CanAt(kUnmask, found->resident.placement())) {
        return PermissionDenied("无权查看完整证件号码和电话");
    }
    ASSIGN_OR_RETURN(Unsealed plain, Unseal(cipher_, found->resident));
    RETURN_IF_ERROR(Audit(who, "resident.unmask", id, "", reason));
    return PersonalValues{.doc_number = std::move(plain.doc_number),
                          .phone = std::move(plain.phone)};
}

Result<ResidentDetail> RegistryService::LoadForWrite(db::Session& s, const auth::Principal& who,
                                                     int64_t id) {
    ASSIGN_OR_RETURN(auto found, RegistryStore::GetResident(s, id));
    if (!found || !who.CanAt(kRead, found->resident.placement())) return Missing();
    if (!who.CanAt(kWrite, found->resident.placement())) return PermissionDenied("无权修改该居民");
    return std::move(*found);
}

namespace {

// Moves `r` into the household at building/unit/room (created if needed), checking that the
// caller may write there.
Status PlaceResident(db::Session& s, const auth::Principal& who, int64_t building_id,
                     const std::string& unit, const std::string& room, Resident* r) {
    ASSIGN_OR_RETURN(auto building, RegistryStore::GetBuilding(s, building_id));
    auth::Placement where;
    if (building) {
        where = {.street_id = building->street_id,
                 .community_id = building->community_id,
                 .grid_id = building->grid_id};
    }
    if (!building || !who.CanAt(kWrite, where)) {
        return Error(ErrorCode::kNotFound, "楼栋未找到", "building_id");
    }
    ASSIGN_OR_RETURN(
        Household h,
        RegistryStore::FindOrCreateHousehold(
            s,
            {.building_id = building_id, .unit = unit, .room = room, .floor = FloorOfRoom(room)}));
    r->household_id = h.id;
    r->building_id = building->id;
    r->grid_id = building->grid_id;
    r->community_id = building->community_id;
    r->street_id = building->street_id;
    return Ok();
}

// kAlreadyExists if another resident holds this document number.
Status CheckDocumentFree(db::Session& s, const Resident& r, int64_t self_id) {
    if (r.doc_type == DocType::kNone || r.doc_idx.empty()) return Ok();
    ASSIGN_OR_RETURN(auto holder, RegistryStore::FindIdByDocIndex(s, r.doc_idx));
    if (holder && *holder != self_id) return AlreadyExists("该证件号码已登记", "doc_number");
    return Ok();
}

}  // namespace

Result<MaskedResident> RegistryService::CreateResident(const auth::Principal& who,
                                                       const ResidentInput& input) {
    if (!input.building_id) return InvalidArgument("缺少字段 building_id", "building_id");
    ASSIGN_OR_RETURN(std::string unit,
                     CleanLabel(input.unit.value_or(""), "unit", "单元", 20, false));
    ASSIGN_OR_RETURN(std::string room, CleanLabel(input.room.value_or(""), "room", "房号", 20));
    Resident r;
    PersonalValues personal;
    RETURN_IF_ERROR(ApplyResidentInput(input, true, Today(), &r, &personal));
    SealDocument(cipher_, r.doc_type, personal.doc_number, &r);
    SealPhone(cipher_, personal.phone, &r);
    r.code_token = NewCodeToken();
    r.code_issued_at = r.created_at = r.updated_at = clock_.NowMillis();
    r.version = 1;

    auth::AuditEntry entry = auth::AuditLog::For(who, "resident.create");
    entry.subject_kind = "resident";
    entry.at = r.created_at;
    ASSIGN_OR_RETURN(ResidentDetail stored,
                     db_.WriteValue([&](db::Session& s) -> Result<ResidentDetail> {
                         RETURN_IF_ERROR(PlaceResident(s, who, *input.building_id, unit, room, &r));
                         RETURN_IF_ERROR(CheckDocumentFree(s, r, 0));
                         ASSIGN_OR_RETURN(r.id, RegistryStore::InsertResident(s, r));
                         entry.subject_id = r.id;
                         RETURN_IF_ERROR(auth::AuditLog::Append(s, entry));
                         ASSIGN_OR_RETURN(auto detail, RegistryStore::GetResident(s, r.id));
                         if (!detail) return Internal("residents: new row vanished");
                         return std::move(*detail);
                     }));
    return Mask(stored);
}

Result<MaskedResident> RegistryService::UpdateResident(const auth::Principal& who, int64_t id,
                                                       int64_t version,
                                                       const ResidentInput& input) {
    int32_t today = Today();
    int64_t now = clock_.NowMillis();
    ASSIGN_OR_RETURN(
        ResidentDetail stored, db_.WriteValue([&](db::Session& s) -> Result<ResidentDetail> {
            ASSIGN_OR_RETURN(ResidentDetail current, LoadForWrite(s, who, id));
            if (current.resident.version != version) {
                return FailedPrecondition("该居民信息已被他人修改, 请刷新后重试", "version");
            }
            Resident r = current.resident;
            ASSIGN_OR_RETURN(Unsealed plain, Unseal(cipher_, r));
            PersonalValues personal{.doc_number = plain.doc_number, .phone = plain.phone};
            RETURN_IF_ERROR(ApplyResidentInput(input, false, today, &r, &personal));
            std::vector<std::string> changed;
            if (personal.doc_number != plain.doc_number ||
                r.doc_type != current.resident.doc_type) {
                SealDocument(cipher_, r.doc_type, personal.doc_number, &r);
                RETURN_IF_ERROR(CheckDocumentFree(s, r, id));
                changed.push_back("doc_number");
            }
            if (personal.phone != plain.phone) {
                SealPhone(cipher_, personal.phone, &r);
                changed.push_back("phone");
            }
            if (input.building_id || input.unit || input.room) {
                ASSIGN_OR_RETURN(std::string unit, CleanLabel(input.unit.value_or(current.unit),
                                                              "unit", "单元", 20, false));
                ASSIGN_OR_RETURN(std::string room,
                                 CleanLabel(input.room.value_or(current.room), "room", "房号", 20));
                RETURN_IF_ERROR(PlaceResident(s, who, input.building_id.value_or(r.building_id),
                                              unit, room, &r));
                if (r.household_id != current.resident.household_id) changed.push_back("household");
            }
            const Resident& o = current.resident;
            if (r.name != o.name) changed.push_back("name");
            if (r.sex != o.sex) changed.push_back("sex");
            if (r.birth_date != o.birth_date) changed.push_back("birth_date");
            if (r.residency != o.residency) changed.push_back("residency");
            if (r.presence != o.presence) changed.push_back("presence");
            if (r.tags != o.tags) changed.push_back("tags");
            if (r.notes != o.notes) changed.push_back("notes");
            r.updated_at = now;
            ASSIGN_OR_RETURN(bool updated, RegistryStore::UpdateResident(s, r, version));
            if (!updated)
                return FailedPrecondition("该居民信息已被他人修改, 请刷新后重试", "version");
            auth::AuditEntry entry = auth::AuditLog::For(who, "resident.update");
            entry.subject_kind = "resident";
            entry.subject_id = id;
            entry.at = now;
            entry.detail = "{\"changed\":[";
            for (size_t i = 0; i < changed.size(); ++i) {
                entry.detail += (i ? ",\"" : "\"") + changed[i] + "\"";
            }
            entry.detail += "]}";
            RETURN_IF_ERROR(auth::AuditLog::Append(s, entry));
            ASSIGN_OR_RETURN(auto detail, RegistryStore::GetResident(s, id));
            if (!detail) return Internal("residents: updated row vanished");
            return std::move(*detail);
        }));
    return Mask(stored);
}

Result<std::vector<MaskedDuplicateGroup>> RegistryService::Duplicates(const auth::Principal& who) {
    ScopeFilter scope = ScopeFilter::FromScopes(who.ScopesFor(kRead));
    ASSIGN_OR_RETURN(std::vector<DuplicateGroup> groups, db_.ReadValue([&](db::Session& s) {
        return RegistryStore::ListDuplicates(s, scope, 200);
    }));
    RETURN_IF_ERROR(
        Audit(who, "resident.duplicates", 0, "{\"groups\":" + std::to_string(groups.size()) + "}"));
    std::vector<MaskedDuplicateGroup> out;
    for (const DuplicateGroup& g : groups) {
        MaskedDuplicateGroup m{.name = g.name, .birth_date = g.birth_date};
        for (const ResidentDetail& d : g.members) {
            ASSIGN_OR_RETURN(MaskedResident masked, Mask(d));
            m.members.push_back(std::move(masked));
        }
        out.push_back(std::move(m));
    }
    return out;
}

Result<ResidentDetail> RegistryService::ResidentByCode(const std::string& token) {
    if (token.empty() || token.size() > 64) return Missing();
    ASSIGN_OR_RETURN(auto found, db_.ReadValue([&](db::Session& s) {
        return RegistryStore::FindByCodeToken(s, token);
    }));
    if (!found) return Missing();
    return std::move(*found);
}

Result<Resident> RegistryService::ReissueCode(const auth::Principal& who, int64_t id) {
    int64_t now = clock_.NowMillis();
    std::string token = NewCodeToken();
    return db_.WriteValue([&](db::Session& s) -> Result<Resident> {
        ASSIGN_OR_RETURN(ResidentDetail current, LoadForWrite(s, who, id));
        ASSIGN_OR_RETURN(bool replaced, RegistryStore::ReplaceCodeToken(s, id, token, now));
        if (!replaced) return Missing();
        auth::AuditEntry entry = auth::AuditLog::For(who, "resident.code_reissue");
        entry.subject_kind = "resident";
        entry.subject_id = id;
        entry.at = now;
        RETURN_IF_ERROR(auth::AuditLog::Append(s, entry));
        Resident r = current.resident;
        r.code_token = token;
        r.code_issued_at = now;
        return r;
    });
}

}  // namespace bulwark::registry
