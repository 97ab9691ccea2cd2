#include "testing/followup/model.hpp"

#include <gtest/gtest.h>

namespace bulwark::testing::followup {
namespace {

constexpr int64_t kStart = 1'717'200'000'000;
constexpr int64_t kHour = 3'600'000;

registry::CoveragePerson Person(int64_t id, int64_t grid, int64_t building,
                                registry::Presence presence = registry::Presence::kPresent,
                                int64_t created_at = kStart - 1000 * kHour) {
    registry::CoveragePerson p;
    p.id = id;
    p.grid_id = grid;
    p.building_id = building;
    p.presence = presence;
    p.created_at = created_at;
    p.name = "居民" + std::to_string(id);
    return p;
}

Round GridRound() {
    Round r;
    r.id = 7;
    r.community_id = 1;
    r.scope_kind = RoundScopeKind::kGrids;
    r.scope_ids = {10};
    r.starts_at = kStart;
    r.ends_at = kStart + 12 * kHour;
    return r;
}

TEST(CoverageModelTest, ScopeSamplesExemptionsMovedOutAndFloating) {
    // Grid 10: residents 1..6; grid 20: resident 7 (out of the round's scope), resident 8
    // sampled anyway; 9 floating, registered at the site during the round in grid 30.
    std::vector<registry::CoveragePerson> people = {
        Person(1, 10, 100),
        Person(2, 10, 100),
        Person(3, 10, 101),
        Person(4, 10, 101, registry::Presence::kMovedOut),  // moved out, not sampled: out
        Person(5, 10, 101, registry::Presence::kMovedOut),  // moved out after being sampled
        Person(6, 10, 101),
        Person(7, 20, 200),
        Person(8, 20, 200),
        Person(9, 30, 300, registry::Presence::kPresent, kStart + kHour),
        Person(11, 10, 100, registry::Presence::kPresent, kStart + 13 * kHour),  // after the end
    };
    std::vector<SampleFact> samples = {{1, 5, kStart + 60'000},
                                       {5, 5, kStart + 120'000},
                                       {8, 5, kStart + 180'000},
                                       {9, 5, kStart + kHour + 1}};
    std::unordered_map<int64_t, Outcome> outcomes = {
        {2, Outcome::kAway}, {3, Outcome::kUnreachable}, {7, Outcome::kAway}};
    RoundCoverage c = ComputeCoverage(GridRound(), people, samples, outcomes, kStart);
    EXPECT_EQ(c.totals.in_scope, 7);             // 1, 2, 3, 5, 6, 8, 9
    EXPECT_EQ(c.totals.sampled, 4);              // 1, 5, 8, 9
    EXPECT_EQ(c.totals.exempt, 1);               // 2 (away)
    EXPECT_EQ(c.totals.missed, 2);               // 3 (unreachable is not exempting), 6
    EXPECT_DOUBLE_EQ(c.totals.Percent(), 66.7);  // 4 * 100 / (7 - 1)
    ASSERT_EQ(c.people.size(), c.standing.size());
    for (size_t i = 0; i < c.people.size(); ++i) {
        EXPECT_NE(c.people[i].id, 4) << "moved out before being sampled: out of scope";
        EXPECT_NE(c.people[i].id, 7) << "outside the round's grids";
        EXPECT_NE(c.people[i].id, 11) << "registered after the round ended";
    }

    // A moved-out person whose follow-up recorded it stays exempt with that reason.
    outcomes[4] = Outcome::kMovedOut;
    c = ComputeCoverage(GridRound(), people, samples, outcomes, kStart);
    EXPECT_EQ(c.totals.in_scope, 8);
    EXPECT_EQ(c.totals.exempt, 2);
}

TEST(CoverageModelTest, NewSamplesUpdateTheLastCoverage) {
    std::vector<registry::CoveragePerson> people = {Person(1, 10, 100), Person(2, 10, 100),
                                                    Person(3, 20, 200)};
    RoundCoverage c = ComputeCoverage(GridRound(), people, {}, {{2, Outcome::kAway}}, kStart);
    ASSERT_EQ(c.totals.missed, 1);
    ASSERT_EQ(c.totals.exempt, 1);
    ASSERT_TRUE(ApplyNewSamples(&c, {{1, 5, kStart + 1}, {2, 5, kStart + 2}}, kStart + 3));
    EXPECT_EQ(c.totals.sampled, 2);
    EXPECT_EQ(c.totals.missed, 0);
    EXPECT_EQ(c.totals.exempt, 0);
    EXPECT_EQ(c.totals.in_scope, 2);
    EXPECT_EQ(c.samples.size(), 2u);
    EXPECT_FALSE(ApplyNewSamples(&c, {{3, 5, kStart + 4}}, kStart + 5))
        << "resident 3 was not in scope: compute again";
}

TEST(CoverageModelTest, ScopeKinds) {
    std::vector<registry::CoveragePerson> people = {Person(1, 10, 100), Person(2, 10, 101),
                                                    Person(3, 20, 200)};
    Round r = GridRound();
    r.scope_kind = RoundScopeKind::kCommunity;
    EXPECT_EQ(ComputeCoverage(r, people, {}, {}, kStart).totals.in_scope, 3);
    r.scope_kind = RoundScopeKind::kBuildings;
    r.scope_ids = {101, 200};
    EXPECT_EQ(ComputeCoverage(r, people, {}, {}, kStart).totals.in_scope, 2);
    r.scope_kind = RoundScopeKind::kPeople;
    r.scope_ids = {3};
    auto c = ComputeCoverage(r, people, {}, {}, kStart);
    ASSERT_EQ(c.people.size(), 1u);
    EXPECT_EQ(c.people[0].id, 3);
    EXPECT_EQ(c.totals.missed, 1);
    EXPECT_DOUBLE_EQ(c.totals.Percent(), 0.0);
}

TEST(CoverageModelTest, PercentEdges) {
    Totals t;
    EXPECT_DOUBLE_EQ(t.Percent(), 0.0);
    t.Add(Standing::kExempt);
    EXPECT_DOUBLE_EQ(t.Percent(), 100.0);
    t.Add(Standing::kSampled);
    t.Add(Standing::kMissed);
    t.Add(Standing::kMissed);
    EXPECT_DOUBLE_EQ(t.Percent(), 33.3);
}

TEST(CoverageModelTest, Outcomes) {
    Outcome o;
    ASSERT_TRUE(ParseOutcome("tested_elsewhere", &o));
    EXPECT_TRUE(IsExempting(o));
    ASSERT_TRUE(ParseOutcome("bedridden", &o));
    EXPECT_FALSE(IsExempting(o)) << "bedridden people wait on the home-sampling list";
    ASSERT_TRUE(ParseOutcome("refused", &o));
    EXPECT_FALSE(IsExempting(o));
    ASSERT_TRUE(ParseOutcome("infant_no_document", &o));
    EXPECT_TRUE(IsExempting(o));
    EXPECT_EQ(OutcomeName(Outcome::kQuarantineOrHospital), "quarantine_or_hospital");
    EXPECT_FALSE(ParseOutcome("lost", &o));
    EXPECT_EQ(OutcomeLabel("away"), "离开本市");
    EXPECT_EQ(OutcomeLabel("lost"), "lost");
}

TEST(CoverageModelTest, ChinaDay) {
    int64_t from = 0, to = 0;
    ASSERT_TRUE(ChinaDay("2024-06-01", &from, &to));
    EXPECT_EQ(from, 1'717'171'200'000);  // 2024-06-01 00:00 +08:00
    EXPECT_EQ(to - from, 24 * kHour);
    EXPECT_FALSE(ChinaDay("2024-6-1", &from, &to));
    EXPECT_FALSE(ChinaDay("2024-13-01", &from, &to));
}

}  // namespace
}  // namespace bulwark::testing::followup
