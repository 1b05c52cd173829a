// ballast::Cache without Redis: the seed's examples, TTLs on the simulated
// clock, limits, getOrSet.
#include "ballast/cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

namespace app {

struct User {
  int id = 0;
  std::string name;
  std::vector<std::string> roles;
  bool operator==(const User&) const = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(User, id, name, roles)

}  // namespace app

namespace ballast {
namespace {

using namespace std::chrono_literals;

class PublicCacheTest : public ::testing::Test {
 protected:
  static CacheOptions options() {
    CacheOptions o;
    o.memory.maxEntries = 1000;
    o.memory.defaultTtl = 1h;
    return o;
  }

  core::SimulatedClock clock_;
  core::SeededRandom random_{11};
  Cache cache_{options(), clock_, random_};
};

TEST_F(PublicCacheTest, SeedExamples) {
  ASSERT_TRUE(cache_.set("key", "value", 3600s));
  EXPECT_EQ(cache_.get<std::string>("key"), "value");
  EXPECT_EQ(cache_.getRaw("key")->value, "\"value\"");  // stored as JSON

  const app::User user{1, "John", {"admin"}};
  ASSERT_TRUE(cache_.set("user:1", user, 7200s));
  EXPECT_EQ(cache_.get<app::User>("user:1"), user);
  EXPECT_EQ(cache_.get("user:1")->at("name"), "John");  // default: nlohmann::json

  const std::map<std::string, std::string> entries{{"key1", "value1"}, {"key2", "value2"}, {"key3", "value3"}};
  const auto stored = cache_.mset(entries, 3600s);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->count, 3u);
  EXPECT_EQ(stored->tiers(), (std::vector<std::string>{"memory"}));
  const auto results = cache_.mget<std::string>({"key1", "key2", "key3", "nope"});
  EXPECT_EQ(results, (std::vector<std::optional<std::string>>{"value1", "value2", "value3", std::nullopt}));

  const auto stats = cache_.getStats();
  EXPECT_EQ(stats.hits, 7u);  // 4 single reads + 3 of mget's 4
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_DOUBLE_EQ(stats.hitRate, 87.5);
  EXPECT_EQ(stats.keys, 5u);
  EXPECT_GT(stats.memoryUsed, 0u);
  EXPECT_EQ(stats.memoryUsed + stats.memoryAvailable, options().memory.maxBytes);
  EXPECT_FALSE(stats.redis.enabled);
}

TEST_F(PublicCacheTest, TtlCountsDownAndExpires) {
  ASSERT_TRUE(cache_.set("k", 1, 10s));
  clock_.advance(4s);
  EXPECT_EQ(cache_.getRaw("k")->ttl, 6s);
  clock_.advance(6s);
  EXPECT_EQ(cache_.get<int>("k"), std::nullopt);
}

TEST_F(PublicCacheTest, DefaultTtlIsTheMemoryDefault) {
  ASSERT_TRUE(cache_.set("k", 1));
  EXPECT_EQ(cache_.getRaw("k")->ttl, 1h);
  EXPECT_EQ(cache_.effectiveTtl(0ms), 1h);
  EXPECT_EQ(cache_.effectiveTtl(5s), 5s);
}

TEST_F(PublicCacheTest, SetReportsCreatedOrReplaced) {
  EXPECT_TRUE(cache_.set("k", 1)->created);
  EXPECT_FALSE(cache_.set("k", 2)->created);
  EXPECT_EQ(cache_.get<int>("k"), 2);
}

TEST_F(PublicCacheTest, DelAndClear) {
  ASSERT_TRUE(cache_.set("a", 1));
  ASSERT_TRUE(cache_.set("b", 2));
  EXPECT_TRUE(cache_.del("a").found);
  EXPECT_FALSE(cache_.del("a").found);
  const auto cleared = cache_.clear();
  EXPECT_EQ(cleared.memoryEntries, 1u);
  EXPECT_FALSE(cleared.redis);
  EXPECT_EQ(cache_.getStats().keys, 0u);
}

TEST_F(PublicCacheTest, InvalidInputIsRefusedWithTheFieldNamed) {
  const auto longKey = cache_.set(std::string(513, 'k'), 1);
  ASSERT_FALSE(longKey);
  EXPECT_EQ(longKey.error().code, core::ErrorCode::kValidation);
  EXPECT_EQ(longKey.error().details.at(0).path, "key");

  const auto longTtl = cache_.set("k", 1, std::chrono::hours(24 * 31));
  ASSERT_FALSE(longTtl);
  EXPECT_EQ(longTtl.error().details.at(0).path, "ttl");

  const auto big = cache_.set("k", std::string(cache::kDefaultMaxValueBytes, 'x'));  // + 2 quotes
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, core::ErrorCode::kPayloadTooLarge);

  // mset checks everything first: nothing is written.
  const std::map<std::string, int> batch{{"fine", 1}, {std::string(600, 'x'), 2}};
  EXPECT_FALSE(cache_.mset(batch));
  EXPECT_FALSE(cache_.getRaw("fine"));

  EXPECT_FALSE(cache_.getRaw(std::string(513, 'k')));  // an invalid key is never present
  EXPECT_FALSE(cache_.del("").found);
}

TEST_F(PublicCacheTest, GetOrSetLoadsOnceAndCaches) {
  int loads = 0;
  auto loader = [&] {
    ++loads;
    return app::User{7, "Ann", {}};
  };
  EXPECT_EQ(cache_.getOrSet<app::User>("user:7", loader, 60s)->name, "Ann");
  EXPECT_EQ(cache_.getOrSet<app::User>("user:7", loader, 60s)->id, 7);
  EXPECT_EQ(loads, 1);
  EXPECT_EQ(cache_.getRaw("user:7")->ttl, 60s);
}

TEST_F(PublicCacheTest, GetOrSetPassesLoaderErrorsAndCachesNothing) {
  auto failing = []() -> core::Result<int> { return core::fail(core::ErrorCode::kBadGateway, "origin down"); };
  const auto result = cache_.getOrSet<int>("k", failing);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, core::ErrorCode::kBadGateway);
  EXPECT_FALSE(cache_.getRaw("k"));
}

TEST(PublicCacheConcurrencyTest, GetOrSetRunsOneLoaderForConcurrentCallers) {
  Cache cache;  // memory only, system clock
  std::atomic<int> loads{0};
  std::atomic<bool> release{false};
  auto loader = [&] {
    ++loads;
    while (!release.load()) std::this_thread::yield();
    return 42;
  };
  std::vector<std::thread> callers;
  std::atomic<int> answered{0};
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      if (cache.getOrSet<int>("hot", loader, 60s).value_or(0) == 42) ++answered;
    });
  }
  while (loads.load() == 0) std::this_thread::yield();
  release = true;
  for (auto& t : callers) t.join();
  EXPECT_EQ(answered.load(), 8);
  EXPECT_EQ(loads.load(), 1);
}

}  // namespace
}  // namespace ballast
