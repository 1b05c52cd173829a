#pragma once
// The seed's cache endpoints, on ballast::Cache (values are any JSON; TTLs
// in whole seconds, 1 to 2592000 = 30 days; keys 1-512 bytes, percent-encoded
// in the path):
//   GET    /api/infrastructure/cache/stats       viewer
//          {hits, misses, hitRate, keys, memory{used, available, percentage}}
//          (+ evictions, expirations, redis{enabled, connected, subscribed, ...})
//   GET    /api/infrastructure/cache/keys/:key   viewer    {key, value, ttl}; 404 unknown
//   POST   /api/infrastructure/cache/keys/:key   operator  {value, ttl?}
//          -> 201 new / 200 replaced: {key, ttl, created, tiers}
//   DELETE /api/infrastructure/cache/keys/:key   operator  {key, deleted, tiers}; 404 unknown
//   DELETE /api/infrastructure/cache/clear       admin     {memory, redis, tiers}: entries removed
//   POST   /api/infrastructure/cache/mget        viewer    {keys} -> [{key, found, value, ttl}]
//   POST   /api/infrastructure/cache/mset        operator  {entries, ttl?} -> {count, tiers}
//          entries: {key: value, ...} or [{key, value}, ...]
// 400 names the field (/key, /value, /ttl, /entries/..., /keys/...); a value
// whose JSON is over the cache's limit (1 MiB) is 413. `tiers` says where a
// write landed: ["memory"] while Redis is away, ["memory", "redis"] otherwise.
// A Redis outage never turns into a 5xx: reads fall back to memory.
//
// Thread-safety: handlers run on any I/O thread (ballast::Cache is thread-safe).

#include "api/admin_api.h"
#include "ballast/cache.h"

namespace ballast::api {

// `cache` must outlive `api`.
void registerCacheRoutes(AdminApi& api, ballast::Cache& cache);

}  // namespace ballast::api
