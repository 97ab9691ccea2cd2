#pragma once

#include <array>
#include <cstdint>

namespace bulwark::bench {

// A log-bucketed latency histogram in the manner of HdrHistogram: values (nanoseconds) below 128
// are exact, larger ones fall into one of 128 equal buckets per power of two, so a reported
// percentile is within 0.4% of a recorded value (the bucket midpoint; the brief asks for ±1%).
// Fixed size (58 KiB), no allocation while recording. Not thread-safe: keep one per thread and
// Merge() them at the end.
class LatencyHistogram {
public:
    void Record(uint64_t nanos);
    void Merge(const LatencyHistogram& other);

    uint64_t count() const { return count_; }
    uint64_t min() const { return count_ == 0 ? 0 : min_; }
    uint64_t max() const { return max_; }
    double Mean() const;
    // The value at quantile q in [0, 1] (0.99 for p99): the midpoint of the bucket holding the
    // ceil(q * count)-th smallest value, clamped to [min, max]; the exact max for the largest
    // rank. 0 when empty.
    uint64_t ValueAtQuantile(double q) const;

private:
    static constexpr int kSubBucketBits = 7;
    static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
    static constexpr int kBuckets = (64 - kSubBucketBits + 1) * kSubBuckets;

    static int IndexOf(uint64_t value);
    static uint64_t LowestOf(int index);
    static uint64_t WidthOf(int index);

    std::array<uint64_t, kBuckets> counts_{};
    uint64_t count_ = 0;
    uint64_t min_ = UINT64_MAX;
    uint64_t max_ = 0;
    long double sum_ = 0;
};

}  // namespace bulwark::bench
