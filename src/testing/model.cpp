#include "testing/model.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

namespace bulwark::testing {
namespace {

template <class E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
    for (const auto& [v, name] : names) {
        if (v == value) return name;
    }
    return "unknown";
}

template <class E, size_t N>
bool Parse(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view name,
           E* out) {
    for (const auto& [v, n] : names) {
        if (n == name) {
            *out = v;
            return true;
        }
    }
    return false;
}

constexpr std::array<std::pair<RoundKind, std::string_view>, 3> kRoundKinds = {{
    {RoundKind::kWhole, "whole"},
    {RoundKind::kKeyGroups, "key_groups"},
    {RoundKind::kFollowUp, "follow_up"},
}};
constexpr std::array<std::pair<RoundScopeKind, std::string_view>, 4> kScopeKinds = {{
    {RoundScopeKind::kCommunity, "community"},
    {RoundScopeKind::kGrids, "grids"},
    {RoundScopeKind::kBuildings, "buildings"},
    {RoundScopeKind::kPeople, "people"},
}};
constexpr std::array<std::pair<RoundStatus, std::string_view>, 3> kRoundStatuses = {{
    {RoundStatus::kPlanned, "planned"},
    {RoundStatus::kOpen, "open"},
    {RoundStatus::kClosed, "closed"},
}};
constexpr std::array<std::pair<BoxStatus, std::string_view>, 4> kBoxStatuses = {{
    {BoxStatus::kOpen, "open"},
    {BoxStatus::kSealed, "sealed"},
    {BoxStatus::kHandedOver, "handed_over"},
    {BoxStatus::kReceived, "received"},
}};

constexpr int64_t kHourMs = 3600LL * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr int64_t kChinaOffsetMs = 8 * kHourMs;
// The longest window a round may have: rounds are repeated, each within about a day.
constexpr int64_t kMaxRoundMs = 7 * kDayMs;

int64_t FloorDiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Characters of a UTF-8 string (not bytes), for length limits.
size_t Utf8Length(std::string_view s) {
    return static_cast<size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string_view RoundKindName(RoundKind kind) { return NameOf(kRoundKinds, kind); }
bool ParseRoundKind(std::string_view name, RoundKind* out) { return Parse(kRoundKinds, name, out); }
std::string_view RoundScopeKindName(RoundScopeKind kind) { return NameOf(kScopeKinds, kind); }
bool ParseRoundScopeKind(std::string_view name, RoundScopeKind* out) {
    return Parse(kScopeKinds, name, out);
}
std::string_view RoundStatusName(RoundStatus status) { return NameOf(kRoundStatuses, status); }
bool ParseRoundStatus(std::string_view name, RoundStatus* out) {
    return Parse(kRoundStatuses, name, out);
}
std::string_view BoxStatusName(BoxStatus status) { return NameOf(kBoxStatuses, status); }
bool ParseBoxStatus(std::string_view name, BoxStatus* out) {
    return Parse(kBoxStatuses, name, out);
}
std::string_view TubeStatusName(TubeStatus status) {
    return status == TubeStatus::kOpen ? "open" : "closed";
}

bool IsValidPoolSize(int64_t pool_size) {
    return pool_size == 1 || pool_size == 5 || pool_size == 10 || pool_size == 20;
}

int64_t EffectiveEnd(const Round& round) {
    return round.closed_at > 0 ? std::min(round.closed_at, round.ends_at) : round.ends_at;
}

RoundStatus StatusAt(const Round& round, int64_t now) {
    if (now >= EffectiveEnd(round)) return RoundStatus::kClosed;
    if (now < round.starts_at) return RoundStatus::kPlanned;
    return RoundStatus::kOpen;
}

bool AcceptsSample(const Round& round, int64_t taken_at, int64_t now) {
    const int64_t end = EffectiveEnd(round);
    return taken_at >= round.starts_at && taken_at < end && now <= end + kLateArrivalMs;
}

bool AcceptsTube(const Round& round, int64_t now) {
    if (now < round.starts_at) return false;
    if (round.closed_at > 0 && now >= round.closed_at) return false;
    return now <= round.ends_at + kLateArrivalMs && round.starts_at < EffectiveEnd(round);
}

Status ValidateRound(const Round& r) {
    if (r.name.empty()) return InvalidArgument("请填写轮次名称", "name");
    if (Utf8Length(r.name) > 50) return InvalidArgument("轮次名称最多 50 个字", "name");
    if (r.starts_at <= 0) return InvalidArgument("请填写开始时间", "starts_at");
    if (r.ends_at <= r.starts_at) return InvalidArgument("结束时间应晚于开始时间", "ends_at");
    if (r.ends_at - r.starts_at > kMaxRoundMs) {
        return InvalidArgument("一轮检测最长 7 天", "ends_at");
    }
    if (!IsValidPoolSize(r.pool_size)) {
        return InvalidArgument("混采人数应为 1、5、10 或 20", "pool_size");
    }
    if (r.scope_kind == RoundScopeKind::kCommunity && !r.scope_ids.empty()) {
        return InvalidArgument("范围为整个社区时不应列出 ids", "scope");
    }
    if (r.scope_kind != RoundScopeKind::kCommunity && r.scope_ids.empty()) {
        return InvalidArgument("请选择检测范围", "scope");
    }
    if (r.site_ids.empty()) return InvalidArgument("请选择至少一个采样点", "site_ids");
    return Ok();
}

bool RoundCovers(const auth::Principal& who, std::string_view permission, const Round& round) {
    if (who.CanAt(permission, round.placement())) return true;
    return std::any_of(round.site_ids.begin(), round.site_ids.end(), [&](int64_t site_id) {
        return who.CanAt(
            permission,
            {.street_id = round.street_id, .community_id = round.community_id, .site_id = site_id});
    });
}

bool InRoundScope(const Round& round, const SubjectPlace& place, bool listed) {
    auto has = [&](int64_t id) {
        return std::binary_search(round.scope_ids.begin(), round.scope_ids.end(), id);
    };
    switch (round.scope_kind) {
        case RoundScopeKind::kCommunity:
            return place.community_id == round.community_id;
        case RoundScopeKind::kGrids:
            return has(place.grid_id);
        case RoundScopeKind::kBuildings:
            return has(place.building_id);
        case RoundScopeKind::kPeople:
            return listed;
    }
    return false;
}

bool NeedsSingleTube(const Round& round, uint32_t effective_tags, bool in_control_area) {
    return (round.single_tube_tags & effective_tags) != 0 ||
           (round.single_tube_control_areas && in_control_area);
}

std::optional<int> ParseClockMinutes(std::string_view text) {
    if (text.size() != 5 || text[2] != ':') return std::nullopt;
    auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
    if (!digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
    int h = (text[0] - '0') * 10 + (text[1] - '0');
    int m = (text[3] - '0') * 10 + (text[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
    return h * 60 + m;
}

std::string FormatClockMinutes(int minutes) {
    minutes = std::clamp(minutes, 0, 24 * 60);
    const int h = minutes / 60, m = minutes % 60;
    return {static_cast<char>('0' + h / 10), static_cast<char>('0' + h % 10), ':',
            static_cast<char>('0' + m / 10), static_cast<char>('0' + m % 10)};
}

Status ValidateHours(const std::vector<OpeningHours>& hours) {
    std::set<int> seen;
    for (const OpeningHours& h : hours) {
        if (h.weekday < 1 || h.weekday > 7) return InvalidArgument("星期应为 1 到 7", "hours");
        if (!seen.insert(h.weekday).second) {
            return InvalidArgument("同一天的开放时间只能填一次", "hours");
        }
        if (h.open_minute < 0 || h.close_minute > 24 * 60 || h.open_minute >= h.close_minute) {
            return InvalidArgument("开放时间应早于结束时间", "hours");
        }
    }
    return Ok();
}

Status ValidateTables(const std::vector<SiteTable>& tables) {
    if (tables.empty()) return InvalidArgument("采样点至少要有一个采样台", "tables");
    if (tables.size() > 100) return InvalidArgument("采样台最多 100 个", "tables");
    std::set<std::string> names;
    int lanes = 0;
    for (const SiteTable& t : tables) {
        if (t.name.empty()) return InvalidArgument("采样台名称不能为空", "tables");
        if (Utf8Length(t.name) > 50) return InvalidArgument("采样台名称最多 50 个字", "tables");
        if (!names.insert(t.name).second) {
            return InvalidArgument("采样台名称重复: " + t.name, "tables");
        }
        if (t.priority_lane) ++lanes;
    }
    if (lanes > 1) return InvalidArgument("每个采样点最多一个爱心通道", "tables");
    return Ok();
}

const SiteTable* Site::FindTable(int64_t table_id) const {
    for (const SiteTable& t : tables) {
        if (t.id == table_id) return &t;
    }
    return nullptr;
}

TubeFill FillTube(const Tube& tube) {
    if (tube.status == TubeStatus::kClosed || tube.count >= tube.pool_size) {
        return tube.count >= tube.pool_size ? TubeFill::kFull : TubeFill::kClosed;
    }
    return ClosesAt(tube.count + 1, tube.pool_size) ? TubeFill::kAcceptedLast : TubeFill::kAccepted;
}

Status ValidateBarcode(std::string_view barcode, const char* field) {
    bool ok = barcode.size() >= 4 && barcode.size() <= 40 &&
              std::all_of(barcode.begin(), barcode.end(), [](char c) {
                  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
                         (c >= 'a' && c <= 'z') || c == '-';
              });
    if (!ok) return InvalidArgument("条码应为 4 到 40 位字母、数字或 -", field);
    return Ok();
}

std::vector<Warning> WarningsOf(uint32_t mask) {
    std::vector<Warning> out;
    if (mask & warnings::kOutsideScope) {
        out.push_back({"outside_scope", "不在本轮检测范围内, 已照常采样"});
    }
    if (mask & warnings::kMovedOut) out.push_back({"moved_out", "登记为已迁出, 请核对身份"});
    if (mask & warnings::kSingleTubeRequired) {
        out.push_back({"single_tube_required", "此人应单管采样, 请告知采样人员"});
    }
    return out;
}

ReceiptComparison CompareReceipt(std::vector<std::string> sent, std::vector<std::string> received) {
    auto unique = [](std::vector<std::string>& v) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
    };
    unique(sent);
    unique(received);
    ReceiptComparison c;
    c.sent = static_cast<int>(sent.size());
    c.received = static_cast<int>(received.size());
    std::set_difference(sent.begin(), sent.end(), received.begin(), received.end(),
                        std::back_inserter(c.missing));
    std::set_difference(received.begin(), received.end(), sent.begin(), sent.end(),
                        std::back_inserter(c.unexpected));
    return c;
}

bool IsValidRequestKey(std::string_view key) {
    return key.size() >= 16 && key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      c == '_' || c == '-';
           });
}

int64_t HourStart(int64_t at) { return FloorDiv(at, kHourMs) * kHourMs; }

int64_t DayStartChina(int64_t at) {
    return FloorDiv(at + kChinaOffsetMs, kDayMs) * kDayMs - kChinaOffsetMs;
}

std::string ClockChina(int64_t at) {
    int64_t minutes = (at - DayStartChina(at)) / 60000;
    return FormatClockMinutes(static_cast<int>(minutes));
}

int WeekdayChina(int64_t at) {
    // 1970-01-01 was a Thursday (ISO 4).
    int64_t days = FloorDiv(at + kChinaOffsetMs, kDayMs);
    int64_t wd = (days + 3) % 7;
    if (wd < 0) wd += 7;
    return static_cast<int>(wd) + 1;
}

}  // namespace bulwark::testing
