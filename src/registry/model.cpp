#include "registry/model.hpp"

#include <array>
#include <cstdio>

#include "auth/personal_data.hpp"

namespace bulwark::registry {
namespace {

struct TagName {
    uint32_t bit;
    const char* name;
};
constexpr std::array<TagName, 7> kTagNames = {{{tags::kDisabled, "disabled"},
                                               {tags::kPregnant, "pregnant"},
                                               {tags::kInfant, "infant"},
                                               {tags::kBedridden, "bedridden"},
                                               {tags::kChronic, "chronic"},
                                               {tags::kElderly60, "elderly_60"},
                                               {tags::kElderly80, "elderly_80"}}};

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
    static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::string_view DocTypeName(DocType type) {
    switch (type) {
        case DocType::kIdCard:
            return "id_card";
        case DocType::kPassport:
            return "passport";
        case DocType::kHkMacau:
            return "hk_macau";
        case DocType::kTaiwan:
            return "taiwan";
        case DocType::kNone:
            return "none";
    }
    return "none";
}

bool ParseDocType(std::string_view name, DocType* out) {
    for (DocType t : {DocType::kIdCard, DocType::kPassport, DocType::kHkMacau, DocType::kTaiwan,
                      DocType::kNone}) {
        if (DocTypeName(t) == name) {
            *out = t;
            return true;
        }
    }
    return false;
}

std::string_view SexName(Sex sex) {
    switch (sex) {
        case Sex::kMale:
            return "male";
        case Sex::kFemale:
            return "female";
        case Sex::kUnknown:
            return "";
    }
    return "";
}

bool ParseSex(std::string_view name, Sex* out) {
    if (name == "male" || name == "男") {
        *out = Sex::kMale;
    } else if (name == "female" || name == "女") {
        *out = Sex::kFemale;
    } else if (name.empty()) {
        *out = Sex::kUnknown;
    } else {
        return false;
    }
    return true;
}

std::string_view ResidencyName(Residency r) {
    switch (r) {
        case Residency::kPermanent:
            return "permanent";
        case Residency::kFloating:
            return "floating";
        case Residency::kTenant:
            return "tenant";
    }
    return "permanent";
}

bool ParseResidency(std::string_view name, Residency* out) {
    for (Residency r : {Residency::kPermanent, Residency::kFloating, Residency::kTenant}) {
        if (ResidencyName(r) == name) {
            *out = r;
            return true;
        }
    }
    return false;
}

std::string_view PresenceName(Presence p) {
    switch (p) {
        case Presence::kPresent:
            return "present";
        case Presence::kAway:
            return "away";
        case Presence::kMovedOut:
            return "moved_out";
    }
    return "present";
}

bool ParsePresence(std::string_view name, Presence* out) {
    for (Presence p : {Presence::kPresent, Presence::kAway, Presence::kMovedOut}) {
        if (PresenceName(p) == name) {
            *out = p;
            return true;
        }
    }
    return false;
}

std::vector<std::string> TagNames(uint32_t mask) {
    std::vector<std::string> out;
    for (const TagName& t : kTagNames) {
        if (mask & t.bit) out.emplace_back(t.name);
    }
    return out;
}

uint32_t TagBit(std::string_view name) {
    for (const TagName& t : kTagNames) {
        if (name == t.name) return t.bit;
    }
    return 0;
}

bool IsValidDate(int32_t d) {
    int y = d / 10000, m = d / 100 % 100, day = d % 100;
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && day >= 1 && day <= DaysInMonth(y, m);
}

int AgeOn(int32_t birth, int32_t on) {
    if (birth <= 0 || on < birth) return 0;
    int years = on / 10000 - birth / 10000;
    if (on % 10000 < birth % 10000) --years;
    return years;
}

std::string FormatDate(int32_t d) {
    if (d <= 0) return "";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
    return buf;
}

std::optional<int32_t> ParseDate(std::string_view text) {
    int parts[3] = {0, 0, 0};
    int part = 0, digits = 0;
    bool separated = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            if (part > 2) return std::nullopt;
            parts[part] = parts[part] * 10 + (c - '0');
            if (++digits > 8) return std::nullopt;
        } else if ((c == '-' || c == '/' || c == '.') && digits > 0 && part < 2) {
            ++part;
            separated = true;
        } else {
            return std::nullopt;
        }
    }
    int32_t date = 0;
    if (!separated) {
        if (digits != 8) return std::nullopt;
        date = parts[0];
    } else {
        if (part != 2) return std::nullopt;
        date = parts[0] * 10000 + parts[1] * 100 + parts[2];
    }
    if (!IsValidDate(date)) return std::nullopt;
    return date;
}

int32_t DateFromMillis(int64_t unix_ms) {
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm), in UTC+8.
    int64_t shifted = unix_ms + 8LL * 3600 * 1000;
    int64_t z = shifted / 86400000;
    if (shifted % 86400000 < 0) --z;
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
    return static_cast<int32_t>(y * 10000 + m * 100 + d);
}

uint32_t EffectiveTags(uint32_t stored, int32_t birth_date, int32_t today) {
    uint32_t out = stored & tags::kStoredMask;
    if (birth_date > 0) {
        int age = AgeOn(birth_date, today);
        if (age >= 60) out |= tags::kElderly60;
        if (age >= 80) out |= tags::kElderly80;
    }
    return out;
}

ScannerResidentView ScannerView(const ResidentDetail& detail) {
    return {.resident_id = detail.resident.id,
            .masked_name = auth::MaskName(detail.resident.name),
            .building = detail.building,
            .room = detail.room,
            .moved_out = detail.resident.presence == Presence::kMovedOut};
}

}  // namespace bulwark::registry
