// telemetry::LatencyWindow: bucket bounds, quantiles within 6.25%, the
// one-minute window sliding with the simulated clock, totals since start, and
// concurrent recording.
#include "telemetry/latency_window.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>
#include <vector>

using namespace ballast;
using namespace std::chrono_literals;
using telemetry::LatencyWindow;

namespace {

TEST(LatencyWindow, BucketsAreExactBelowEightThenEightPerPowerOfTwo) {
  for (uint64_t v = 0; v < 8; ++v) {
    EXPECT_EQ(LatencyWindow::bucketOf(v), v);
    EXPECT_EQ(LatencyWindow::bucketMidpointMicros(v), static_cast<double>(v));
  }
  EXPECT_EQ(LatencyWindow::bucketOf(8), 8u);
  EXPECT_EQ(LatencyWindow::bucketOf(15), 15u);
  EXPECT_EQ(LatencyWindow::bucketOf(16), 16u);  // 16-17 share a bucket
  EXPECT_EQ(LatencyWindow::bucketOf(17), 16u);
  EXPECT_EQ(LatencyWindow::bucketOf(18), 17u);
  EXPECT_EQ(LatencyWindow::bucketMidpointMicros(16), 16.5);
  // Monotonic, and every value lies in its bucket within 1/16 of the midpoint.
  size_t previous = 0;
  for (uint64_t v = 1; v < (uint64_t{1} << 27); v = v + 1 + v / 7) {
    const size_t bucket = LatencyWindow::bucketOf(v);
    ASSERT_GE(bucket, previous);
    ASSERT_LT(bucket, LatencyWindow::kBuckets);
    previous = bucket;
    EXPECT_LE(std::abs(LatencyWindow::bucketMidpointMicros(bucket) - static_cast<double>(v)),
              static_cast<double>(v) / 16.0)
        << v;
  }
  EXPECT_EQ(LatencyWindow::bucketOf(uint64_t{1} << 40), LatencyWindow::kBuckets - 1);
}

TEST(LatencyWindow, NoQuantileWithoutSamples) {
  core::SimulatedClock clock;
  LatencyWindow window;
  EXPECT_FALSE(window.quantileMicros(0.5, clock.now()));
  EXPECT_EQ(window.totalCount(), 0u);
}

TEST(LatencyWindow, QuantilesOfAUniformSpreadAreWithinTheBucketError) {
  core::SimulatedClock clock;
  LatencyWindow window;
  for (int ms = 1; ms <= 1000; ++ms) window.record(std::chrono::milliseconds(ms), clock.now());
  for (const auto& [q, expectedMs] : {std::pair{0.5, 500.0}, {0.95, 950.0}, {0.99, 990.0}}) {
    const auto micros = window.quantileMicros(q, clock.now());
    ASSERT_TRUE(micros);
    EXPECT_NEAR(*micros / 1000.0, expectedMs, expectedMs / 16.0) << q;
  }
  EXPECT_EQ(window.totalCount(), 1000u);
  EXPECT_NEAR(window.totalSumSeconds(), 500.5, 1e-9);
}

TEST(LatencyWindow, ATailShowsInP99ButNotInP50) {
  core::SimulatedClock clock;
  LatencyWindow window;
  for (int i = 0; i < 980; ++i) window.record(2ms, clock.now());
  for (int i = 0; i < 20; ++i) window.record(800ms, clock.now());
  EXPECT_NEAR(*window.quantileMicros(0.5, clock.now()), 2000, 2000 / 16.0);
  EXPECT_NEAR(*window.quantileMicros(0.95, clock.now()), 2000, 2000 / 16.0);
  EXPECT_NEAR(*window.quantileMicros(0.99, clock.now()), 800000, 800000 / 16.0);
}

TEST(LatencyWindow, OldSamplesLeaveTheWindowWithinAMinute) {
  core::SimulatedClock clock;
  LatencyWindow window;
  for (int i = 0; i < 100; ++i) window.record(500ms, clock.now());
  clock.advance(30s);
  for (int i = 0; i < 100; ++i) window.record(5ms, clock.now());
  // Both halves in the window: the median is one of them, p99 the slow one.
  EXPECT_NEAR(*window.quantileMicros(0.99, clock.now()), 500000, 500000 / 16.0);
  clock.advance(35s);  // the slow samples are over 60 s old now
  EXPECT_NEAR(*window.quantileMicros(0.99, clock.now()), 5000, 5000 / 16.0);
  EXPECT_EQ(window.window(clock.now()).count, 100u);
  clock.advance(60s);
  EXPECT_FALSE(window.quantileMicros(0.5, clock.now()));
  EXPECT_EQ(window.totalCount(), 200u);  // the totals keep everything
}

TEST(LatencyWindow, AReusedSlotStartsEmpty) {
  core::SimulatedClock clock;
  LatencyWindow window;
  window.record(900ms, clock.now());
  clock.advance(LatencyWindow::kSlotLength * LatencyWindow::kSlots);  // the same slot, a later period
  window.record(1ms, clock.now());
  const auto recent = window.window(clock.now());
  EXPECT_EQ(recent.count, 1u);
  EXPECT_NEAR(*recent.quantileMicros(1.0), 1000, 1000 / 16.0);
}

TEST(LatencyWindow, ConcurrentRecordersLoseNothingWithinOneSlot) {
  core::SimulatedClock clock;
  LatencyWindow window;
  const auto now = clock.now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&window, now, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      for (int i = 0; i < 20000; ++i) window.record(std::chrono::microseconds(random() % 100000), now);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(window.window(now).count, 80000u);
  EXPECT_EQ(window.totalCount(), 80000u);
}

}  // namespace
