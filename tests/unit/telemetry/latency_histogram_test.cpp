// LatencyHistogram: bucket placement at the bounds, cumulative snapshots, the
// +Inf == count invariant under concurrent recording.
#include "telemetry/latency_histogram.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using namespace ballast::telemetry;
using std::chrono::microseconds;

namespace {
size_t bucketOf(uint64_t bound) {
  for (size_t i = 0; i < LatencyHistogram::kBoundsMicros.size(); ++i) {
    if (LatencyHistogram::kBoundsMicros[i] == bound) return i;
  }
  return LatencyHistogram::kBuckets;
}
}  // namespace

TEST(LatencyHistogram, EmptySnapshotIsAllZero) {
  LatencyHistogram h;
  auto s = h.snapshot();
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.sumSeconds, 0.0);
  for (auto c : s.cumulative) EXPECT_EQ(c, 0u);
}

TEST(LatencyHistogram, ASampleOnABoundCountsInThatBucket) {
  LatencyHistogram h;
  h.record(microseconds(1000));  // le="0.001" is inclusive
  h.record(microseconds(1001));  // next bucket
  auto s = h.snapshot();
  EXPECT_EQ(s.cumulative[bucketOf(1000)], 1u);
  EXPECT_EQ(s.cumulative[bucketOf(2500)], 2u);
  EXPECT_EQ(s.count, 2u);
}

TEST(LatencyHistogram, SnapshotsAreCumulativeWithInfEqualToCount) {
  LatencyHistogram h;
  for (int64_t micros : {0, 500, 3000, 40'000, 900'000, 7'000'000, 60'000'000})
    h.record(microseconds(micros));
  auto s = h.snapshot();
  for (size_t i = 1; i < s.cumulative.size(); ++i) EXPECT_GE(s.cumulative[i], s.cumulative[i - 1]);
  EXPECT_EQ(s.cumulative[bucketOf(1000)], 2u);
  EXPECT_EQ(s.cumulative[bucketOf(10'000'000)], 6u);  // 60 s is beyond the last bound
  EXPECT_EQ(s.cumulative.back(), 7u);
  EXPECT_EQ(s.count, 7u);
  EXPECT_NEAR(s.sumSeconds, 67.9435, 1e-9);
}

TEST(LatencyHistogram, NegativeDurationsCountAsZero) {
  LatencyHistogram h;
  h.record(microseconds(-5));
  auto s = h.snapshot();
  EXPECT_EQ(s.cumulative[0], 1u);
  EXPECT_EQ(s.sumSeconds, 0.0);
}

TEST(LatencyHistogram, ConcurrentRecordingLosesNothing) {
  LatencyHistogram h;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < kPerThread; ++i) h.record(microseconds((i * 7919 + t) % 20'000'000));
    });
  }
  // Snapshots taken meanwhile keep the invariants.
  for (int i = 0; i < 100; ++i) {
    auto s = h.snapshot();
    EXPECT_EQ(s.cumulative.back(), s.count);
    for (size_t b = 1; b < s.cumulative.size(); ++b)
      ASSERT_GE(s.cumulative[b], s.cumulative[b - 1]);
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(h.snapshot().count, static_cast<uint64_t>(kThreads * kPerThread));
}
