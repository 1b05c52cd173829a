#include "cache/frequency_sketch.h"

#include <gtest/gtest.h>

#include <cstdint>

using ballast::cache::FrequencySketch;

namespace {
// Distinct, well-spread hashes for test keys.
uint64_t hashOf(uint64_t i) {
  return i * 0x9e3779b97f4a7c15ULL + 1;
}
}  // namespace

TEST(FrequencySketch, CountsIncrements) {
  FrequencySketch sketch(100);
  EXPECT_EQ(sketch.frequency(hashOf(1)), 0);
  for (int i = 0; i < 5; ++i) sketch.increment(hashOf(1));
  EXPECT_EQ(sketch.frequency(hashOf(1)), 5);
  EXPECT_EQ(sketch.frequency(hashOf(2)), 0);
}

TEST(FrequencySketch, SaturatesAtFifteenWithoutAdvancingAging) {
  FrequencySketch sketch(100);
  for (int i = 0; i < 40; ++i) sketch.increment(hashOf(7));
  EXPECT_EQ(sketch.frequency(hashOf(7)), FrequencySketch::kMaxFrequency);
  EXPECT_EQ(sketch.additions(), 15u);
}

TEST(FrequencySketch, AgingHalvesCounters) {
  FrequencySketch sketch(64);
  EXPECT_EQ(sketch.sampleSize(), 640u);
  for (int i = 0; i < 8; ++i) sketch.increment(hashOf(0));
  ASSERT_EQ(sketch.frequency(hashOf(0)), 8);
  // Distinct keys until the additions count drops: that is the halving.
  uint64_t next = 1;
  size_t before = sketch.additions();
  while (true) {
    sketch.increment(hashOf(next++));
    if (sketch.additions() < before) break;
    before = sketch.additions();
  }
  EXPECT_EQ(next, 640u - 8 + 1);
  EXPECT_LT(sketch.additions(), sketch.sampleSize() / 2);
  // Halved from 8, plus at most a little count-min collision noise.
  EXPECT_GE(sketch.frequency(hashOf(0)), 4);
  EXPECT_LE(sketch.frequency(hashOf(0)), 5);
}

TEST(FrequencySketch, SeparatesHotFromColdKeys) {
  FrequencySketch sketch(1000);
  for (int round = 0; round < 10; ++round) {
    for (uint64_t hot = 0; hot < 50; ++hot) sketch.increment(hashOf(hot));
    for (uint64_t cold = 0; cold < 300; ++cold) {
      sketch.increment(hashOf(100000 + round * 1000 + cold));
    }
  }
  int hotTotal = 0;
  for (uint64_t hot = 0; hot < 50; ++hot) hotTotal += sketch.frequency(hashOf(hot));
  int coldTotal = 0;
  for (uint64_t cold = 0; cold < 50; ++cold) coldTotal += sketch.frequency(hashOf(109000 + cold));
  EXPECT_GE(hotTotal / 50, 5);
  EXPECT_LE(coldTotal / 50, 2);
}

TEST(FrequencySketch, ClearForgets) {
  FrequencySketch sketch(16);
  for (int i = 0; i < 3; ++i) sketch.increment(hashOf(3));
  sketch.clear();
  EXPECT_EQ(sketch.frequency(hashOf(3)), 0);
  EXPECT_EQ(sketch.additions(), 0u);
}
