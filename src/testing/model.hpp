#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.hpp"
#include "base/result.hpp"

namespace bulwark::testing {

// The types and pure rules of testing rounds, sampling sites, tubes and boxes. No I/O; every
// function is thread-safe. Times are Unix milliseconds; "China time" is UTC+8 (no DST).

// --- Rounds ---------------------------------------------------------------------------------

enum class RoundKind { kWhole, kKeyGroups, kFollowUp };  // 全员 / 重点人群 / 复核
std::string_view RoundKindName(RoundKind kind);          // "whole", "key_groups", "follow_up"
bool ParseRoundKind(std::string_view name, RoundKind* out);

// Who a round is for: the whole community, some grids, some buildings, or a list of people.
enum class RoundScopeKind { kCommunity, kGrids, kBuildings, kPeople };
std::string_view RoundScopeKindName(RoundScopeKind kind);  // "community", "grids", ...
bool ParseRoundScopeKind(std::string_view name, RoundScopeKind* out);

enum class RoundStatus { kPlanned, kOpen, kClosed };
std::string_view RoundStatusName(RoundStatus status);  // "planned", "open", "closed"
bool ParseRoundStatus(std::string_view name, RoundStatus* out);

// Swabs per tube: 单采 1, 5混1, 10混1, 20混1.
bool IsValidPoolSize(int64_t pool_size);

// A testing round. scope_ids are grid, building or resident ids (empty for a community round);
// single_tube_tags is a mask of registry::tags bits (stored or derived 60+/80+).
struct Round {
    int64_t id = 0;
    int64_t street_id = 0;
    int64_t community_id = 0;
    std::string name;
    RoundKind kind = RoundKind::kWhole;
    RoundScopeKind scope_kind = RoundScopeKind::kCommunity;
    std::vector<int64_t> scope_ids;  // sorted
    int64_t starts_at = 0;
    int64_t ends_at = 0;
    int pool_size = 10;
    uint32_t single_tube_tags = 0;
    bool single_tube_control_areas = false;
    std::vector<int64_t> site_ids;  // sorted
    int64_t closed_at = 0;          // closed by hand at; 0 if not
    int64_t created_by = 0;
    int64_t version = 1;
    int64_t created_at = 0;
    int64_t updated_at = 0;

    auth::Placement placement() const {
        return {.street_id = street_id, .community_id = community_id};
    }
};

// When sampling ends: ends_at, or earlier when closed by hand.
int64_t EffectiveEnd(const Round& round);
// planned before starts_at, closed from the effective end on, open in between.
RoundStatus StatusAt(const Round& round, int64_t now);

// How long after a round ends scans taken during it (a phone's offline queue) are still
// accepted.
inline constexpr int64_t kLateArrivalMs = 6LL * 3600 * 1000;
// Whether a sample taken at `taken_at` and arriving at `now` belongs to the round: taken inside
// [starts_at, effective end) and arriving no later than kLateArrivalMs after that end.
bool AcceptsSample(const Round& round, int64_t taken_at, int64_t now);
// Whether a tube may be opened at `now`: after the start, before a hand close, and (for a
// round that ended by its window) within kLateArrivalMs of its end, for queued offline work.
bool AcceptsTube(const Round& round, int64_t now);

// Checks the fields a person sets (name, window, pool size, scope ids present when needed).
// kInvalidArgument naming the JSON field.
Status ValidateRound(const Round& round);

// Whether a grant giving `permission` covers the round: its community (or street), or one of its
// sites (a scanner's grant is over their site).
bool RoundCovers(const auth::Principal& who, std::string_view permission, const Round& round);

// Where a resident lives, as far as round rules need it.
struct SubjectPlace {
    int64_t community_id = 0;
    int64_t grid_id = 0;
    int64_t building_id = 0;
};
// Whether the round's scope includes a resident. `listed` says whether the resident is on the
// round's list of people (looked up by the caller for kPeople rounds).
bool InRoundScope(const Round& round, const SubjectPlace& place, bool listed);
// Whether a resident needs a tube of their own (单采): any of the round's single-tube tags among
// `effective_tags` (stored plus derived 60+/80+), or living in a control area when the round
// says so.
bool NeedsSingleTube(const Round& round, uint32_t effective_tags, bool in_control_area);

// --- Sites ----------------------------------------------------------------------------------

// Opening hours of one weekday (1 Monday .. 7 Sunday), minutes after midnight China time.
struct OpeningHours {
    int weekday = 1;
    int open_minute = 0;
    int close_minute = 0;
};
// "07:00" -> 420; nullopt unless HH:MM with HH 00..24 and MM 00..59 (24:00 at most).
std::optional<int> ParseClockMinutes(std::string_view text);
std::string FormatClockMinutes(int minutes);  // 420 -> "07:00"
// Weekdays 1..7, open before close, no weekday twice. kInvalidArgument field "hours".
Status ValidateHours(const std::vector<OpeningHours>& hours);

struct SiteTable {
    int64_t id = 0;  // 0 for a table not stored yet
    int64_t site_id = 0;
    std::string name;
    bool priority_lane = false;  // 爱心通道
    bool active = true;          // tables removed from a site stay for their tubes' sake
};
// Names present, at most 50 characters and unique; at most one priority lane; 1..100 tables.
// kInvalidArgument field "tables".
Status ValidateTables(const std::vector<SiteTable>& tables);

struct Site {
    int64_t id = 0;
    int64_t street_id = 0;
    int64_t community_id = 0;
    std::string name;
    std::string address;
    std::vector<OpeningHours> hours;
    std::vector<SiteTable> tables;  // active ones, in their order
    int64_t version = 1;
    int64_t created_at = 0;
    int64_t updated_at = 0;

