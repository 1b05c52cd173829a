// StatusClassCounters: statuses by class, out-of-range statuses ignored.
#include "telemetry/status_classes.h"

#include <gtest/gtest.h>

using namespace ballast::telemetry;

TEST(StatusClassCounters, CountsByClass) {
  StatusClassCounters c;
  for (int status : {101, 200, 204, 299, 304, 404, 429, 500, 503, 599}) c.record(status);
  EXPECT_EQ(c.count(0), 1u);
  EXPECT_EQ(c.count(1), 3u);
  EXPECT_EQ(c.count(2), 1u);
  EXPECT_EQ(c.count(3), 2u);
  EXPECT_EQ(c.count(4), 3u);
  EXPECT_EQ(StatusClassCounters::label(1), "2xx");
  EXPECT_EQ(StatusClassCounters::label(4), "5xx");
}

TEST(StatusClassCounters, IgnoresStatusesOutsideTheRange) {
  StatusClassCounters c;
  for (int status : {0, 99, 600, -1, 1000}) c.record(status);
  for (size_t i = 0; i < StatusClassCounters::kClasses; ++i) EXPECT_EQ(c.count(i), 0u);
}
