#include "registry/resident_input.hpp"

#include "registry/id_number.hpp"
#include "registry/pinyin.hpp"

namespace bulwark::registry {
namespace {

size_t CodePoints(const std::string& s) {
    size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

Error FieldError(const char* field, const std::string& label, const std::string& reason) {
    return InvalidArgument(label + ": " + reason, field);
}

std::string DocLabel(DocType type) {
    switch (type) {
        case DocType::kIdCard:
            return "身份证号";
        case DocType::kPassport:
            return "护照号码";
        case DocType::kHkMacau:
            return "港澳通行证号码";
        case DocType::kTaiwan:
            return "台胞证号码";
        case DocType::kNone:
            return "证件号码";
    }
    return "证件号码";
}

}  // namespace

int FloorOfRoom(const std::string& room) {
    if (room.size() < 3 || room.size() > 5) return 0;
    for (char c : room) {
        if (c < '0' || c > '9') return 0;
    }
    return std::stoi(room) / 100;
}

Result<std::string> CleanLabel(const std::string& raw, const char* field, const char* label,
                               size_t max_chars, bool required) {
    std::string folded = FoldFullWidth(raw);
    size_t begin = folded.find_first_not_of(" \t\r\n");
    size_t end = folded.find_last_not_of(" \t\r\n");
    std::string out = begin == std::string::npos ? "" : folded.substr(begin, end - begin + 1);
    if (out.empty() && required) return FieldError(field, label, "不能为空");
    if (CodePoints(out) > max_chars) {
        return FieldError(field, label, "过长 (最多 " + std::to_string(max_chars) + " 个字)");
    }
    return out;
}

Status ApplyResidentInput(const ResidentInput& in, bool creating, int32_t today, Resident* r,
                          PersonalValues* personal) {
    if (in.name || creating) {
        std::string name = NormaliseName(in.name.value_or(""));
        if (name.empty()) return FieldError("name", "姓名", "不能为空");
        if (CodePoints(name) > 50) return FieldError("name", "姓名", "过长 (最多 50 个字)");
        r->name = name;
        r->name_initials = PinyinInitials(name);
    }
    if (in.doc_number) personal->doc_number = NormaliseDocument(*in.doc_number);
    if (in.doc_type) {
        if (!ParseDocType(*in.doc_type, &r->doc_type)) {
            return FieldError("doc_type", "证件类型",
                              "应为 id_card、passport、hk_macau、taiwan 或 none");
        }
    } else if (creating) {
        r->doc_type = personal->doc_number.empty() ? DocType::kNone : DocType::kIdCard;
    }
    if (r->doc_type == DocType::kNone && in.doc_type && !in.doc_number)
        personal->doc_number.clear();
    if (r->doc_type != DocType::kNone && personal->doc_number.empty()) {
        return FieldError("doc_number", DocLabel(r->doc_type), "不能为空");
    }
    if (Status s = ValidateDocument(r->doc_type, personal->doc_number, today); !s.ok()) {
        return FieldError("doc_number", DocLabel(r->doc_type), s.error().message);
    }

    std::optional<int32_t> birth;
    if (in.birth_date && !in.birth_date->empty()) {
        birth = ParseDate(FoldFullWidth(*in.birth_date));
        if (!birth || (today != 0 && *birth > today) || *birth < 19000101) {
            return FieldError("birth_date", "出生日期", "无效");
        }
    }
    std::optional<Sex> sex;
    if (in.sex) {
        Sex parsed;
        if (!ParseSex(*in.sex, &parsed)) return FieldError("sex", "性别", "应为 male 或 female");
        sex = parsed;
    }
    if (r->doc_type == DocType::kIdCard) {
        auto info = ParseIdNumber(personal->doc_number, today);
        if (!info.ok()) return FieldError("doc_number", "身份证号", info.error().message);
        if (birth && *birth != info->birth_date) {
            return FieldError("birth_date", "出生日期", "与身份证号不一致");
        }
        if (sex && *sex != Sex::kUnknown && *sex != info->sex) {
            return FieldError("sex", "性别", "与身份证号不一致");
        }
        r->birth_date = info->birth_date;
        r->sex = info->sex;
    } else {
        if (in.birth_date) r->birth_date = birth.value_or(0);
        if (sex) r->sex = *sex;
    }

    if (in.phone) {
        personal->phone = NormalisePhone(*in.phone);
        if (!personal->phone.empty()) {
            if (Status s = ValidatePhone(personal->phone); !s.ok()) {
                return FieldError("phone", "联系电话", s.error().message);
            }
        }
    }
    if (in.residency && !ParseResidency(*in.residency, &r->residency)) {
        return FieldError("residency", "居住类型", "应为 permanent、floating 或 tenant");
    }
    if (in.presence && !ParsePresence(*in.presence, &r->presence)) {
        return FieldError("presence", "在住状态", "应为 present、away 或 moved_out");
    }
    if (in.tags) {
        uint32_t mask = 0;
        for (const std::string& name : *in.tags) {
            uint32_t bit = TagBit(name);
            if (bit == 0) return FieldError("tags", "重点人群", "未知标签 " + name);
            mask |= bit;
        }
        r->tags = mask & tags::kStoredMask;
    }
    if (in.notes) {
        ASSIGN_OR_RETURN(r->notes, CleanLabel(*in.notes, "notes", "备注", 500, false));
    }
    return Ok();
}

}  // namespace bulwark::registry
