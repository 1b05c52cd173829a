#include "core/time_format.h"

#include <gtest/gtest.h>

using namespace ballast::core;

TEST(TimeFormat, RoundTripsIsoUtcWithMilliseconds) {
  const auto t = std::chrono::system_clock::from_time_t(1704067200) + Millis(42);
  EXPECT_EQ(isoUtc(t), "2024-01-01T00:00:00.042Z");
  auto back = parseIsoUtc("2024-01-01T00:00:00.042Z");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, t);
  EXPECT_EQ(isoDate(t), "2024-01-01");
}

TEST(TimeFormat, RejectsMalformedTimestamps) {
  EXPECT_FALSE(parseIsoUtc("2024-01-01").has_value());
  EXPECT_FALSE(parseIsoUtc("2024-01-01T00:00:00+02:00").has_value());
  EXPECT_FALSE(parseIsoUtc("2024-01-01T00:00:00.Z").has_value());
  EXPECT_TRUE(parseIsoUtc("2024-01-01T00:00:00Z").has_value());
}
