// A cache configured with a Redis that refuses connections starts degraded,
// says so once, and keeps working from memory with honest tiers.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>

#include "cache/cache_config.h"
#include "cache/tiered_cache.h"

#include "loopback_port.h"

namespace ballast::cache {
namespace {

using namespace std::chrono_literals;

int closedPort() { return test_support::releasedLoopbackPort(); }

TEST(RedisUnreachableTest, StartsDegradedAndServesFromMemory) {
  std::mutex mu;
  std::vector<CacheEvent> events;
  TieredCacheOptions options;
  options.redis = RedisOptions{.host = "127.0.0.1", .port = closedPort(), .nodeId = "test-node"};
  TieredCache cache(options, core::SystemClock::instance(), core::FastRandom::instance(),
                    [&](const CacheEvent& e) {
                      std::lock_guard lock(mu);
                      events.push_back(e);
                    });

  const CacheHealth health = cache.health();
  EXPECT_TRUE(health.degraded);
  EXPECT_NE(health.reason.find("unavailable"), std::string::npos) << health.reason;
  EXPECT_TRUE(health.redis.enabled);
  EXPECT_FALSE(health.redis.connected);
  EXPECT_EQ(health.redis.nodeId, "test-node");
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_TRUE(events[0].degraded);
    EXPECT_EQ(events[0].level, "warning");
  }

  const auto stored = cache.setRaw("k", "1", 5s);
  ASSERT_TRUE(stored);
  EXPECT_FALSE(stored->redis);
  EXPECT_EQ(stored->tiers(), (std::vector<std::string>{"memory"}));
  EXPECT_EQ(cache.getRaw("k")->value, "1");
  EXPECT_EQ(cache.mgetRaw(std::vector<std::string>{"k", "x"})[0]->value, "1");
  EXPECT_TRUE(cache.del("k").found);
  EXPECT_FALSE(cache.clear().redis);
}

TEST(RedisUnreachableTest, EmptyPrefixIsRefused) {
  TieredCacheOptions options;
  options.redis = RedisOptions{.host = "127.0.0.1", .port = closedPort(), .keyPrefix = ""};
  EXPECT_THROW(TieredCache cache(options), std::invalid_argument);
}

TEST(CacheConfigTest, OptionsFromTheDaemonConfig) {
  core::CacheConfig config;
  config.memory.maxSize = 500;
  config.memory.ttl = 60;
  core::Secrets secrets;
  secrets.redisPassword = "pw";
  auto memoryOnly = cacheOptionsFrom(config, secrets, 4);
  EXPECT_EQ(memoryOnly.memory.maxEntries, 500u);
  EXPECT_EQ(memoryOnly.memory.defaultTtl, 60s);
  EXPECT_FALSE(memoryOnly.redis);

  config.redis.enabled = true;
  config.redis.host = "redis.internal";
  config.redis.port = 6380;
  config.redis.ttl = 120;
  auto withRedis = cacheOptionsFrom(config, secrets, 1);
  ASSERT_TRUE(withRedis.redis);
  EXPECT_EQ(withRedis.redis->host, "redis.internal");
  EXPECT_EQ(withRedis.redis->port, 6380);
  EXPECT_EQ(withRedis.redis->password, "pw");
  EXPECT_EQ(withRedis.redis->defaultTtl, 120s);
  EXPECT_EQ(withRedis.redis->poolSize, 2u);
  EXPECT_EQ(withRedis.redis->keyPrefix, "ballast:cache:");
}

}  // namespace
}  // namespace ballast::cache
