#include "telemetry/log_throttle.h"

#include <gtest/gtest.h>

namespace ballast::telemetry {
namespace {

TEST(LogThrottle, LetsOneMessageThroughPerIntervalAndCountsTheRest) {
  LogThrottle throttle(std::chrono::milliseconds(1000));
  EXPECT_EQ(throttle.admit(5000), 0u);
  EXPECT_FALSE(throttle.admit(5001));
  EXPECT_FALSE(throttle.admit(5999));
  EXPECT_EQ(throttle.admit(6000), 2u);  // the two held back are reported
  EXPECT_FALSE(throttle.admit(6500));
  EXPECT_EQ(throttle.admit(9000), 1u);
  EXPECT_EQ(throttle.admit(10000), 0u);
}

}  // namespace
}  // namespace ballast::telemetry
