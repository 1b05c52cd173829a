// MemoryCache TTLs: lazy expiry on read, sweeps, the default TTL.
#include "cache/memory_cache.h"

#include <gtest/gtest.h>

#include "cache_test_util.h"
#include "core/clock.h"

namespace ballast::cache {
namespace {

using namespace std::chrono_literals;
using testing::key;
using testing::oneShard;

class MemoryCacheTtlTest : public ::testing::Test {
 protected:
  MemoryCacheOptions options(core::Millis defaultTtl) {
    MemoryCacheOptions o = oneShard(EvictionPolicy::kTinyLfu, 1000);
    o.defaultTtl = defaultTtl;
    return o;
  }
  core::SimulatedClock clock_;
};

TEST_F(MemoryCacheTtlTest, EntryExpiresLazilyOnRead) {
  MemoryCache cache(options(1h), clock_);
  ASSERT_TRUE(cache.set("a", "1", 1000ms));
  clock_.advance(999ms);
  ASSERT_TRUE(cache.get("a"));
  clock_.advance(1ms);
  EXPECT_FALSE(cache.get("a"));
  const MemoryCacheStats stats = cache.stats();
  EXPECT_EQ(stats.expirations, 1u);
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.keys, 0u);
  EXPECT_EQ(stats.memoryUsed, 0u);
}

TEST_F(MemoryCacheTtlTest, RemainingTtlCountsDownAndRoundsUp) {
  MemoryCache cache(options(1h), clock_);
  ASSERT_TRUE(cache.set("a", "1", 10s));
  clock_.advance(2500ms);
  EXPECT_EQ(cache.get("a")->ttl, 7500ms);
  clock_.advance(std::chrono::microseconds(7499500));
  EXPECT_EQ(cache.get("a")->ttl, 1ms);  // half a millisecond left shows as 1
  EXPECT_EQ(cache.remainingTtl("a").value(), 1ms);
}

TEST_F(MemoryCacheTtlTest, ExpiredEntryIsAbsentToPeekButStillHeldUntilSwept) {
  MemoryCache cache(options(1h), clock_);
  ASSERT_TRUE(cache.set("a", "1", 1s));
  clock_.advance(2s);
  EXPECT_FALSE(cache.remainingTtl("a"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.sweepExpired(100), 1u);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(MemoryCacheTtlTest, SweepRemovesOnlyExpiredAndHonoursLimit) {
  MemoryCache cache(options(1h), clock_);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(cache.set(key(i), "v", core::Millis(100 * (i + 1))));
  ASSERT_TRUE(cache.set("forever-ish", "v", 1h));
  clock_.advance(550ms);  // keys 0..4 are due
  EXPECT_EQ(cache.sweepExpired(3), 3u);
  EXPECT_EQ(cache.sweepExpired(100), 2u);
  EXPECT_EQ(cache.sweepExpired(100), 0u);
  EXPECT_EQ(cache.size(), 6u);
  EXPECT_EQ(cache.stats().expirations, 5u);
  for (int i = 5; i < 10; ++i) EXPECT_TRUE(cache.get(key(i))) << i;
}

TEST_F(MemoryCacheTtlTest, SweepCoversEveryShard) {
  MemoryCacheOptions o = options(1s);
  o.maxEntries = 4096;
  o.shards = 16;
  MemoryCache cache(o, clock_);
  ASSERT_EQ(cache.shardCount(), 16u);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(cache.set(key(i), "v"));
  clock_.advance(1s);
  EXPECT_EQ(cache.sweepExpired(10000), 1000u);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(MemoryCacheTtlTest, ZeroTtlMeansDefaultTtl) {
  MemoryCache cache(options(30s), clock_);
  ASSERT_TRUE(cache.set("a", "1"));
  EXPECT_EQ(cache.get("a")->ttl, 30s);
  clock_.advance(30s);
  EXPECT_FALSE(cache.get("a"));
}

TEST_F(MemoryCacheTtlTest, ZeroDefaultTtlMeansNeverExpires) {
  MemoryCache cache(options(0ms), clock_);
  ASSERT_TRUE(cache.set("a", "1"));
  EXPECT_EQ(cache.get("a")->ttl, std::nullopt);
  EXPECT_EQ(cache.remainingTtl("a").value(), std::nullopt);
  clock_.advance(24h * 365);
  EXPECT_TRUE(cache.get("a"));
  EXPECT_EQ(cache.sweepExpired(100), 0u);
}

TEST_F(MemoryCacheTtlTest, HugeTtlSaturatesToNever) {
  MemoryCache cache(options(1h), clock_);
  ASSERT_TRUE(cache.set("a", "1", core::Millis::max()));
  EXPECT_EQ(cache.get("a")->ttl, std::nullopt);
}

TEST_F(MemoryCacheTtlTest, NegativeTtlIsRefused) {
  MemoryCache cache(options(1h), clock_);
  const auto status = cache.set("a", "1", -5ms);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, core::ErrorCode::kValidation);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(MemoryCacheTtlTest, OverwriteRestartsTtl) {
  MemoryCache cache(options(1h), clock_);
  ASSERT_TRUE(cache.set("a", "1", 1s));
  clock_.advance(800ms);
  ASSERT_TRUE(cache.set("a", "2", 1s));
  clock_.advance(800ms);
  EXPECT_EQ(cache.get("a")->value, "2");
  EXPECT_EQ(cache.sweepExpired(10), 0u);  // the first expiry was unindexed
  clock_.advance(200ms);
  EXPECT_EQ(cache.sweepExpired(10), 1u);
}

}  // namespace
}  // namespace ballast::cache
