#pragma once
// TieredCache is the two-tier cache behind ballast::Cache (include/ballast/cache.h):
// the memory tier (MemoryCache) in front of an optional Redis tier
// (RedisTier), kept coherent across nodes sharing the Redis by invalidations
// over pub/sub (InvalidationSubscriber). Values are opaque strings here
// (ballast::Cache and the admin API store serialized JSON).
//
// Reads: memory first; on a miss, Redis (GET + PTTL), and the value fills
// memory with the TTL Redis has left. Writes: Redis first (with the
// invalidation published in the same round trip), then memory. Each outcome
// says which tiers it reached: a write made while Redis is down is in memory
// only, and says so (tiers() == ["memory"]).
//
// Coherence. Memory is trusted only while it is kept coherent: with no Redis
// at all, or while the invalidation subscription is up, or while Redis is down
// (then memory is all there is, and availability wins: degraded). With Redis
// up but the subscription lost, reads bypass memory and go to Redis. When the
// subscription is (re)established the memory tier is cleared, since messages
// published meanwhile are lost. Fills are guarded (fill_guard.h) so a read
// racing a write or an invalidation never leaves an older value in memory.
// Staleness across nodes is therefore bounded by pub/sub delivery latency.
//
// Health: degraded while Redis is configured and either down or without a
// subscription; each change is reported once through the event sink
// ("warning" when degraded, "info" when recovered).
//
// Failures of Redis never fail a call: reads fall back to memory, writes
// complete in memory. Only invalid input fails (kValidation, kPayloadTooLarge).
//
// Thread-safety: every method may be called from any thread. The event sink
// is called from request threads and the Redis threads; it must be quick.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cache/cache_limits.h"
#include "cache/early_refresh.h"
#include "cache/fill_guard.h"
#include "cache/memory_cache.h"
#include "cache/redis_options.h"
#include "cache/single_flight.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/random.h"

namespace ballast::cache {

class RedisTier;
class InvalidationSubscriber;
struct Invalidation;
struct StoredValue;

struct TieredCacheOptions {
  MemoryCacheOptions memory;                   // maxEntries, maxBytes, defaultTtl, policy
  size_t maxValueBytes = kDefaultMaxValueBytes;  // serialized value limit (413 above it)
  std::optional<RedisOptions> redis;           // nullopt: memory only
  double earlyRefreshBeta = 1.0;               // getOrSet's XFetch factor (early_refresh.h)
};

// A change of the cache's health.
struct CacheEvent {
  bool degraded = false;
  std::string level;    // "warning" (degraded) | "info" (recovered)
  std::string message;  // one sentence for people
};
using CacheEventSink = std::function<void(const CacheEvent&)>;

// Which tiers a write reached.
struct WriteOutcome {
  bool redis = false;  // also in Redis, and other nodes were told
  std::vector<std::string> tiers() const;  // ["memory"] or ["memory", "redis"]
};
struct SetOutcome : WriteOutcome {
  bool created = false;  // the key had no value before
};
struct DeleteOutcome : WriteOutcome {
  bool found = false;  // the key had a value in some tier
};
struct MsetOutcome : WriteOutcome {
  size_t count = 0;
};
struct ClearOutcome : WriteOutcome {
  size_t memoryEntries = 0;  // entries dropped from memory
  size_t redisKeys = 0;      // keys under the prefix unlinked in Redis
};

struct RedisStatus {
  bool enabled = false;
  bool connected = false;   // commands are going to Redis
  bool subscribed = false;  // invalidations are being received
  std::string address;      // host:port
  std::string keyPrefix;
  std::string nodeId;
  uint64_t hits = 0;           // reads that missed memory and found the key in Redis
  uint64_t commands = 0;       // round trips
  uint64_t errors = 0;
  uint64_t invalidations = 0;  // messages from other nodes applied
  uint64_t subscriptionLosses = 0;  // each followed, once resubscribed, by a memory clear
  std::string lastError;
};

struct TieredCacheStats {
  uint64_t hits = 0;    // reads answered, from either tier
  uint64_t misses = 0;  // reads found in neither
  double hitRate = 0;   // percent, 0..100; 0 before any read
  size_t keys = 0;      // entries in memory
  uint64_t evictions = 0;
  uint64_t expirations = 0;
  size_t memoryUsed = 0;  // bytes, see MemoryCache::chargeOf
  size_t memoryAvailable = 0;
  double memoryPercentage = 0;
  RedisStatus redis;
};

struct CacheHealth {
  bool degraded = false;
  std::string reason;  // when degraded
  RedisStatus redis;
};

class TieredCache {
 public:
  // Produces a value for getOrSet; an error goes to every waiting caller.
  using Loader = std::function<core::Result<std::string>()>;

