// MemoryCache eviction: LRU order, the byte budget, W-TinyLFU admission and scan
// resistance, and the limits holding under random operations.
#include "cache/memory_cache.h"

#include <gtest/gtest.h>

#include "cache_test_util.h"
#include "core/clock.h"
#include "core/random.h"

namespace ballast::cache {
namespace {

using namespace std::chrono_literals;
using testing::key;
using testing::oneShard;

bool holds(const MemoryCache& cache, const std::string& k) {
  return cache.remainingTtl(k).has_value();  // a peek: no recency, no counters
}

TEST(MemoryCacheLru, EvictsLeastRecentlyUsed) {
  core::SimulatedClock clock;
  MemoryCache cache(oneShard(EvictionPolicy::kLru, 3), clock);
  ASSERT_TRUE(cache.set("a", "1"));
  ASSERT_TRUE(cache.set("b", "2"));
  ASSERT_TRUE(cache.set("c", "3"));
  ASSERT_TRUE(cache.get("a"));  // b is now the least recently used
  ASSERT_TRUE(cache.set("d", "4"));
  EXPECT_FALSE(holds(cache, "b"));
  ASSERT_TRUE(cache.set("c", "3'"));  // a write is a use too: a is next
  ASSERT_TRUE(cache.set("e", "5"));
  EXPECT_FALSE(holds(cache, "a"));
  EXPECT_TRUE(holds(cache, "c"));
  EXPECT_TRUE(holds(cache, "d"));
  EXPECT_TRUE(holds(cache, "e"));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.stats().evictions, 2u);
}

class MemoryCacheBudgetTest : public ::testing::Test {
 protected:
  // Four entries "k0".."k3" of 100-byte values fill the budget exactly.
  const std::string value_ = std::string(100, 'v');
  const size_t unit_ = MemoryCache::chargeOf("k0", value_);
  core::SimulatedClock clock_;
  MemoryCache cache_{oneShard(EvictionPolicy::kLru, 100, 4 * unit_), clock_};

  void fill() {
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(cache_.set("k" + std::to_string(i), value_));
  }
  // A value that makes entry "kb" charge exactly `charge` bytes.
  static std::string valueCharging(size_t charge) {
    return std::string(charge - MemoryCache::chargeOf("kb", ""), 'b');
  }
};

TEST_F(MemoryCacheBudgetTest, BigValueEvictsOldestUntilItFits) {
  fill();
  ASSERT_EQ(cache_.size(), 4u);
  ASSERT_EQ(cache_.stats().memoryAvailable, 0u);
  ASSERT_TRUE(cache_.set("kb", valueCharging(2 * unit_)));
  EXPECT_FALSE(holds(cache_, "k0"));
  EXPECT_FALSE(holds(cache_, "k1"));
  EXPECT_TRUE(holds(cache_, "k2"));
  EXPECT_TRUE(holds(cache_, "k3"));
  EXPECT_TRUE(holds(cache_, "kb"));
  EXPECT_EQ(cache_.stats().evictions, 2u);
  EXPECT_EQ(cache_.stats().memoryUsed, 4 * unit_);
}

TEST_F(MemoryCacheBudgetTest, GrowingAnUpdateEvictsOthersNotItself) {
  fill();
  ASSERT_TRUE(cache_.set("k0", std::string(100 + unit_, 'v')));  // now two units
  EXPECT_TRUE(holds(cache_, "k0"));
  EXPECT_FALSE(holds(cache_, "k1"));
  EXPECT_EQ(cache_.size(), 3u);
}

TEST_F(MemoryCacheBudgetTest, EntryOfWholeBudgetFitsAlone) {
  fill();
  ASSERT_EQ(cache_.maxEntryBytes(), 4 * unit_);
  ASSERT_TRUE(cache_.set("kb", valueCharging(4 * unit_)));
  EXPECT_EQ(cache_.size(), 1u);
  EXPECT_EQ(cache_.stats().evictions, 4u);
}

TEST_F(MemoryCacheBudgetTest, EntryLargerThanBudgetIsRefusedAndChangesNothing) {
  fill();
  const auto status = cache_.set("kb", valueCharging(4 * unit_ + 1));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, core::ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(cache_.size(), 4u);
  EXPECT_EQ(cache_.stats().evictions, 0u);
  // An oversized replacement leaves the old value in place.
  ASSERT_FALSE(cache_.set("k1", valueCharging(5 * unit_)));
  EXPECT_EQ(cache_.get("k1")->value, value_);
}

// Fills a 100-entry cache with keys read three times each, then writes two new
// keys once each: returns whether the first of them is still held.
bool oneOffSurvives(EvictionPolicy policy) {
  core::SimulatedClock clock;
  MemoryCache cache(oneShard(policy, 100), clock);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(cache.set(key(i), "hot"));
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(cache.get(key(i)));
  }
  EXPECT_TRUE(cache.set("one-off-1", "cold"));
  EXPECT_TRUE(cache.set("one-off-2", "cold"));  // pushes one-off-1 out of the window
  int hotHeld = 0;
  for (int i = 0; i < 100; ++i) hotHeld += holds(cache, key(i)) ? 1 : 0;
  EXPECT_GE(hotHeld, policy == EvictionPolicy::kLru ? 98 : 99);
  return holds(cache, "one-off-1");
}

