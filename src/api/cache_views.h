#pragma once
// JSON shapes and request-body readers of the cache endpoints
// (cache_routes.h). Bodies are read with JsonReader so one 400 names every
// bad field; keys and TTLs are checked with the library's own rules
// (cache/cache_limits.h), values against the cache's size limit (413).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cache/tiered_cache.h"
#include "core/error.h"
#include "core/json.h"
#include "core/json_reader.h"

namespace ballast::api {

// Most keys one mget or mset may name.
inline constexpr size_t kMaxBatchKeys = 1000;

// POST /keys/:key: the serialized value and the TTL (0: the default).
struct CacheWrite {
  std::string value;
  core::Millis ttl{0};
};
core::Result<CacheWrite> readCacheWrite(const std::string& key, const core::Json& body, size_t maxValueBytes);

// POST /mset: (key, serialized value) pairs and the TTL.
struct CacheBatchWrite {
  std::vector<std::pair<std::string, std::string>> entries;
  core::Millis ttl{0};
};
core::Result<CacheBatchWrite> readCacheBatchWrite(const core::Json& body, size_t maxValueBytes);

// POST /mget: the keys.
core::Result<std::vector<std::string>> readCacheKeys(const core::Json& body);

// kValidation naming "/key" when `key` (a path parameter) cannot be a cache key.
core::Status checkKeyParam(const std::string& key);

// Remaining TTL in whole seconds, rounded up; null when the entry never expires.
core::Json ttlSecondsJson(const std::optional<core::Millis>& ttl);
// {key, value, ttl}: the stored JSON parsed back (text that is not JSON, written
// by someone else, comes back as a string).
core::Json entryJson(const std::string& key, const cache::Entry& entry);
// {hits, misses, hitRate, keys, memory{used, available, percentage}, evictions,
//  expirations, redis{enabled, connected, subscribed, ...}}
core::Json cacheStatsJson(const cache::TieredCacheStats& stats);
// {status: "healthy"|"degraded", reason?, tiers, redis{...}}: for GET /api/infrastructure/health.
core::Json cacheHealthJson(const cache::CacheHealth& health);

}  // namespace ballast::api
