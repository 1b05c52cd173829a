// EventCounter: counts by type and level, sorted snapshots.
#include "telemetry/event_counter.h"

#include <gtest/gtest.h>

using namespace ballast::telemetry;

TEST(EventCounter, CountsByTypeAndLevel) {
  EventCounter c;
  c.add("health", "error");
  c.add("server", "info");
  c.add("health", "error");
  c.add("health", "info");
  auto s = c.snapshot();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].type, "health");
  EXPECT_EQ(s[0].level, "error");
  EXPECT_EQ(s[0].total, 2u);
  EXPECT_EQ(s[1].level, "info");
  EXPECT_EQ(s[2].type, "server");
}
