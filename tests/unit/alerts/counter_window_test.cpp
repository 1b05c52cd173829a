#include "alerts/counter_window.h"

#include <gtest/gtest.h>

namespace ballast::alerts {
namespace {

using std::chrono::seconds;

TEST(CounterWindowTest, RatioOverTheTrailingWindow) {
  core::SimulatedClock clock;
  CounterWindow window(seconds(60));
  window.record(clock.now(), 0, 0);
  EXPECT_FALSE(window.percent());
  clock.advance(seconds(30));
  window.record(clock.now(), 10, 100);
  EXPECT_DOUBLE_EQ(*window.percent(), 10.0);
  clock.advance(seconds(60));
  window.record(clock.now(), 10, 200);  // the first 30 s left the window
  EXPECT_DOUBLE_EQ(*window.percent(), 0.0);
  clock.advance(seconds(61));
  window.record(clock.now(), 10, 200);  // no traffic inside the window
  EXPECT_FALSE(window.percent());
}

}  // namespace
}  // namespace ballast::alerts
