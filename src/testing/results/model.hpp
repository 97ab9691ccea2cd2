#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace bulwark::testing::results {

// The types and pure rules of lab results and the pooled-positive procedure. No I/O; every
// function is thread-safe. Times are Unix milliseconds.

// A tube's result; it applies to every sample in the tube.
enum class Outcome { kNegative, kPositive, kInvalid };
std::string_view OutcomeName(Outcome outcome);   // "negative", "positive", "invalid"
std::string_view OutcomeLabel(Outcome outcome);  // "阴性", "阳性", "无效"
// "阴性"/"阳性"/"无效" (and "阴"/"阳"), or the English words in any case.
bool ParseOutcome(std::string_view word, Outcome* out);

// Cycle thresholds a lab may report: each 0..50 when given.
struct CtValues {
    std::optional<double> orf1ab;
    std::optional<double> n;
    bool empty() const { return !orf1ab && !n; }
    bool operator==(const CtValues&) const = default;
};
bool ValidCt(double value);
// {"orf1ab":31.2,"n":30.1} without the absent ones ("" when both are absent), and back.
std::string CtText(const CtValues& ct);
CtValues ParseCtText(std::string_view text);

// One result as a lab sent it: a file's row (row = its line number, 0 for the JSON API).
struct ResultEntry {
    int row = 0;
    std::string tube_barcode;
    Outcome result = Outcome::kNegative;
    int64_t reported_at = 0;
    CtValues ct;
};

// A member of a pooled-positive procedure: waiting for their single-tube retest (待单采复核,
// must stay home), cleared by a negative retest, or a case after a positive one.
enum class MemberStatus { kPendingRetest, kCleared, kCase };
std::string_view MemberStatusName(MemberStatus status);  // "pending_retest", "cleared", "case"
bool ParseMemberStatus(std::string_view name, MemberStatus* out);

// Minutes from sampling to result, or nullopt when either time is unknown or out of order.
std::optional<int64_t> TurnaroundMinutes(int64_t sampled_at, int64_t reported_at);
// The p-th percentile (nearest rank, p in 1..100) of `values`; 0 for an empty list.
int64_t Percentile(std::vector<int64_t> values, int p);

// A time a lab wrote: "2022-04-01 14:30[:00]", "2022/4/1 14:30", "2022-04-01T14:30:00",
// China time (UTC+8) unless it ends in "Z" or "+08:00"-like offsets, or Unix milliseconds.
// nullopt when it is not a time.
std::optional<int64_t> ParseReportedAt(std::string_view text);
// "2022-04-01": the China-time date of `at`.
std::string ChinaDate(int64_t at);
// An Excel serial date-time (days since 1899-12-30, China time) as Unix ms.
int64_t FromExcelSerial(double serial);

}  // namespace bulwark::testing::results
