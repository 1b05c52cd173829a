// store::ScalingRepository: policies and overrides kept across a reopen,
// events newest first with a retention limit.
#include "store/scaling_repo.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "temp_dir.h"

using namespace ballast;

namespace {

TEST(ScalingRepository, PoliciesAndOverridesSurviveAReopen) {
  test_support::TempDir dir("ballast-scaling-repo");
  {
    auto store = store::Store::open(dir.str());
    ASSERT_TRUE(store.has_value());
    store::ScalingRepository repo((*store)->db());
    ASSERT_TRUE(
        repo.putPolicy({"demo", R"({"enabled":true})", "2024-01-01T00:00:00.000Z"}).has_value());
    ASSERT_TRUE(
        repo.putPolicy({"demo", R"({"enabled":false})", "2024-01-01T00:00:01.000Z"}).has_value());
    ASSERT_TRUE(repo.putOverride({"demo", 5, "launch", "2024-01-02T00:00:00.000Z", true,
                                  "2024-01-01T00:00:00.000Z"})
                    .has_value());
    ASSERT_TRUE(
        repo.putOverride({"other", 1, "quiet", std::nullopt, false, "2024-01-01T00:00:00.000Z"})
            .has_value());
  }
  auto store = store::Store::open(dir.str());
  ASSERT_TRUE(store.has_value());
  store::ScalingRepository repo((*store)->db());
  auto policies = repo.listPolicies();
  ASSERT_TRUE(policies.has_value());
  ASSERT_EQ(policies->size(), 1u);
  EXPECT_EQ((*policies)[0].policyJson, R"({"enabled":false})");
  auto overrides = repo.listOverrides();
  ASSERT_EQ(overrides->size(), 2u);
  EXPECT_EQ((*overrides)[0].instances, 5);
  EXPECT_TRUE((*overrides)[0].forced);
  EXPECT_EQ((*overrides)[0].until, "2024-01-02T00:00:00.000Z");
  EXPECT_FALSE((*overrides)[1].until.has_value());
  EXPECT_TRUE(*repo.deleteOverride("demo"));
  EXPECT_FALSE(*repo.deleteOverride("demo"));
  EXPECT_TRUE(*repo.deletePolicy("demo"));
}

TEST(ScalingRepository, EventsAreNewestFirstAndPrunedBeyondTheRetention) {
  test_support::TempDir dir("ballast-scaling-repo");
  auto store = store::Store::open(dir.str());
  ASSERT_TRUE(store.has_value());
  store::ScalingRepository repo((*store)->db(), 3);
  for (int i = 0; i < 5; ++i) {
    auto stored = repo.appendEvent({.service = i % 2 ? "a" : "b",
                                    .type = "scale-up",
                                    .trigger = "cpu",
                                    .from = i,
                                    .to = i + 1,
                                    .reason = "r",
                                    .timestamp = "2024-01-01T00:00:00.000Z"});
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->id, i + 1);
  }
  auto events = repo.listEvents(10);
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].id, 5);
  EXPECT_EQ((*events)[2].id, 3);
  EXPECT_EQ((*events)[0].from, 4);
  EXPECT_TRUE((*events)[0].success);
  EXPECT_EQ(repo.listEvents(10, "a")->size(), 1u);
  EXPECT_EQ(repo.listEvents(1)->size(), 1u);
}

}  // namespace
