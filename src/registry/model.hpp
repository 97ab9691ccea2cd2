#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.hpp"

namespace bulwark::registry {

// The kinds of identity document a resident may hold.
enum class DocType {
    kIdCard,    // 18-character national ID (居民身份证)
    kPassport,  // any passport
    kHkMacau,   // Hong Kong / Macau residents' permit (港澳居民来往内地通行证)
    kTaiwan,    // Taiwan residents' permit (台湾居民来往大陆通行证)
    kNone,      // none yet (infants)
};
std::string_view DocTypeName(DocType type);  // "id_card", "passport", "hk_macau", "taiwan", "none"
bool ParseDocType(std::string_view name, DocType* out);

// Sex as coded in GB/T 2261.1: 0 unknown, 1 male, 2 female (the stored integer).
enum class Sex { kUnknown = 0, kMale = 1, kFemale = 2 };
std::string_view SexName(Sex sex);  // "", "male", "female"
bool ParseSex(std::string_view name, Sex* out);

enum class Residency { kPermanent, kFloating, kTenant };  // 常住 / 流动 / 租户
std::string_view ResidencyName(Residency r);              // "permanent", "floating", "tenant"
bool ParseResidency(std::string_view name, Residency* out);

enum class Presence { kPresent, kAway, kMovedOut };  // 在住 / 外出 / 迁出
std::string_view PresenceName(Presence p);           // "present", "away", "moved_out"
bool ParsePresence(std::string_view name, Presence* out);

// Priority-group tags. The first five are stored (a bitmask set by staff); 60+ and 80+ are
// derived from the birth date when read, never stored.
namespace tags {
inline constexpr uint32_t kDisabled = 1u << 0;
inline constexpr uint32_t kPregnant = 1u << 1;
inline constexpr uint32_t kInfant = 1u << 2;
inline constexpr uint32_t kBedridden = 1u << 3;
inline constexpr uint32_t kChronic = 1u << 4;
inline constexpr uint32_t kStoredMask = (1u << 5) - 1;
inline constexpr uint32_t kElderly60 = 1u << 8;  // derived
inline constexpr uint32_t kElderly80 = 1u << 9;  // derived
}  // namespace tags

// Tag names for JSON: "disabled", "pregnant", "infant", "bedridden", "chronic", "elderly_60",
// "elderly_80". TagBit returns 0 for an unknown name.
std::vector<std::string> TagNames(uint32_t mask);
uint32_t TagBit(std::string_view name);

// Calendar dates as yyyymmdd integers (19900102), the stored form of a birth date.
bool IsValidDate(int32_t yyyymmdd);
// Whole years from `birth` to `on` (both yyyymmdd); 0 if `on` is before `birth`.
int AgeOn(int32_t birth, int32_t on);
// "1990-01-02"; "" for 0.
std::string FormatDate(int32_t yyyymmdd);
// Parses "1990-01-02", "1990/1/2", "19900102"; nullopt if not a valid date.
std::optional<int32_t> ParseDate(std::string_view text);
// Today's date in China Standard Time (UTC+8) from Unix milliseconds.
int32_t DateFromMillis(int64_t unix_ms);
// The stored tags plus 60+/80+ as of `today`.
uint32_t EffectiveTags(uint32_t stored, int32_t birth_date, int32_t today);

struct Street {
    int64_t id = 0;
    std::string name;
    std::string district;
};

struct Community {
    int64_t id = 0;
    int64_t street_id = 0;
    std::string name;
};

struct Grid {
    int64_t id = 0;
    int64_t community_id = 0;
    std::string name;
};

// A building, with street_id denormalised so that scope checks need no join.
struct Building {
    int64_t id = 0;
    int64_t street_id = 0;
    int64_t community_id = 0;
    int64_t grid_id = 0;
    std::string name;  // "3栋"
    int floors = 0;
};

// The people living at one address: building, unit, room.
struct Household {
    int64_t id = 0;
    int64_t building_id = 0;
    std::string unit;  // "2单元", may be ""
    std::string room;  // "1203"
    int floor = 0;
};

// A resident as stored. The document number and the phone exist only sealed (encrypted, blind
// index, last four characters); see sealing.hpp. Place ids are denormalised from the household
// for scope checks and coverage. A plain value type.
struct Resident {
    int64_t id = 0;
    int64_t household_id = 0;
    int64_t building_id = 0;
    int64_t grid_id = 0;
    int64_t community_id = 0;
    int64_t street_id = 0;
    std::string name;
    std::string name_initials;  // pinyin initials, lower case ("zs" for 张三)
    DocType doc_type = DocType::kNone;
    std::string doc_enc;   // PersonalDataCipher::Encrypt of the normalised number; "" if none
    std::string doc_idx;   // PersonalDataCipher::BlindIndex of it; "" if none
    std::string doc_tail;  // last 4 characters
    std::string phone_enc;
    std::string phone_idx;
    std::string phone_tail;
    Sex sex = Sex::kUnknown;
    int32_t birth_date = 0;  // yyyymmdd, 0 unknown
    Residency residency = Residency::kPermanent;
    Presence presence = Presence::kPresent;
    uint32_t tags = 0;  // stored tags only (tags::kStoredMask)
    std::string notes;
    std::string code_token;  // personal sampling code: opaque, random, never the ID number
    int64_t code_issued_at = 0;
    int64_t created_at = 0;
    int64_t updated_at = 0;
    int64_t version = 1;

    auth::Placement placement() const {
        return {.street_id = street_id, .community_id = community_id, .grid_id = grid_id};
    }
};

// A resident with the names of the places it belongs to, as lists and detail pages show it.
struct ResidentDetail {
    Resident resident;
    std::string street;
    std::string community;
    std::string grid;
    std::string building;
    std::string unit;
    std::string room;
};

// What a scanner at a sampling site may see of a resident: the name masked, the building and
// room to confirm who stands there, and whether the person is registered as moved out. Never
// the document, phone, unit, tags or any health field.
struct ScannerResidentView {
    int64_t resident_id = 0;
    std::string masked_name;  // "*三"
    std::string building;     // "3栋"
    std::string room;         // "1203"
    bool moved_out = false;
};
ScannerResidentView ScannerView(const ResidentDetail& detail);

}  // namespace bulwark::registry
