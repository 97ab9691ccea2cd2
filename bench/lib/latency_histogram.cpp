#include "bench/lib/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace bulwark::bench {

// Index layout: [0, 128) holds values 0..127 exactly; after that, each power of two [2^e, 2^e+1)
// with e >= 7 is split into 128 buckets of width 2^(e-7), continuing the index without a gap.
int LatencyHistogram::IndexOf(uint64_t value) {
    if (value < kSubBuckets) return static_cast<int>(value);
    const int shift = std::bit_width(value) - 1 - kSubBucketBits;
    const uint64_t top = value >> shift;  // in [128, 256)
    return static_cast<int>((shift + 1) * kSubBuckets + (top - kSubBuckets));
}

uint64_t LatencyHistogram::LowestOf(int index) {
    if (index < static_cast<int>(kSubBuckets)) return static_cast<uint64_t>(index);
    const int shift = index / static_cast<int>(kSubBuckets) - 1;
    const uint64_t top = kSubBuckets + static_cast<uint64_t>(index) % kSubBuckets;
    return top << shift;
}

uint64_t LatencyHistogram::WidthOf(int index) {
    if (index < static_cast<int>(kSubBuckets)) return 1;
    return uint64_t{1} << (index / static_cast<int>(kSubBuckets) - 1);
}

void LatencyHistogram::Record(uint64_t nanos) {
    ++counts_[IndexOf(nanos)];
    ++count_;
    min_ = std::min(min_, nanos);
    max_ = std::max(max_, nanos);
    sum_ += nanos;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
    for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

double LatencyHistogram::Mean() const {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_);
}

uint64_t LatencyHistogram::ValueAtQuantile(double q) const {
    if (count_ == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    const uint64_t rank =
        std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
    if (rank >= count_) return max_;
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            const uint64_t mid = LowestOf(i) + WidthOf(i) / 2;
            return std::clamp(mid, min_, max_);
        }
    }
    return max_;
}

}  // namespace bulwark::bench
