#include "registry/export/resident_export.hpp"

#include <cstdio>

#include "auth/audit_log.hpp"
#include "registry/export/sheet_writer.hpp"
#include "registry/resident_input.hpp"
#include "registry/sealing.hpp"

namespace bulwark::registry {
namespace {

constexpr const char* kExport = "residents.export";
constexpr const char* kUnmask = "residents.unmask";

std::string DocTypeLabel(DocType t) {
    switch (t) {
        case DocType::kIdCard:
            return "身份证";
        case DocType::kPassport:
            return "护照";
        case DocType::kHkMacau:
            return "港澳通行证";
        case DocType::kTaiwan:
            return "台胞证";
        case DocType::kNone:
            return "无";
    }
    return "";
}

std::string SexLabel(Sex s) { return s == Sex::kMale ? "男" : s == Sex::kFemale ? "女" : ""; }

std::string ResidencyLabel(Residency r) {
    return r == Residency::kPermanent ? "常住" : r == Residency::kFloating ? "流动" : "租户";
}

std::string PresenceLabel(Presence p) {
    return p == Presence::kPresent ? "在住" : p == Presence::kAway ? "外出" : "迁出";
}

std::string TagLabels(uint32_t mask) {
    static const std::pair<uint32_t, const char*> kLabels[] = {
        {tags::kDisabled, "残疾"},     {tags::kPregnant, "孕妇"},  {tags::kInfant, "婴儿"},
        {tags::kBedridden, "卧床"},    {tags::kChronic, "慢性病"}, {tags::kElderly80, "80岁以上"},
        {tags::kElderly60, "60岁以上"}};
    std::string out;
    for (const auto& [bit, label] : kLabels) {
        if ((mask & bit) == 0) continue;
        if (bit == tags::kElderly60 && (mask & tags::kElderly80) != 0) continue;
        if (!out.empty()) out += "、";
        out += label;
    }
    return out;
}

// "2024-05-01 10:30" in China Standard Time.
std::string LocalTime(int64_t unix_ms, const char* format) {
    int64_t seconds = unix_ms / 1000 + 8 * 3600;
    int32_t ymd = DateFromMillis(unix_ms);
    int minutes = static_cast<int>((seconds % 86400) / 60);
    char buf[64];
    std::snprintf(buf, sizeof buf, format, ymd / 10000, ymd / 100 % 100, ymd % 100, minutes / 60,
                  minutes % 60);
    return buf;
}

std::string JsonText(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) >= 0x20) out += c;
    }
    return out + "\"";
}

}  // namespace

ResidentExporter::ResidentExporter(RegistryService& registry, db::Database& db,
                                   const auth::PersonalDataCipher& cipher, Clock& clock)
    : registry_(registry), db_(db), cipher_(cipher), clock_(clock) {}

Result<ResidentExporter::File> ResidentExporter::Export(const auth::Principal& who,
                                                        const Request& request) {
    std::string reason;
    if (request.unmasked) {
        if (!who.Can(kUnmask)) return PermissionDenied("无权导出完整证件号码和电话");
        ASSIGN_OR_RETURN(reason, CleanLabel(request.reason, "reason", "导出原因", 200));
    } else if (!who.Can(kExport)) {
        return PermissionDenied("无权导出居民名册");
    }
    ResidentQuery query = request.filters;
    query.page = 1;
    query.page_size = static_cast<int>(kMaxRows + 1);
    std::string search;
    // An unmasked export covers only where the caller may also unmask.
    ASSIGN_OR_RETURN(
        ResidentFilter filter,
        registry_.FilterFor(who, query, request.unmasked ? kUnmask : kExport, &search));
    ASSIGN_OR_RETURN(std::vector<ResidentDetail> rows, db_.ReadValue([&](db::Session& s) {
        return RegistryStore::ListResidents(s, filter);
    }));
    if (static_cast<int64_t>(rows.size()) > kMaxRows) {
        return InvalidArgument("一次最多导出 " + std::to_string(kMaxRows) + " 人, 请缩小范围");
    }

    const int64_t now = clock_.NowMillis();
    const ResidentQuery& f = request.filters;
    auth::AuditEntry entry =
        auth::AuditLog::For(who, request.unmasked ? "resident.export_unmasked" : "resident.export");
    entry.reason = reason;
    entry.at = now;
    entry.detail = "{\"street_id\":" + std::to_string(f.street_id) +
                   ",\"community_id\":" + std::to_string(f.community_id) +
                   ",\"grid_id\":" + std::to_string(f.grid_id) +
                   ",\"building_id\":" + std::to_string(f.building_id) +
                   ",\"tag\":" + JsonText(f.tag) + ",\"presence\":" + JsonText(f.presence) +
                   ",\"search\":" + JsonText(search) + ",\"rows\":" + std::to_string(rows.size()) +
                   ",\"unmasked\":" + (request.unmasked ? "true" : "false") + "}";
    RETURN_IF_ERROR(db_.Write([&](db::Session& s) { return auth::AuditLog::Append(s, entry); }));

    ASSIGN_OR_RETURN(auto writer, SheetWriter::Open("居民名册"));
    const std::vector<std::string> header = {
        "姓名", "证件类型", "证件号码", "联系电话", "性别",     "出生日期", "年龄", "网格",
        "楼栋", "单元",     "房号",     "居住类型", "在住状态", "重点人群", "备注"};
    writer->SetColumns({10, 10, 22, 15, 6, 12, 6, 12, 10, 8, 8, 10, 10, 16, 24}, {2, 3, 10});
    std::string title = "居民名册";
    if (!rows.empty()) title = rows.front().community + title;
    writer->Title(title + (request.unmasked ? " (含完整证件号码, 请妥善保管)" : ""));
    writer->Header(header);
    for (const ResidentDetail& d : rows) {
        ASSIGN_OR_RETURN(MaskedResident m, registry_.Mask(d));
        std::string doc = m.doc_number_masked;
        std::string phone = m.phone_masked;
        if (request.unmasked) {
            ASSIGN_OR_RETURN(Unsealed plain, Unseal(cipher_, d.resident));
            doc = plain.doc_number;
            phone = plain.phone;
        }
        const Resident& r = d.resident;
        writer->Row({r.name, DocTypeLabel(r.doc_type), doc, phone, SexLabel(r.sex),
                     FormatDate(r.birth_date), r.birth_date ? std::to_string(m.age) : "", d.grid,
                     d.building, d.unit, d.room, ResidencyLabel(r.residency),
                     PresenceLabel(r.presence), TagLabels(m.tags), r.notes});
    }
    std::string who_text =
        who.display_name.empty() ? who.username : who.display_name + " (" + who.username + ")";
    writer->Note("导出人: " + who_text +
                 ", 导出时间: " + LocalTime(now, "%04d-%02d-%02d %02d:%02d") + " (北京时间), 共 " +
                 std::to_string(rows.size()) + " 人; " +
                 (request.unmasked ? "含完整证件号码和电话, 导出原因: " + reason
                                   : std::string("证件号码和电话已脱敏")));
    ASSIGN_OR_RETURN(std::string bytes, writer->Finish());
    return File{.bytes = std::move(bytes),
                .filename = "居民名册-" + LocalTime(now, "%04d%02d%02d-%02d%02d") + ".xlsx",
                .rows = static_cast<int64_t>(rows.size())};
}

}  // namespace bulwark::registry
