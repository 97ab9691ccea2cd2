#include "bench/lib/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace bulwark::bench {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
    LatencyHistogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.ValueAtQuantile(0.99), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.Mean(), 0.0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
    LatencyHistogram h;
    for (uint64_t v = 1; v <= 100; ++v) h.Record(v);
    EXPECT_EQ(h.ValueAtQuantile(0.5), 50u);
    EXPECT_EQ(h.ValueAtQuantile(0.99), 99u);
    EXPECT_EQ(h.ValueAtQuantile(1.0), 100u);
    EXPECT_EQ(h.min(), 1u);
    EXPECT_DOUBLE_EQ(h.Mean(), 50.5);
}

// Against exact percentiles of a seeded log-normal sample spanning microseconds to seconds.
TEST(LatencyHistogramTest, QuantilesWithinOnePercent) {
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> dist(std::log(200'000.0), 2.0);
    std::vector<uint64_t> values;
    LatencyHistogram h;
    for (int i = 0; i < 200'000; ++i) {
        const auto v = static_cast<uint64_t>(dist(rng)) + 1;
        values.push_back(v);
        h.Record(v);
    }
    std::sort(values.begin(), values.end());
    for (double q : {0.5, 0.9, 0.99, 0.999, 1.0}) {
        const size_t rank = static_cast<size_t>(std::ceil(q * values.size()));
        const double exact = static_cast<double>(values[rank - 1]);
        const double got = static_cast<double>(h.ValueAtQuantile(q));
        EXPECT_NEAR(got, exact, exact * 0.01) << "q=" << q;
    }
    EXPECT_EQ(h.max(), values.back());
}

TEST(LatencyHistogramTest, HugeValuesDoNotOverflow) {
    LatencyHistogram h;
    h.Record(UINT64_MAX);
    h.Record(uint64_t{1} << 40);
    EXPECT_EQ(h.max(), UINT64_MAX);
    EXPECT_EQ(h.ValueAtQuantile(1.0), UINT64_MAX);
    EXPECT_NEAR(static_cast<double>(h.ValueAtQuantile(0.5)), std::ldexp(1.0, 40),
                std::ldexp(1.0, 40) * 0.01);
}

TEST(LatencyHistogramTest, MergeAddsCounts) {
    LatencyHistogram a, b;
    for (int i = 0; i < 90; ++i) a.Record(1'000);
    for (int i = 0; i < 10; ++i) b.Record(1'000'000);
    a.Merge(b);
    EXPECT_EQ(a.count(), 100u);
    EXPECT_NEAR(static_cast<double>(a.ValueAtQuantile(0.5)), 1'000, 10);
    EXPECT_NEAR(static_cast<double>(a.ValueAtQuantile(0.95)), 1'000'000, 10'000);
    EXPECT_EQ(a.min(), 1'000u);
    EXPECT_EQ(a.max(), 1'000'000u);
}

}  // namespace
}  // namespace bulwark::bench