  // With options.redis, connects (bounded by the connect timeout) and
  // subscribes before returning; an unreachable Redis is not an error (the
  // cache starts degraded and keeps trying). Throws std::invalid_argument
  // for an empty key prefix, a pool of 0 or an invalid node id.
  explicit TieredCache(TieredCacheOptions options = {},
                       core::Clock& clock = core::SystemClock::instance(),
                       core::Random& random = core::FastRandom::instance(), CacheEventSink events = {});
  ~TieredCache();
  TieredCache(const TieredCache&) = delete;
  TieredCache& operator=(const TieredCache&) = delete;

  // The value and its remaining TTL; nullopt when absent (or `key` invalid).
  std::optional<Entry> getRaw(std::string_view key);
  // getRaw for each key, in order, with one Redis round trip for the misses.
  std::vector<std::optional<Entry>> mgetRaw(std::span<const std::string> keys);
  // Stores `value` for `ttl` (0: the default TTL). kValidation naming "key" or
  // "ttl"; kPayloadTooLarge above maxValueBytes.
  core::Result<SetOutcome> setRaw(std::string_view key, std::string value, core::Millis ttl = {},
                                  core::Millis computeTime = {});
  // All entries are checked first; on an error nothing is written.
  core::Result<MsetOutcome> msetRaw(std::span<const std::pair<std::string, std::string>> entries,
                                    core::Millis ttl = {});
  DeleteOutcome del(std::string_view key);
  // Drops every entry of memory and every key under the prefix in Redis.
  ClearOutcome clear();
  // The cached value, or the loader's, stored for `ttl`: one loader run per key
  // at a time in this process (SingleFlight), and probabilistic early refresh
  // of hot keys near expiry (XFetch) -- as LoadingCache, over both tiers.
  core::Result<std::string> getOrSetRaw(const std::string& key, const Loader& loader,
                                        core::Millis ttl = {});

  // Drops up to `limit` expired memory entries; the owner calls it periodically.
  size_t sweepExpired(size_t limit);

  // The TTL a write given `ttl` gets: `ttl` itself, or for 0 the Redis
  // default (with Redis) or the memory default (0: never expires).
  core::Millis effectiveTtl(core::Millis ttl) const;

  TieredCacheStats stats() const;
  CacheHealth health() const;
  const TieredCacheOptions& options() const { return options_; }

 private:
  bool redisUp() const;
  bool memoryTrusted() const;
  core::Status checkWrite(std::string_view key, std::string_view value, core::Millis ttl) const;
  core::Millis memoryTtl(core::Millis ttl) const;
  core::Millis redisTtl(core::Millis ttl) const;
  // Puts a value read from Redis into memory unless `token` went stale; returns it.
  Entry fill(std::string_view key, const FillGuard::Token& token, StoredValue stored);
  std::optional<Entry> counted(std::optional<Entry> entry);
  core::Result<std::string> load(const std::string& key, const Loader& loader, core::Millis ttl,
                                 LoadReason reason);

  void onInvalidation(const Invalidation& message);
  void onSubscription(bool subscribed);
  // Emits an event when health changed since the last report.
  void reportHealth();
  RedisStatus redisStatus() const;

  const TieredCacheOptions options_;
  core::Clock& clock_;
  core::Random& random_;
  const CacheEventSink events_;
  MemoryCache memory_;
  FillGuard guard_;
  SingleFlight<std::string, core::Result<std::string>> flights_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> redisHits_{0};
  std::atomic<uint64_t> invalidations_{0};

  std::unique_ptr<RedisTier> redis_;
  std::unique_ptr<InvalidationSubscriber> subscriber_;

  std::mutex healthMu_;
  bool started_ = false;           // guarded by healthMu_: no events during construction
  bool reportedDegraded_ = false;  // guarded by healthMu_
};

}  // namespace ballast::cache
