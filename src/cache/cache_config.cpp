#include "cache/cache_config.h"

#include <algorithm>

namespace ballast::cache {

TieredCacheOptions cacheOptionsFrom(const core::CacheConfig& config, const core::Secrets& secrets,
                                    int ioThreads) {
  TieredCacheOptions options;
  options.memory.maxEntries = static_cast<size_t>(config.memory.maxSize);
  options.memory.maxBytes = static_cast<size_t>(config.memory.maxBytes);
  options.memory.defaultTtl = std::chrono::seconds(config.memory.ttl);
  if (config.redis.enabled) {
    RedisOptions redis;
    redis.host = config.redis.host;
    redis.port = config.redis.port;
    redis.password = secrets.redisPassword;
    redis.defaultTtl = std::chrono::seconds(config.redis.ttl);
    redis.poolSize = static_cast<size_t>(std::clamp(ioThreads, 2, 16));
    options.redis = std::move(redis);
  }
  return options;
}

}  // namespace ballast::cache
