#include "health/health_threshold.h"

#include <gtest/gtest.h>

using namespace ballast::health;

namespace {
constexpr HealthTransition kGoesDown{HealthStatus::kHealthy, HealthStatus::kUnhealthy};
constexpr HealthTransition kComesUp{HealthStatus::kUnhealthy, HealthStatus::kHealthy};
}  // namespace

TEST(HealthThreshold, DefaultsFollowTheSeed) {
  HealthThresholdConfig config;
  EXPECT_EQ(config.healthyThreshold, 2);
  EXPECT_EQ(config.unhealthyThreshold, 3);
  EXPECT_TRUE(HealthThreshold().isHealthy());
}

TEST(HealthThreshold, GoesDownAfterUnhealthyThresholdFailuresInARow) {
  HealthThreshold t;
  EXPECT_EQ(t.record(false), std::nullopt);
  EXPECT_EQ(t.record(false), std::nullopt);
  EXPECT_EQ(t.consecutiveFailed(), 2);
  EXPECT_EQ(t.record(false), kGoesDown);
  EXPECT_EQ(t.status(), HealthStatus::kUnhealthy);
  EXPECT_EQ(t.record(false), std::nullopt);  // reported once
}

TEST(HealthThreshold, ComesUpAfterHealthyThresholdPassesInARow) {
  HealthThreshold t({.initial = HealthStatus::kUnhealthy});
  EXPECT_FALSE(t.isHealthy());
  EXPECT_EQ(t.record(true), std::nullopt);
  EXPECT_EQ(t.record(true), kComesUp);
  EXPECT_TRUE(t.isHealthy());
  EXPECT_EQ(t.record(true), std::nullopt);
}

TEST(HealthThreshold, AResultTheOtherWayRestartsTheCount) {
  HealthThreshold t;
  t.record(false);
  t.record(false);
  EXPECT_EQ(t.record(true), std::nullopt);
  EXPECT_EQ(t.consecutiveFailed(), 0);
  EXPECT_EQ(t.consecutivePassed(), 1);
  t.record(false);
  t.record(false);
  EXPECT_TRUE(t.isHealthy());
  EXPECT_EQ(t.record(false), kGoesDown);
  // Coming back: pass, fail, pass is not two passes in a row.
  t.record(true);
  t.record(false);
  EXPECT_EQ(t.record(true), std::nullopt);
  EXPECT_EQ(t.record(true), kComesUp);
}

TEST(HealthThreshold, ThresholdsBelowOneActAsOne) {
  HealthThreshold t({.healthyThreshold = 0, .unhealthyThreshold = -3});
  EXPECT_EQ(t.record(false), kGoesDown);
  EXPECT_EQ(t.record(true), kComesUp);
}

TEST(HealthThreshold, ResetSetsStatusAndClearsCounts) {
  HealthThreshold t;
  t.record(false);
  t.record(false);
  t.reset(HealthStatus::kUnhealthy);
  EXPECT_FALSE(t.isHealthy());
  EXPECT_EQ(t.consecutiveFailed(), 0);
  t.record(true);
  EXPECT_EQ(t.record(true), kComesUp);
}

TEST(HealthThreshold, StatusNames) {
  EXPECT_EQ(toString(HealthStatus::kHealthy), "healthy");
  EXPECT_EQ(toString(HealthStatus::kUnhealthy), "unhealthy");
}
