#include "testing/followup/model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <unordered_set>

namespace bulwark::testing::followup {
namespace {

constexpr std::array<std::pair<Outcome, std::string_view>, 8> kOutcomes = {{
    {Outcome::kTestedElsewhere, "tested_elsewhere"},
    {Outcome::kAway, "away"},
    {Outcome::kMovedOut, "moved_out"},
    {Outcome::kQuarantineOrHospital, "quarantine_or_hospital"},
    {Outcome::kBedridden, "bedridden"},
    {Outcome::kInfantNoDocument, "infant_no_document"},
    {Outcome::kUnreachable, "unreachable"},
    {Outcome::kRefused, "refused"},
}};

bool InScopeByKind(const Round& round, const registry::CoveragePerson& p) {
    auto listed = [&](int64_t id) {
        return std::binary_search(round.scope_ids.begin(), round.scope_ids.end(), id);
    };
    switch (round.scope_kind) {
        case RoundScopeKind::kCommunity:
            return true;
        case RoundScopeKind::kGrids:
            return listed(p.grid_id);
        case RoundScopeKind::kBuildings:
            return listed(p.building_id);
        case RoundScopeKind::kPeople:
            return listed(p.id);
    }
    return false;
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
    for (const auto& [o, name] : kOutcomes) {
        if (o == outcome) return name;
    }
    return "unreachable";
}

bool ParseOutcome(std::string_view name, Outcome* out) {
    for (const auto& [o, n] : kOutcomes) {
        if (n == name) {
            *out = o;
            return true;
        }
    }
    return false;
}

std::string OutcomeLabel(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kLabels = {{
        {"tested_elsewhere", "外地/他处已检"},
        {"away", "离开本市"},
        {"moved_out", "已迁出"},
        {"quarantine_or_hospital", "隔离或住院"},
        {"bedridden", "卧床 (上门采集)"},
        {"infant_no_document", "婴幼儿无证件"},
        {"unreachable", "联系不上"},
        {"refused", "拒绝检测"},
    }};
    for (const auto& [code, label] : kLabels) {
        if (code == name) return std::string(label);
    }
    return std::string(name);
}

bool IsExempting(Outcome outcome) {
    switch (outcome) {
        case Outcome::kTestedElsewhere:
        case Outcome::kAway:
        case Outcome::kMovedOut:
        case Outcome::kQuarantineOrHospital:
        case Outcome::kInfantNoDocument:
            return true;
        case Outcome::kBedridden:
        case Outcome::kUnreachable:
        case Outcome::kRefused:
            return false;
    }
    return false;
}

void Totals::Add(Standing standing) {
    ++in_scope;
    switch (standing) {
        case Standing::kSampled:
            ++sampled;
            break;
        case Standing::kExempt:
            ++exempt;
            break;
        case Standing::kMissed:
            ++missed;
            break;
    }
}

double Totals::Percent() const {
    if (in_scope == 0) return 0.0;
    const int64_t due = in_scope - exempt;
    if (due <= 0) return 100.0;
    return std::round(static_cast<double>(sampled) * 1000.0 / static_cast<double>(due)) / 10.0;
}

RoundCoverage ComputeCoverage(const Round& round, std::vector<registry::CoveragePerson> residents,
                              std::vector<SampleFact> samples,
                              const std::unordered_map<int64_t, Outcome>& latest_outcome,
                              int64_t now) {
    RoundCoverage out;
    out.round = round;
    out.computed_at = now;
    std::unordered_set<int64_t> sampled;
    sampled.reserve(samples.size() * 2);
    for (const SampleFact& f : samples) sampled.insert(f.resident_id);
    const int64_t end = EffectiveEnd(round);
    out.people.reserve(residents.size());
    out.standing.reserve(residents.size());
    for (registry::CoveragePerson& p : residents) {
        Standing standing;
        if (sampled.count(p.id) > 0) {
            standing = Standing::kSampled;
        } else {
            auto outcome = latest_outcome.find(p.id);
            const bool exempt = outcome != latest_outcome.end() && IsExempting(outcome->second);
            const bool present = p.presence != registry::Presence::kMovedOut;
            if (!InScopeByKind(round, p) || p.created_at > end || (!present && !exempt)) continue;
            standing = exempt ? Standing::kExempt : Standing::kMissed;
        }
        out.totals.Add(standing);
        out.index[p.id] = out.people.size();
        out.people.push_back(std::move(p));
        out.standing.push_back(standing);
    }
    out.samples = std::move(samples);
    return out;
}

bool ApplyNewSamples(RoundCoverage* c, const std::vector<SampleFact>& fresh, int64_t now) {
    for (const SampleFact& f : fresh) {
        auto it = c->index.find(f.resident_id);
        if (it == c->index.end()) return false;
        Standing& standing = c->standing[it->second];
        if (standing != Standing::kSampled) {
            if (standing == Standing::kExempt) --c->totals.exempt;
            if (standing == Standing::kMissed) --c->totals.missed;
            ++c->totals.sampled;
            standing = Standing::kSampled;
        }
        c->samples.push_back(f);
    }
    c->computed_at = now;
    return true;
}

bool ChinaDay(std::string_view date, int64_t* from, int64_t* to) {
    int y = 0, m = 0, d = 0;
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
    std::string text(date);
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) return false;
    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) return false;
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    const int64_t days = static_cast<int64_t>(timegm(&tm)) / 86400;
    *from = days * 86'400'000 - 8 * 3'600'000;
    *to = *from + 86'400'000;
    return true;
}

}  // namespace bulwark::testing::followup
