#pragma once
// The cache's options from the daemon's configuration: cache.memory.{maxSize,
// ttl}, cache.redis.{enabled, host, port, ttl} (REDIS_HOST turns Redis on,
// REDIS_PORT), and the REDIS_PASSWORD secret. The memory byte budget keeps the
// library default (MemoryCacheOptions::maxBytes, 64 MiB): the config file has
// no key for it.

#include "cache/tiered_cache.h"
#include "core/config.h"

namespace ballast::cache {

// `ioThreads`: the threads that will call the cache; the Redis pool gets one
// connection each (at least 2, at most 16) so no request waits for one.
TieredCacheOptions cacheOptionsFrom(const core::CacheConfig& config, const core::Secrets& secrets,
                                    int ioThreads);

}  // namespace ballast::cache
