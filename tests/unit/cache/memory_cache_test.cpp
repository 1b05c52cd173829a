// MemoryCache basics: values, del/clear, mget/mset, stats arithmetic, sharding,
// and a concurrency smoke test.
#include "cache/memory_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "cache_test_util.h"
#include "core/clock.h"

namespace ballast::cache {
namespace {

using testing::key;
using testing::oneShard;

class MemoryCacheTest : public ::testing::Test {
 protected:
  core::SimulatedClock clock_;
  MemoryCache cache_{oneShard(EvictionPolicy::kTinyLfu, 100), clock_};
};

TEST_F(MemoryCacheTest, SetThenGetReturnsValue) {
  ASSERT_TRUE(cache_.set("user:1", R"({"id":1})"));
  const auto entry = cache_.get("user:1");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->value, R"({"id":1})");
  EXPECT_FALSE(cache_.get("user:2"));
}

TEST_F(MemoryCacheTest, SetReplacesValueAndCharge) {
  ASSERT_TRUE(cache_.set("k", "short"));
  ASSERT_TRUE(cache_.set("k", std::string(500, 'x')));
  EXPECT_EQ(cache_.get("k")->value, std::string(500, 'x'));
  EXPECT_EQ(cache_.size(), 1u);
  EXPECT_EQ(cache_.stats().memoryUsed, MemoryCache::chargeOf("k", std::string(500, 'x')));
}

TEST_F(MemoryCacheTest, DelRemovesOnlyThatKey) {
  ASSERT_TRUE(cache_.set("a", "1"));
  ASSERT_TRUE(cache_.set("b", "2"));
  EXPECT_TRUE(cache_.del("a"));
  EXPECT_FALSE(cache_.del("a"));
  EXPECT_FALSE(cache_.get("a"));
  EXPECT_TRUE(cache_.get("b"));
  EXPECT_EQ(cache_.size(), 1u);
}

TEST_F(MemoryCacheTest, ClearEmptiesButKeepsCounters) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(cache_.set(key(i), "v"));
  ASSERT_TRUE(cache_.get(key(1)));
  cache_.clear();
  EXPECT_EQ(cache_.size(), 0u);
  EXPECT_FALSE(cache_.get(key(1)));
  const MemoryCacheStats stats = cache_.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.memoryUsed, 0u);
  EXPECT_EQ(stats.keys, 0u);
}

TEST_F(MemoryCacheTest, MsetThenMgetInOrder) {
  const std::vector<std::pair<std::string, std::string>> entries = {
      {"key1", "value1"}, {"key2", "value2"}, {"key3", "value3"}};
  ASSERT_TRUE(cache_.mset(entries, std::chrono::seconds(10)));
  const std::vector<std::string> keys = {"key1", "missing", "key3"};
  const auto results = cache_.mget(keys);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]->value, "value1");
  EXPECT_FALSE(results[1]);
  EXPECT_EQ(results[2]->value, "value3");
  EXPECT_EQ(results[2]->ttl, std::chrono::seconds(10));
}

