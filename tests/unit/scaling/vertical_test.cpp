// Vertical recommendations: percentiles of known distributions, the margin,
// the minimum sample count, and the decay of old samples.
#include "scaling/vertical.h"

#include <gtest/gtest.h>

#include "core/clock.h"

using namespace ballast;
using namespace ballast::scaling;
using core::Millis;

namespace {
constexpr double kMiB = 1024.0 * 1024;
// A percentile reads the upper edge of its bucket, and buckets are about 5 %
// wide (5.2 % around 50 with a 0.1 first bucket), plus a sample's own spacing.
constexpr double kBucketError = 1.07;
}  // namespace

TEST(ScalingVertical, PercentilesOfAUniformDistributionPlusTheMargin) {
  core::SimulatedClock clock;
  VerticalRecommender r(clock);
  // CPU uniform over 1..100 %, memory uniform over 101..200 MiB; one sample a
  // minute (little decay within 100 minutes).
  for (int round = 0; round < 10; ++round) {
    for (int i = 1; i <= 100; ++i) {
      r.addSample(i, static_cast<uint64_t>((100 + i) * kMiB));
      clock.advance(Millis{100});
    }
  }
  const auto rec = r.recommendation();
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->samples, 1000u);
  const auto& cpu = rec->cpuPercent;
  EXPECT_GE(cpu.lowerBound, 50 * 1.15);
  EXPECT_LE(cpu.lowerBound, 50 * 1.15 * kBucketError);
  EXPECT_GE(cpu.target, 90 * 1.15);
  EXPECT_LE(cpu.target, 90 * 1.15 * kBucketError);
  EXPECT_GE(cpu.upperBound, 95 * 1.15);
  EXPECT_LE(cpu.upperBound, 95 * 1.15 * kBucketError);
  const auto& mem = rec->memoryBytes;
  EXPECT_GE(mem.target, 190 * kMiB * 1.15);
  EXPECT_LE(mem.target, 190 * kMiB * 1.15 * kBucketError);
  EXPECT_LE(mem.lowerBound, mem.target);
  EXPECT_LE(mem.target, mem.upperBound);
}

TEST(ScalingVertical, AConstantUsageGivesOneValue) {
  core::SimulatedClock clock;
  VerticalRecommender r(clock, {.margin = 0});
  for (int i = 0; i < 50; ++i) r.addSample(40, static_cast<uint64_t>(256 * kMiB));
  const auto rec = r.recommendation();
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->cpuPercent.lowerBound, rec->cpuPercent.upperBound);
  EXPECT_GE(rec->cpuPercent.target, 40);
  EXPECT_LE(rec->cpuPercent.target, 40 * kBucketError);
  EXPECT_GE(rec->memoryBytes.target, 256 * kMiB);
  EXPECT_LE(rec->memoryBytes.target, 256 * kMiB * kBucketError);
}

TEST(ScalingVertical, NoAdviceBeforeTheMinimumSampleCount) {
  core::SimulatedClock clock;
  VerticalRecommender r(clock, {.minSamples = 30});
  for (int i = 0; i < 29; ++i) r.addSample(50, 1 << 20);
  EXPECT_FALSE(r.recommendation().has_value());
  EXPECT_EQ(r.toJson()["ready"], false);
  EXPECT_TRUE(r.toJson()["cpuPercent"].is_null());
  r.addSample(50, 1 << 20);
  EXPECT_TRUE(r.recommendation().has_value());
  const auto json = r.toJson();
  EXPECT_EQ(json["ready"], true);
  EXPECT_EQ(json["samples"], 30);
  EXPECT_TRUE(json["memoryBytes"]["target"].is_number_unsigned());
}

TEST(ScalingVertical, OldSamplesFadeWithTheHalfLife) {
  core::SimulatedClock clock;
  VerticalRecommender r(clock, {.halfLife = Millis{3'600'000}, .margin = 0, .minSamples = 1});
  for (int i = 0; i < 100; ++i) r.addSample(100, 1 << 30);  // a busy past
  clock.advance(Millis{4 * 3'600'000});                     // four half-lives: each weighs 1/16
  for (int i = 0; i < 100; ++i) r.addSample(20, 1 << 28);   // a quiet present
  // Weights: 100 × 1/16 = 6.25 at 100 %, 100 at 20 %: 94 % of the weight is at
  // 20 %, so p90 is 20 % but p95 still sees the past.
  const auto rec = r.recommendation();
  ASSERT_TRUE(rec.has_value());
  EXPECT_LE(rec->cpuPercent.target, 20 * kBucketError);
  EXPECT_GE(rec->cpuPercent.upperBound, 100);
  // Without decay the past would be half the weight: p50 would not be 20 %.
  core::SimulatedClock still;
  VerticalRecommender flat(still, {.halfLife = Millis{3'600'000}, .margin = 0, .minSamples = 1});
  for (int i = 0; i < 100; ++i) flat.addSample(100, 1 << 30);
  for (int i = 0; i < 100; ++i) flat.addSample(20, 1 << 28);
  EXPECT_GE(flat.recommendation()->cpuPercent.target, 100);
}

TEST(ScalingVertical, HistogramSurvivesLongRunsWithoutOverflow) {
  core::SimulatedClock clock;
  DecayingHistogram h(0.1, 1.05, 1000, Millis{1000});
  for (int i = 0; i < 500; ++i) {
    h.add(50, clock.now());
    clock.advance(Millis{1000});  // 500 half-lives in all: weights would reach 2^500
  }
  const auto p = h.percentile(0.5);
  ASSERT_TRUE(p.has_value());
  EXPECT_GE(*p, 50);
  EXPECT_LE(*p, 50 * kBucketError);
}
