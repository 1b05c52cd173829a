#pragma once
// telemetry::LatencyWindow — the distribution of recent latencies, for p50,
// p95 and p99 per upstream server and per admin API route.
//
// Recording is on the proxy's hot path, so it is lock-free and
// allocation-free: samples are counted in fixed log-linear buckets (exact
// below 8 µs, then 8 buckets per power of two up to 2^27 µs ≈ 134 s; larger
// samples go to the last bucket), so a quantile read from them is within
// 1/16 (6.25%) of the true value. Quantiles are computed on read.
//
// The window: kSlots slots of kSlotLength each, in a ring; a sample goes to
// the slot of the period its time falls in, and a read adds up the slots of
// the last kSlots periods (so it covers between (kSlots - 1) and kSlots slot
// lengths: 50-60 s). A recent window rather than since-start, so a change in
// a server's latency shows within a minute — what alerting and autoscaling
// want, and what a Prometheus summary's quantiles mean. The total count and
// sum since start are kept too (a summary's _count and _sum).
//
// A slot is reused by the first sample of its new period, which clears it;
// a sample recorded by another thread into the same slot during that clear
// may be lost, and a read racing a clear may see part of the old period. Both
// are a few samples once per slot length: fine for an estimate.
//
// Thread-safety: record() and every reader may be called from any thread.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/clock.h"

namespace ballast::telemetry {

class LatencyWindow {
 public:
  static constexpr size_t kSlots = 6;
  static constexpr core::Millis kSlotLength{10000};
  static constexpr int kSubBucketBits = 3;  // 8 buckets per power of two
  static constexpr int kMaxExponent = 26;   // the last bucket starts at 15 * 2^23 µs
  static constexpr size_t kBuckets = (1u << kSubBucketBits) * (kMaxExponent - kSubBucketBits + 2);

  // The bucket a sample of `micros` falls in.
  static size_t bucketOf(uint64_t micros) noexcept;
  // The value a bucket stands for: the middle of its range, in µs.
  static double bucketMidpointMicros(size_t bucket) noexcept;

  // The window's samples, added up, as of one read.
  struct Snapshot {
    std::array<uint64_t, kBuckets> counts{};
    uint64_t count = 0;

    // The q-quantile (0 < q <= 1) in µs: the bucket of the ceil(q * count)-th
    // smallest sample; nullopt without samples.
    std::optional<double> quantileMicros(double q) const;
  };

  // REQUIRES: `now` comes from one monotonic clock for every call.
  void record(std::chrono::microseconds latency, core::MonoTime now) noexcept;

  Snapshot window(core::MonoTime now) const;
  std::optional<double> quantileMicros(double q, core::MonoTime now) const { return window(now).quantileMicros(q); }

  // Since construction.
  uint64_t totalCount() const { return totalCount_.load(std::memory_order_relaxed); }
  double totalSumSeconds() const {
    return static_cast<double>(totalMicros_.load(std::memory_order_relaxed)) / 1e6;
  }

 private:
  static int64_t periodOf(core::MonoTime now) {
    return std::chrono::duration_cast<core::Millis>(now.time_since_epoch()).count() / kSlotLength.count();
  }

  struct Slot {
    std::atomic<int64_t> period{-1};  // the period its counts belong to
    std::array<std::atomic<uint32_t>, kBuckets> counts{};
  };

  std::array<Slot, kSlots> slots_;
  std::atomic<uint64_t> totalCount_{0};
  std::atomic<uint64_t> totalMicros_{0};
};

}  // namespace ballast::telemetry