TEST(MemoryCacheTinyLfu, RarelyUsedCandidateIsNotAdmittedOverFrequentVictim) {
  EXPECT_FALSE(oneOffSurvives(EvictionPolicy::kTinyLfu));
}

TEST(MemoryCacheLru, AdmitsEveryNewEntry) {
  EXPECT_TRUE(oneOffSurvives(EvictionPolicy::kLru));
}

TEST(MemoryCacheTinyLfu, NewEntryIsHeldWhileInTheWindow) {
  core::SimulatedClock clock;
  MemoryCache cache(oneShard(EvictionPolicy::kTinyLfu, 100), clock);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(cache.set(key(i), "v"));
    ASSERT_TRUE(holds(cache, key(i))) << i;
  }
  EXPECT_EQ(cache.size(), 100u);
}

// A read-through client: get, and set on a miss. Returns whether it hit.
bool readThrough(MemoryCache& cache, const std::string& k) {
  if (cache.get(k)) return true;
  EXPECT_TRUE(cache.set(k, "value"));
  return false;
}

constexpr int kHotKeys = 50;

// Warms a hot set of 50 keys in a 100-entry cache, then scans 10,000 keys never
// seen before. Returns how many hot keys the cache still holds.
int hotKeysAfterScan(EvictionPolicy policy) {
  core::SimulatedClock clock;
  MemoryCache cache(oneShard(policy, 100), clock);
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < kHotKeys; ++i) readThrough(cache, key(i));
  }
  for (int i = 0; i < 10000; ++i) readThrough(cache, "scan:" + std::to_string(i));
  int held = 0;
  for (int i = 0; i < kHotKeys; ++i) held += holds(cache, key(i)) ? 1 : 0;
  return held;
}

TEST(MemoryCacheTinyLfu, HotSetSurvivesOneOffScan) {
  // All but the one hot key still in the one-entry window when the scan starts:
  // it enters probation unread, and aging wears its count down before it is judged.
  EXPECT_GE(hotKeysAfterScan(EvictionPolicy::kTinyLfu), kHotKeys - 1);
}

TEST(MemoryCacheLru, OneOffScanFlushesHotSet) {
  EXPECT_EQ(hotKeysAfterScan(EvictionPolicy::kLru), 0);
}

// Like hotKeysAfterScan, but the hot set keeps being read during the scan (one
// hot read per 20 scan keys, so each hot key recurs every 1,000 scan keys).
// Returns the hit rate of the hot reads during the scan, in percent.
double hotHitRateDuringScan(EvictionPolicy policy) {
  core::SimulatedClock clock;
  MemoryCache cache(oneShard(policy, 100), clock);
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < kHotKeys; ++i) readThrough(cache, key(i));
  }
  int hotReads = 0;
  int hotHits = 0;
  for (int i = 0; i < 20000; ++i) {
    readThrough(cache, "scan:" + std::to_string(i));
    if (i % 20 == 0) {
      ++hotReads;
      hotHits += readThrough(cache, key((i / 20) % kHotKeys)) ? 1 : 0;
    }
  }
  return 100.0 * hotHits / hotReads;
}

TEST(MemoryCacheTinyLfu, HotSetKeepsHittingThroughScan) {
  EXPECT_GE(hotHitRateDuringScan(EvictionPolicy::kTinyLfu), 95.0);
  EXPECT_LE(hotHitRateDuringScan(EvictionPolicy::kLru), 5.0);
}

// Random writes, reads, deletes and time steps with mixed value sizes: the
// entry and byte limits always hold and a value just written can be read.
void checkLimitsUnderRandomOps(EvictionPolicy policy) {
  core::SimulatedClock clock;
  core::SeededRandom random(42);
  const size_t budget = 40 * MemoryCache::chargeOf("key:000", std::string(64, 'x'));
  MemoryCache cache(oneShard(policy, 50, budget), clock);
  for (int op = 0; op < 20000; ++op) {
    const std::string k = key(static_cast<int>(random.below(300)));
    switch (random.below(4)) {
      case 0: {
        const std::string value(random.below(400), 'x');
        ASSERT_TRUE(cache.set(k, value, core::Millis(1 + random.below(5000))));
        ASSERT_EQ(cache.get(k)->value, value);
        break;
      }
      case 1:
        cache.del(k);
        break;
      case 2:
        clock.advance(core::Millis(random.below(50)));
        cache.sweepExpired(random.below(5));
        break;
      default:
        cache.get(k);
    }
    const MemoryCacheStats stats = cache.stats();
    ASSERT_LE(stats.keys, 50u);
    ASSERT_LE(stats.memoryUsed, budget);
    ASSERT_EQ(stats.memoryAvailable, budget - stats.memoryUsed);
  }
  EXPECT_GT(cache.stats().evictions, 0u);
  EXPECT_GT(cache.stats().expirations, 0u);
}

TEST(MemoryCacheTinyLfu, LimitsHoldUnderRandomOps) {
  checkLimitsUnderRandomOps(EvictionPolicy::kTinyLfu);
}

TEST(MemoryCacheLru, LimitsHoldUnderRandomOps) {
  checkLimitsUnderRandomOps(EvictionPolicy::kLru);
}

}  // namespace
}  // namespace ballast::cache
