#include "testing/results/model.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include <boost/json.hpp>

namespace bulwark::testing::results {
namespace {

constexpr int64_t kChinaOffsetMs = 8LL * 3600 * 1000;

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool ValidDate(int y, int m, int d) {
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= (m == 2 && !leap ? 28 : kDays[m - 1]);
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
    switch (outcome) {
        case Outcome::kNegative:
            return "negative";
        case Outcome::kPositive:
            return "positive";
        case Outcome::kInvalid:
            return "invalid";
    }
    return "invalid";
}

std::string_view OutcomeLabel(Outcome outcome) {
    switch (outcome) {
        case Outcome::kNegative:
            return "阴性";
        case Outcome::kPositive:
            return "阳性";
        case Outcome::kInvalid:
            return "无效";
    }
    return "无效";
}

bool ParseOutcome(std::string_view word, Outcome* out) {
    const std::string w = Lower(word);
    if (w == "negative" || w == "阴性" || w == "阴" || w == "neg") {
        *out = Outcome::kNegative;
    } else if (w == "positive" || w == "阳性" || w == "阳" || w == "pos") {
        *out = Outcome::kPositive;
    } else if (w == "invalid" || w == "无效" || w == "无效样本") {
        *out = Outcome::kInvalid;
    } else {
        return false;
    }
    return true;
}

bool ValidCt(double value) { return std::isfinite(value) && value >= 0 && value <= 50; }

std::string CtText(const CtValues& ct) {
    if (ct.empty()) return "";
    boost::json::object o;
    if (ct.orf1ab) o["orf1ab"] = *ct.orf1ab;
    if (ct.n) o["n"] = *ct.n;
    return boost::json::serialize(o);
}

CtValues ParseCtText(std::string_view text) {
    CtValues ct;
    if (text.empty()) return ct;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    if (ec || !v.is_object()) return ct;
    auto number = [&](const char* name) -> std::optional<double> {
        const boost::json::value* x = v.as_object().if_contains(name);
        if (!x || !x->is_number()) return std::nullopt;
        return x->to_number<double>();
    };
    ct.orf1ab = number("orf1ab");
    ct.n = number("n");
    return ct;
}

std::string_view MemberStatusName(MemberStatus status) {
    switch (status) {
        case MemberStatus::kPendingRetest:
            return "pending_retest";
        case MemberStatus::kCleared:
            return "cleared";
        case MemberStatus::kCase:
            return "case";
    }
    return "pending_retest";
}

bool ParseMemberStatus(std::string_view name, MemberStatus* out) {
    for (MemberStatus s :
         {MemberStatus::kPendingRetest, MemberStatus::kCleared, MemberStatus::kCase}) {
        if (MemberStatusName(s) == name) {
            *out = s;
            return true;
        }
    }
    return false;
}

std::optional<int64_t> TurnaroundMinutes(int64_t sampled_at, int64_t reported_at) {
    if (sampled_at <= 0 || reported_at <= 0 || reported_at < sampled_at) return std::nullopt;
    return (reported_at - sampled_at) / 60000;
}

int64_t Percentile(std::vector<int64_t> values, int p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * values.size()));
    return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

std::optional<int64_t> ParseReportedAt(std::string_view text) {
    if (text.empty()) return std::nullopt;
    if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        int64_t ms = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
        // Unix milliseconds between 2000 and 2100.
        if (ec != std::errc() || ms < 946684800000LL || ms > 4102444800000LL) return std::nullopt;
        return ms;
    }
    std::string t(text);
    // "2022/04/01" and "2022.04.01" are dates too; a '.' after the time is a fraction of a
    // second ("14:30:05.876"), which stays.
    bool in_time = false;
    for (char& c : t) {
        if (c == 'T' || c == ' ') {
            c = ' ';
            in_time = true;
        }
        if (c == '/' || (c == '.' && !in_time)) c = '-';
    }
    int64_t offset = kChinaOffsetMs;
    if (!t.empty() && (t.back() == 'Z' || t.back() == 'z')) {
        offset = 0;
        t.pop_back();
    } else if (t.size() > 6 && (t[t.size() - 6] == '+' || t[t.size() - 6] == '-') &&
               t[t.size() - 3] == ':') {
        int oh = 0, om = 0;
        if (std::sscanf(t.c_str() + t.size() - 5, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
        offset = (oh * 60 + om) * 60000LL * (t[t.size() - 6] == '-' ? -1 : 1);
        t.resize(t.size() - 6);
    }
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    char tail = 0;
    const int n =
        std::sscanf(t.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail);
    if (n == 7 && tail != '.') return std::nullopt;  // fractions of a second are ignored
    if (n != 3 && n != 5 && n != 6 && n != 7) return std::nullopt;
    if (!ValidDate(y, mo, d) || h > 23 || mi > 59 || s > 59 || h < 0 || mi < 0 || s < 0) {
        return std::nullopt;
    }
    const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    return ((days * 24 + h) * 60 + mi) * 60000LL + s * 1000LL - offset;
}

std::string ChinaDate(int64_t at) {
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    int64_t z = (at + kChinaOffsetMs) / 86400000 + 719468;
    if (at + kChinaOffsetMs < 0) z -= 1;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(y), m, d);
    return buf;
}

int64_t FromExcelSerial(double serial) {
    // 1899-12-30 is day 0 of the 1900 system as Excel counts after February 1900.
    const int64_t epoch_days = DaysFromCivil(1899, 12, 30);
    const double ms = (serial + static_cast<double>(epoch_days)) * 86400000.0;
    return static_cast<int64_t>(std::llround(ms)) - kChinaOffsetMs;
}

}  // namespace bulwark::testing::results
