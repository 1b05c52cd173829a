#include "core/random.h"

#include <gtest/gtest.h>

#include <array>

using namespace ballast::core;

TEST(Random, SeededIsReproducible) {
  SeededRandom a(7), b(7);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
}

TEST(Random, BelowIsUniformWithinTolerance) {
  SeededRandom r(1);
  std::array<int, 4> counts{};
  for (int i = 0; i < 40000; ++i) ++counts[r.below(4)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
}

TEST(Random, UnitIsInHalfOpenRange) {
  FastRandom& r = FastRandom::instance();
  for (int i = 0; i < 10000; ++i) {
    const double u = r.unit();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

TEST(Random, SecureBytesHaveRequestedLengthAndDiffer) {
  auto a = secureRandomBytes(32), b = secureRandomBytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}
