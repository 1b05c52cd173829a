#include "health/sliding_window.h"

#include <gtest/gtest.h>

using namespace ballast::health;

TEST(HealthSlidingWindow, CountBasedKeepsTheLastNCalls) {
  SlidingWindow window(SlidingWindow::Kind::kCountBased, 3);
  window.record(true, false, 0);
  window.record(true, true, 0);
  window.record(false, true, 0);
  auto totals = window.totals(0);
  EXPECT_EQ(totals.calls, 3);
  EXPECT_EQ(totals.failed, 2);
  EXPECT_EQ(totals.slow, 2);
  window.record(false, false, 0);  // the first call falls out
  totals = window.totals(100);     // time does not matter
  EXPECT_EQ(totals.calls, 3);
  EXPECT_EQ(totals.failed, 1);
  EXPECT_NEAR(totals.failureRatePercent(), 100.0 / 3, 1e-9);
  EXPECT_NEAR(totals.slowCallRatePercent(), 200.0 / 3, 1e-9);
}

TEST(HealthSlidingWindow, TimeBasedKeepsTheLastNSecondsInBuckets) {
  SlidingWindow window(SlidingWindow::Kind::kTimeBased, 3);
  window.record(true, false, 100);
  window.record(true, false, 100);
  window.record(false, false, 101);
  window.record(false, false, 102);
  EXPECT_EQ(window.totals(102).calls, 4);
  EXPECT_EQ(window.totals(103).calls, 2);  // second 100 is out
  EXPECT_EQ(window.totals(103).failed, 0);
  window.record(true, false, 103);
  EXPECT_EQ(window.totals(104).calls, 2);
  EXPECT_EQ(window.totals(110).calls, 0);  // a jump past the whole window
  window.record(true, false, 110);
  EXPECT_EQ(window.totals(110).failed, 1);
}

TEST(HealthSlidingWindow, EmptyWindowHasZeroRatesAndClearEmptiesIt) {
  SlidingWindow window(SlidingWindow::Kind::kCountBased, 0);  // taken as 1
  EXPECT_EQ(window.size(), 1);
  EXPECT_EQ(window.totals(0).failureRatePercent(), 0);
  window.record(true, true, 0);
  window.clear();
  EXPECT_EQ(window.totals(0).calls, 0);
  window.record(false, false, 0);
  EXPECT_EQ(window.totals(0).calls, 1);
}
