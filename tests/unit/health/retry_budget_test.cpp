#include "health/retry_budget.h"

#include <gtest/gtest.h>

using namespace ballast::health;

TEST(HealthRetryBudget, MinimumConcurrencyAppliesAtLowLoad) {
  RetryBudget budget;
  EXPECT_EQ(budget.allowedRetries(0), 3u);
  EXPECT_EQ(budget.allowedRetries(10), 3u);  // 20% of 10 is 2
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(budget.tryAcquire(1));
  EXPECT_FALSE(budget.tryAcquire(1));
  EXPECT_EQ(budget.activeRetries(), 3u);
  budget.release();
  EXPECT_TRUE(budget.tryAcquire(1));
}

TEST(HealthRetryBudget, ScalesWithActiveRequests) {
  RetryBudget budget;
  EXPECT_EQ(budget.allowedRetries(100), 20u);
  EXPECT_EQ(budget.allowedRetries(104), 20u);  // rounds down
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(budget.tryAcquire(100));
  EXPECT_FALSE(budget.tryAcquire(100));
  EXPECT_TRUE(budget.tryAcquire(105));  // more load, more budget
  EXPECT_FALSE(budget.tryAcquire(10));  // less load: no new retries until some end
}

TEST(HealthRetryBudget, CustomBudget) {
  RetryBudget budget({.budgetPercent = 50, .minRetryConcurrency = 0});
  EXPECT_EQ(budget.allowedRetries(1), 0u);
  EXPECT_FALSE(budget.tryAcquire(1));
  EXPECT_EQ(budget.allowedRetries(9), 4u);
  RetryBudget clamped({.budgetPercent = 250, .minRetryConcurrency = 1});
  EXPECT_EQ(clamped.config().budgetPercent, 100);
  EXPECT_EQ(clamped.allowedRetries(7), 7u);
}
