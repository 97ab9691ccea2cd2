#include "testing/followup/coverage_cache.hpp"

#include "testing/followup/followup_store.hpp"

namespace bulwark::testing::followup {
namespace {

// Rounds kept; past it the cache starts over (a street office looks at a few dozen at most).
constexpr size_t kMaxRounds = 512;

}  // namespace

CoverageCache::CoverageCache(std::shared_ptr<registry::CoverageAccess> access, Clock& clock)
    : access_(std::move(access)), clock_(clock) {}

int64_t CoverageCache::computations() const {
    std::lock_guard lock(mu_);
    return computations_;
}

int64_t CoverageCache::updates() const {
    std::lock_guard lock(mu_);
    return updates_;
}

Result<std::shared_ptr<const RoundCoverage>> CoverageCache::Get(db::Session& s,
                                                                const Round& round) {
    Stamp stamp;
    ASSIGN_OR_RETURN(stamp.samples, SampleQueries::StampOf(s, round.id));
    ASSIGN_OR_RETURN(stamp.residents, access_->StampOf(s, round.community_id));
    ASSIGN_OR_RETURN(stamp.attempts, FollowupStore::AttemptStamp(s, round.id));
    stamp.round_version = round.version;
    std::shared_ptr<const RoundCoverage> previous;
    Stamp previous_stamp;
    {
        std::lock_guard lock(mu_);
        auto it = entries_.find(round.id);
        if (it != entries_.end()) {
            if (it->second.stamp == stamp) return it->second.coverage;
            previous = it->second.coverage;
            previous_stamp = it->second.stamp;
        }
    }
    // While scans arrive only the samples move: take the new ones into a copy of the last
    // coverage instead of reading everyone again.
    if (previous && previous_stamp.residents == stamp.residents &&
        previous_stamp.attempts == stamp.attempts &&
        previous_stamp.round_version == stamp.round_version &&
        stamp.samples.last_id > previous_stamp.samples.last_id) {
        ASSIGN_OR_RETURN(auto fresh,
                         SampleQueries::SamplesSince(s, round.id, previous_stamp.samples.last_id));
        if (previous_stamp.samples.count + static_cast<int64_t>(fresh.size()) ==
            stamp.samples.count) {
            auto updated = std::make_shared<RoundCoverage>(*previous);
            if (ApplyNewSamples(updated.get(), fresh, clock_.NowMillis())) {
                std::shared_ptr<const RoundCoverage> coverage = std::move(updated);
                std::lock_guard lock(mu_);
                entries_[round.id] = Entry{stamp, coverage};
                ++updates_;
                return coverage;
            }
        }
    }
    ASSIGN_OR_RETURN(auto residents, access_->ResidentsOf(s, round.community_id));
    ASSIGN_OR_RETURN(auto samples, SampleQueries::SamplesOf(s, round.id));
    ASSIGN_OR_RETURN(auto attempts, FollowupStore::AttemptsOfRound(s, round.id));
    std::unordered_map<int64_t, Outcome> latest;
    for (const Attempt& a : attempts) {
        Outcome outcome;
        if (ParseOutcome(a.outcome, &outcome)) latest[a.resident_id] = outcome;
    }
    auto coverage = std::make_shared<const RoundCoverage>(ComputeCoverage(
        round, std::move(residents), std::move(samples), latest, clock_.NowMillis()));
    std::lock_guard lock(mu_);
    if (entries_.size() >= kMaxRounds) entries_.clear();
    entries_[round.id] = Entry{stamp, coverage};
    ++computations_;
    return std::shared_ptr<const RoundCoverage>(coverage);
}

}  // namespace bulwark::testing::followup
