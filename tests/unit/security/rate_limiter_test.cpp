// GCRA arithmetic, the sharded memory store and the admin policy selection,
// all on a simulated clock.
#include <gtest/gtest.h>

#include <string>

#include "core/clock.h"
#include "security/rate_limit_policy.h"
#include "security/rate_limiter.h"

using namespace ballast;
using namespace std::chrono_literals;
using security::MemoryRateStore;
using security::RatePolicy;

namespace {

class RateLimiterTest : public ::testing::Test {
 protected:
  core::SimulatedClock clock;
  MemoryRateStore store{clock, 100000};
  RatePolicy policy{"test", 1000, 10};  // 10 per second: one every 100 ms, bursts of 10
};

TEST_F(RateLimiterTest, AllowsTheWholeBurstThenRefuses) {
  for (int i = 0; i < 10; ++i) {
    auto d = store.take("k", policy);
    ASSERT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.remaining, 9 - i);
    EXPECT_EQ(d.limit, 10);
  }
  auto refused = store.take("k", policy);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retryAfterMs, 100);  // one emission interval
  EXPECT_EQ(refused.resetMs, 1000);      // the whole quota is back after the window
}

TEST_F(RateLimiterTest, RefusalsDoNotPushTheBucketFurther) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store.take("k", policy).allowed);
  for (int i = 0; i < 50; ++i) ASSERT_FALSE(store.take("k", policy).allowed);
  clock.advance(100ms);
  EXPECT_TRUE(store.take("k", policy).allowed);
}

TEST_F(RateLimiterTest, RefillsSteadily) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store.take("k", policy).allowed);
  clock.advance(99ms);
  EXPECT_FALSE(store.take("k", policy).allowed);
  clock.advance(1ms);
  EXPECT_TRUE(store.take("k", policy).allowed);
  EXPECT_FALSE(store.take("k", policy).allowed);
  clock.advance(300ms);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(store.take("k", policy).allowed) << i;
  EXPECT_FALSE(store.take("k", policy).allowed);
}

TEST_F(RateLimiterTest, SteadyRateAtTheLimitIsNeverRefused) {
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(store.take("k", policy).allowed) << i;
    clock.advance(100ms);
  }
  // ... and a rate just above it is, once the burst is spent.
  int refused = 0;
  for (int i = 0; i < 200; ++i) {
    refused += !store.take("k", policy).allowed;
    clock.advance(90ms);
  }
  EXPECT_GT(refused, 0);
  EXPECT_LT(refused, 40);  // ~10% over: about one in ten refused, after the burst
}

TEST_F(RateLimiterTest, FullyRestoredAfterTheWindow) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store.take("k", policy).allowed);
  clock.advance(1000ms);
  EXPECT_EQ(store.take("k", policy).remaining, 9);
}

TEST_F(RateLimiterTest, KeysAreIndependent) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store.take("a", policy).allowed);
  EXPECT_FALSE(store.take("a", policy).allowed);
  EXPECT_TRUE(store.take("b", policy).allowed);
  EXPECT_EQ(store.take("b", policy).remaining, 8);
}

TEST_F(RateLimiterTest, WindowsNotDivisibleByMaxStillAllowExactlyMax) {
  RatePolicy odd{"odd", 60000, 7};
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(store.take("k", odd).allowed) << i;
  EXPECT_FALSE(store.take("k", odd).allowed);
}

