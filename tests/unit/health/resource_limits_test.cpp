#include "health/resource_limits.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using namespace ballast::health;

TEST(HealthResourceLimit, AcquiresUpToTheLimit) {
  ResourceLimit limit(2);
  EXPECT_EQ(limit.remaining(), 2u);
  EXPECT_FALSE(limit.isOpen());
  EXPECT_TRUE(limit.tryAcquire());
  EXPECT_TRUE(limit.tryAcquire());
  EXPECT_FALSE(limit.tryAcquire());
  EXPECT_EQ(limit.current(), 2u);
  EXPECT_EQ(limit.remaining(), 0u);
  EXPECT_TRUE(limit.isOpen());
  limit.release();
  EXPECT_FALSE(limit.isOpen());
  EXPECT_TRUE(limit.tryAcquire());
}

TEST(HealthResourceLimit, LoweringTheLimitDrainsWithoutTakingBack) {
  ResourceLimit limit(3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limit.tryAcquire());
  limit.setMax(1);
  EXPECT_EQ(limit.current(), 3u);
  EXPECT_EQ(limit.remaining(), 0u);
  limit.release();
  EXPECT_FALSE(limit.tryAcquire());
  limit.release();
  limit.release();
  EXPECT_TRUE(limit.tryAcquire());
}

TEST(HealthResourceLimit, ZeroAllowsNothing) {
  ResourceLimit limit(0);
  EXPECT_TRUE(limit.isOpen());
  EXPECT_FALSE(limit.tryAcquire());
}

TEST(HealthResourceLimit, NeverOvershootsUnderContention) {
  ResourceLimit limit(5);
  std::atomic<uint64_t> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        if (!limit.tryAcquire()) continue;
        const uint64_t now = limit.current();
        uint64_t seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        limit.release();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 5u);
  EXPECT_EQ(limit.current(), 0u);
}

TEST(HealthResourcePermit, ReleasesWhenDestroyedAndMoves) {
  ResourceLimit limit(1);
  {
    ResourcePermit permit = ResourcePermit::tryAcquire(limit);
    EXPECT_TRUE(permit);
    EXPECT_FALSE(ResourcePermit::tryAcquire(limit));
    ResourcePermit moved(std::move(permit));
    EXPECT_FALSE(permit);  // NOLINT(bugprone-use-after-move): moved-from is empty
    EXPECT_EQ(limit.current(), 1u);
    ResourcePermit assigned;
    assigned = std::move(moved);
    EXPECT_EQ(limit.current(), 1u);
  }
  EXPECT_EQ(limit.current(), 0u);
  ResourcePermit permit = ResourcePermit::tryAcquire(limit);
  permit.release();
  permit.release();
  EXPECT_EQ(limit.current(), 0u);
}

TEST(HealthServiceResourceLimits, EnvoyDefaults) {
  ServiceResourceLimits limits;
  EXPECT_EQ(limits.connections.max(), 1024u);
  EXPECT_EQ(limits.pendingRequests.max(), 1024u);
  EXPECT_EQ(limits.requests.max(), 1024u);
  EXPECT_EQ(limits.retries.max(), 3u);
  ServiceResourceLimits custom({.maxConnections = 7});
  EXPECT_EQ(custom.connections.max(), 7u);
}