    // Scope checks: the site itself, its community and street.
    auth::Placement placement() const {
        return {.street_id = street_id, .community_id = community_id, .site_id = id};
    }
    const SiteTable* FindTable(int64_t table_id) const;
};

struct Lab {
    int64_t id = 0;
    std::string name;
};

// --- Tubes and samples ----------------------------------------------------------------------

enum class TubeStatus { kOpen, kClosed };
std::string_view TubeStatusName(TubeStatus status);  // "open", "closed"

struct Tube {
    int64_t id = 0;
    int64_t round_id = 0;
    int64_t site_id = 0;
    int64_t table_id = 0;
    std::string barcode;
    int pool_size = 1;
    int count = 0;
    TubeStatus status = TubeStatus::kOpen;
    int64_t opened_at = 0;
    int64_t closed_at = 0;  // 0 while open
    int64_t opened_by = 0;
    int64_t box_id = 0;  // 0 until packed
};

// What adding one swab to a tube does.
enum class TubeFill {
    kAccepted,      // counted; the tube stays open
    kAcceptedLast,  // counted, and the tube is now full: it closes by itself
    kClosed,        // refused: closed by hand earlier ("tube_closed")
    kFull,          // refused: closed because it was full ("tube_full")
};
TubeFill FillTube(const Tube& tube);
// Whether a tube holding `count` swabs of `pool_size` closes by itself.
inline bool ClosesAt(int count, int pool_size) { return count >= pool_size; }
// Tube and box barcodes: 4..40 characters of [A-Za-z0-9-]. kInvalidArgument naming `field`.
Status ValidateBarcode(std::string_view barcode, const char* field);

// Accepted-with-warning reasons of a scan (a bitmask as stored on the sample).
namespace warnings {
inline constexpr uint32_t kOutsideScope = 1u << 0;
inline constexpr uint32_t kMovedOut = 1u << 1;
inline constexpr uint32_t kSingleTubeRequired = 1u << 2;
}  // namespace warnings
struct Warning {
    std::string code;     // "outside_scope", "moved_out", "single_tube_required"
    std::string message;  // zh-CN, for the scanner; never says which priority group
};
std::vector<Warning> WarningsOf(uint32_t mask);

// --- Boxes ----------------------------------------------------------------------------------

enum class BoxStatus { kOpen, kSealed, kHandedOver, kReceived };
std::string_view BoxStatusName(BoxStatus status);  // "open", "sealed", "handed_over", "received"
bool ParseBoxStatus(std::string_view name, BoxStatus* out);

struct Box {
    int64_t id = 0;
    int64_t round_id = 0;
    int64_t site_id = 0;
    std::string barcode;
    BoxStatus status = BoxStatus::kOpen;
    int tube_count = 0;
    int64_t created_at = 0;
    int64_t sealed_at = 0;
    int64_t lab_id = 0;
    int64_t handed_over_at = 0;
    int64_t received_at = 0;
};

// A lab's receipt of a box compared with what was sent. Barcodes sorted, without repeats.
struct ReceiptComparison {
    int received = 0;                     // distinct barcodes the lab scanned
    int sent = 0;                         // tubes packed into the box
    std::vector<std::string> missing;     // sent, not received
    std::vector<std::string> unexpected;  // received, not sent
};
ReceiptComparison CompareReceipt(std::vector<std::string> sent, std::vector<std::string> received);

// --- Idempotency and time -------------------------------------------------------------------

// A key made on the phone: 16..64 characters of [A-Za-z0-9_-].
bool IsValidRequestKey(std::string_view key);

// The hour that contains `at` (UTC hours; China time is a whole number of hours off).
int64_t HourStart(int64_t at);
// Midnight China time of the day that contains `at`.
int64_t DayStartChina(int64_t at);
// "HH:MM" China time.
std::string ClockChina(int64_t at);
// ISO weekday 1..7 (Monday 1) China time.
int WeekdayChina(int64_t at);

}  // namespace bulwark::testing
