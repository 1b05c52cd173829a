#include "cache/early_refresh.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ballast::cache {
namespace {

using namespace std::chrono_literals;

// Share of `draws` readers that would refresh.
double refreshShare(core::Millis remaining, core::Millis compute, double beta, int draws = 20000) {
  core::SeededRandom random(2024);
  int refreshes = 0;
  for (int i = 0; i < draws; ++i) refreshes += shouldRefreshEarly(remaining, compute, beta, random);
  return static_cast<double>(refreshes) / draws;
}

TEST(EarlyRefresh, ProbabilityRisesAsExpiryNears) {
  double previous = -1;
  for (const auto remaining : {1000ms, 300ms, 100ms, 30ms, 10ms, 1ms}) {
    const double share = refreshShare(remaining, 100ms, 1.0);
    // P = exp(-remaining / (computeTime * beta))
    EXPECT_NEAR(share, std::exp(-static_cast<double>(remaining.count()) / 100.0), 0.015)
        << remaining.count();
    EXPECT_GT(share, previous) << remaining.count();
    previous = share;
  }
}

TEST(EarlyRefresh, FarFromExpiryAlmostNeverRefreshes) {
  EXPECT_EQ(refreshShare(60s, 100ms, 1.0), 0.0);
}

TEST(EarlyRefresh, ExpiredAlwaysRefreshes) {
  EXPECT_EQ(refreshShare(0ms, 100ms, 1.0, 100), 1.0);
  EXPECT_EQ(refreshShare(-5ms, 0ms, 1.0, 100), 1.0);
}

TEST(EarlyRefresh, UnknownComputeTimeNeverRefreshesEarly) {
  EXPECT_EQ(refreshShare(1ms, 0ms, 1.0, 100), 0.0);
}

TEST(EarlyRefresh, LargerBetaRefreshesEarlier) {
  EXPECT_GT(refreshShare(200ms, 100ms, 2.0), refreshShare(200ms, 100ms, 1.0) + 0.2);
}

}  // namespace
}  // namespace ballast::cache