TEST(MemoryRateStoreBounds, AFloodOfDistinctKeysStaysBounded) {
  core::SimulatedClock clock;
  MemoryRateStore store(clock, 1600);  // 100 per shard
  RatePolicy policy{"flood", 60000, 5};
  for (int i = 0; i < 200000; ++i) {
    store.take("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), policy);
    ASSERT_LE(store.size(), 1600u) << i;
  }
  // A key seen just now keeps its state (it is the furthest from a full bucket).
  for (int i = 0; i < 5; ++i) store.take("hot", policy);
  EXPECT_FALSE(store.take("hot", policy).allowed);
}

TEST(MemoryRateStoreBounds, IdleKeysAreDroppedFirst) {
  core::SimulatedClock clock;
  MemoryRateStore store(clock, 1600);
  RatePolicy policy{"idle", 1000, 5};
  for (int i = 0; i < 1600; ++i) store.take("idle-" + std::to_string(i), policy);
  clock.advance(2s);  // every bucket is full again: the entries carry nothing
  for (int i = 0; i < 5; ++i) store.take("busy", policy);
  EXPECT_FALSE(store.take("busy", policy).allowed);
  EXPECT_LE(store.size(), 1600u);
}

TEST(GcraStep, ArithmeticAtTheEdges) {
  RatePolicy policy{"p", 1000, 4};  // 250 ms per request
  auto first = security::gcraStep(0, 1'000'000, policy);
  EXPECT_TRUE(first.decision.allowed);
  EXPECT_EQ(first.newTatUs, 1'250'000);
  EXPECT_EQ(first.decision.remaining, 3);
  EXPECT_EQ(first.decision.resetMs, 250);
  // A TAT exactly one window ahead: the next request would overshoot.
  auto full = security::gcraStep(2'000'000, 1'000'000, policy);
  EXPECT_FALSE(full.decision.allowed);
  EXPECT_EQ(full.newTatUs, 2'000'000);
  EXPECT_EQ(full.decision.retryAfterMs, 250);
}

class AdminRateLimiterTest : public ::testing::Test {
 protected:
  core::SimulatedClock clock;
  MemoryRateStore store{clock, 10000};
  security::RateLimitCounters counters;
  security::AdminRateLimiter limiter{
      {.enabled = true,
       .reads = {"admin-read", 60000, 3},
       .writes = {"admin-write", 60000, 2},
       .routes = {{"POST", "/api/infrastructure/cache/", {"cache-writes", 1000, 1}}}},
      store,
      counters};
};

TEST_F(AdminRateLimiterTest, ReadsAndWritesHaveTheirOwnBudgets) {
  for (int i = 0; i < 2; ++i)
    EXPECT_TRUE(
        limiter.checkAddress("DELETE", "/api/infrastructure/x", "1.2.3.4").decision.allowed);
  auto write = limiter.checkAddress("PUT", "/api/infrastructure/x", "1.2.3.4");
  EXPECT_FALSE(write.decision.allowed);
  EXPECT_EQ(write.policy->name, "admin-write");
  EXPECT_EQ(write.rateClass, security::RateClass::kAdminWrite);
  // Reads are still allowed.
  auto read = limiter.checkAddress("GET", "/api/infrastructure/x", "1.2.3.4");
  EXPECT_TRUE(read.decision.allowed);
  EXPECT_EQ(read.policy->name, "admin-read");
  EXPECT_EQ(counters.count(security::RateClass::kAdminWrite), 1u);
  EXPECT_EQ(counters.count(security::RateClass::kAdminRead), 0u);
}

TEST_F(AdminRateLimiterTest, AddressAndIdentityAreSeparateKeys) {
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(limiter.checkAddress("GET", "/a", "1.2.3.4").decision.allowed);
  EXPECT_FALSE(limiter.checkAddress("GET", "/a", "1.2.3.4").decision.allowed);
  EXPECT_TRUE(limiter.checkIdentity("GET", "/a", "alice").decision.allowed);
  EXPECT_TRUE(limiter.checkAddress("GET", "/a", "5.6.7.8").decision.allowed);
}

TEST_F(AdminRateLimiterTest, RouteOverridesWinByMethodAndPrefix) {
  auto first = limiter.checkAddress("POST", "/api/infrastructure/cache/keys/a", "1.2.3.4");
  EXPECT_EQ(first.policy->name, "cache-writes");
  EXPECT_FALSE(
      limiter.checkAddress("POST", "/api/infrastructure/cache/mset", "1.2.3.4").decision.allowed);
  // Another method on the prefix falls back to its class.
  EXPECT_EQ(
      limiter.checkAddress("DELETE", "/api/infrastructure/cache/keys/a", "1.2.3.4").policy->name,
      "admin-write");
}

TEST(RateLimitFields, StructuredFieldFormOfDraft10) {
  RatePolicy policy{"admin-read", 60000, 100};
  security::RateDecision d{
      .allowed = true, .limit = 100, .remaining = 42, .resetMs = 17001, .retryAfterMs = 0};
  EXPECT_EQ(security::rateLimitPolicyField(policy), "\"admin-read\";q=100;w=60");
  EXPECT_EQ(security::rateLimitField(policy, d), "\"admin-read\";r=42;t=18");
  d.retryAfterMs = 1;
  EXPECT_EQ(security::retryAfterSeconds(d), 1);
  d.retryAfterMs = 2500;
  EXPECT_EQ(security::retryAfterSeconds(d), 3);
}

TEST(RateLimitFields, TighterPrefersARefusalThenFewerRemaining) {
  RatePolicy p{"p", 1000, 10};
  security::RateOutcome a{{.allowed = true, .remaining = 5}, &p};
  security::RateOutcome b{{.allowed = true, .remaining = 2}, &p};
  security::RateOutcome c{{.allowed = false, .remaining = 0}, &p};
  EXPECT_EQ(security::tighter(a, b).decision.remaining, 2);
  EXPECT_FALSE(security::tighter(b, c).decision.allowed);
  EXPECT_FALSE(security::tighter(c, a).decision.allowed);
}

}  // namespace