TEST(MemoryCacheMset, WritesNothingWhenOneEntryIsTooLarge) {
  core::SimulatedClock clock;
  MemoryCache cache(oneShard(EvictionPolicy::kTinyLfu, 100, 4096), clock);
  const std::vector<std::pair<std::string, std::string>> entries = {
      {"ok", "small"}, {"big", std::string(cache.maxEntryBytes(), 'x')}};
  const auto status = cache.mset(entries);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, core::ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(MemoryCacheTest, StatsStartAtZero) {
  const MemoryCacheStats stats = cache_.stats();
  EXPECT_EQ(stats.hits + stats.misses, 0u);
  EXPECT_EQ(stats.hitRate, 0.0);
  EXPECT_EQ(stats.memoryUsed, 0u);
  EXPECT_EQ(stats.memoryAvailable, cache_.options().maxBytes);
  EXPECT_EQ(stats.memoryPercentage, 0.0);
}

TEST_F(MemoryCacheTest, StatsHitRateIsPercentOfLookups) {
  ASSERT_TRUE(cache_.set("a", "1"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(cache_.get("a"));
  EXPECT_FALSE(cache_.get("nope"));
  const MemoryCacheStats stats = cache_.stats();
  EXPECT_EQ(stats.hits, 3u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_DOUBLE_EQ(stats.hitRate, 75.0);
  EXPECT_EQ(stats.keys, 1u);
}

TEST_F(MemoryCacheTest, RemainingTtlPeeksWithoutCounting) {
  ASSERT_TRUE(cache_.set("a", "1", std::chrono::seconds(5)));
  EXPECT_EQ(cache_.remainingTtl("a").value(), std::chrono::seconds(5));
  EXPECT_EQ(cache_.remainingTtl("b").error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(cache_.stats().hits + cache_.stats().misses, 0u);
}

TEST(MemoryCacheMemory, StatsMemoryFiguresAddUp) {
  core::SimulatedClock clock;
  const size_t budget = 10000;
  MemoryCache cache(oneShard(EvictionPolicy::kLru, 100, budget), clock);
  ASSERT_TRUE(cache.set("a", std::string(100, 'x')));
  ASSERT_TRUE(cache.set("b", std::string(300, 'y')));
  const size_t used = MemoryCache::chargeOf("a", std::string(100, 'x')) +
                      MemoryCache::chargeOf("b", std::string(300, 'y'));
  const MemoryCacheStats stats = cache.stats();
  EXPECT_EQ(stats.memoryUsed, used);
  EXPECT_EQ(stats.memoryAvailable, budget - used);
  EXPECT_DOUBLE_EQ(stats.memoryPercentage, 100.0 * static_cast<double>(used) / budget);
}

TEST(MemoryCacheSharding, ShardCountIsPowerOfTwoWithEnoughEntriesEach) {
  core::SimulatedClock clock;
  MemoryCacheOptions options;
  options.maxEntries = 10000;
  options.shards = 16;
  EXPECT_EQ(MemoryCache(options, clock).shardCount(), 16u);
  options.shards = 12;
  EXPECT_EQ(MemoryCache(options, clock).shardCount(), 8u);
  options.maxEntries = 200;  // 64 entries a shard at least
  options.shards = 16;
  EXPECT_EQ(MemoryCache(options, clock).shardCount(), 2u);
  options.maxEntries = 10;
  EXPECT_EQ(MemoryCache(options, clock).shardCount(), 1u);
}

TEST(MemoryCacheSharding, HoldsMaxEntriesAcrossShards) {
  core::SimulatedClock clock;
  MemoryCacheOptions options;
  options.maxEntries = 1000;
  options.policy = EvictionPolicy::kLru;
  MemoryCache cache(options, clock);
  ASSERT_GT(cache.shardCount(), 1u);
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(cache.set(key(i), "v"));
  EXPECT_LE(cache.size(), 1000u);
  EXPECT_GE(cache.size(), 900u);  // shards fill unevenly, but every shard fills
  EXPECT_EQ(cache.stats().evictions, 5000u - cache.size());
  EXPECT_EQ(cache.maxEntryBytes(), options.maxBytes / cache.shardCount());
}

TEST(MemoryCacheConcurrency, ParallelReadersAndWritersKeepCountsConsistent) {
  core::SimulatedClock clock;
  MemoryCacheOptions options;
  options.maxEntries = 512;
  MemoryCache cache(options, clock);
  constexpr int kThreads = 4;
  constexpr int kOps = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < kOps; ++i) {
        const std::string k = key((i * 7 + t) % 2000);
        if (i % 4 == 0) {
          ASSERT_TRUE(cache.set(k, k));
        } else if (auto entry = cache.get(k)) {
          ASSERT_EQ(entry->value, k);
        }
        if (i % 1000 == 0) cache.del(key(i % 2000));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const MemoryCacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses, uint64_t{kThreads} * kOps * 3 / 4);
  EXPECT_LE(stats.keys, 512u);
  EXPECT_LE(stats.memoryUsed, options.maxBytes);
}

}  // namespace
}  // namespace ballast::cache
