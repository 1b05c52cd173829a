#pragma once
// A latency histogram with fixed bucket bounds (1 ms .. 10 s), recorded
// lock-free: one relaxed fetch_add on the sample's bucket and one on the sum.
//
// Buckets are kept per bucket, not cumulative; snapshot() accumulates them and
// derives the count from the buckets, so every snapshot satisfies the
// Prometheus invariants (buckets non-decreasing, +Inf == count) even while
// samples are being recorded. The sum may be a sample or two ahead of or
// behind the buckets in such a snapshot.
//
// Thread-safety: record() and snapshot() may be called from any thread.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace ballast::telemetry {

class LatencyHistogram {
 public:
  // Upper bounds ("le") in microseconds; a last, implicit bucket is +Inf.
  static constexpr std::array<uint64_t, 13> kBoundsMicros{
      1'000,   2'500,   5'000,     10'000,    25'000,    50'000,    100'000,
      250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};
  static constexpr size_t kBuckets = kBoundsMicros.size() + 1;  // with +Inf

  struct Snapshot {
    std::array<uint64_t, kBuckets> cumulative{};  // [i]: samples <= kBoundsMicros[i]; last: all
    uint64_t count = 0;                           // == cumulative.back()
    double sumSeconds = 0;
  };

  void record(std::chrono::microseconds latency) {
    const auto micros = static_cast<uint64_t>(std::max<int64_t>(latency.count(), 0));
    const auto bucket =
        static_cast<size_t>(std::lower_bound(kBoundsMicros.begin(), kBoundsMicros.end(), micros) -
                            kBoundsMicros.begin());
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    sumMicros_.fetch_add(micros, std::memory_order_relaxed);
  }

  Snapshot snapshot() const {
    Snapshot s;
    uint64_t running = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      running += buckets_[i].load(std::memory_order_relaxed);
      s.cumulative[i] = running;
    }
    s.count = running;
    s.sumSeconds = static_cast<double>(sumMicros_.load(std::memory_order_relaxed)) / 1e6;
    return s;
  }

 private:
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> sumMicros_{0};
};

}  // namespace ballast::telemetry
