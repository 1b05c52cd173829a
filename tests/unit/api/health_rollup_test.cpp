#include "api/health_rollup.h"

#include <gtest/gtest.h>

namespace ballast::api {
namespace {

TEST(HealthRollUp, APoolIsDegradedWithSomeServersAndUnhealthyWithNone) {
  EXPECT_EQ(poolStatus(2, 2), "healthy");
  EXPECT_EQ(poolStatus(1, 2), "degraded");
  EXPECT_EQ(poolStatus(0, 2), "unhealthy");
  EXPECT_EQ(poolStatus(0, 0), "healthy");  // no servers: listed, changes nothing
}

TEST(HealthRollUp, TheVerdictIsTheWorstComponentWithTheReasons) {
  const auto fresh = rollUpHealth({{"default", 0, 0}}, {});
  EXPECT_EQ(fresh.status, "healthy");
  EXPECT_TRUE(fresh.reasons.empty());

  const auto oneDown = rollUpHealth({{"web", 1, 2}, {"api", 3, 3}}, {{"cache", "healthy", ""}});
  EXPECT_EQ(oneDown.status, "degraded");
  ASSERT_EQ(oneDown.reasons.size(), 1u);
  EXPECT_EQ(oneDown.reasons[0], "service web: 1 of 2 servers eligible");

  const auto worst = rollUpHealth(
      {{"web", 1, 2}, {"api", 0, 3}},
      {{"cache", "degraded", "Redis unreachable"}, {"reported service pay", "healthy", ""}});
  EXPECT_EQ(worst.status, "unhealthy");
  EXPECT_EQ(worst.reasons.size(), 3u);
  EXPECT_EQ(worst.reasons[2], "cache: degraded (Redis unreachable)");

  EXPECT_EQ(rollUpHealth({}, {{"store", "unhealthy", "disk I/O error"}}).status, "unhealthy");
  EXPECT_EQ(rollUpHealth({}, {{"reported service x", "sideways", ""}}).status, "degraded");
}

}  // namespace
}  // namespace ballast::api
