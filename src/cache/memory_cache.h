#pragma once
// MemoryCache is the cache's first tier: string keys to byte-string values (the
// API layer serialises JSON to a string) with a TTL each, held in process
// memory, bounded by an entry count and a byte budget.
//
// Keys are spread over independently locked shards by hash (as LevelDB's
// ShardedLRUCache); each shard evicts by W-TinyLFU or plain LRU (cache_shard.h)
// within its share of the limits. Expired entries are dropped when read, and in
// bulk by sweepExpired(), which the owner calls periodically; until then they
// still count in size() and the memory figures.
//
// Thread-safety: every method may be called from any thread. A call locks one
// shard at a time; mget, mset, clear and stats visit the shards one after another,
// so they are not atomic snapshots across shards.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cache/cache_shard.h"
#include "cache/cache_types.h"
#include "core/clock.h"
#include "core/error.h"

namespace ballast::cache {

struct MemoryCacheOptions {
  // The most entries held (config cache.memory.maxSize).
  size_t maxEntries = 10000;
  // Byte budget for keys, values and per-entry bookkeeping (see chargeOf()).
  size_t maxBytes = size_t{64} << 20;
  // TTL of set() calls given 0 (config cache.memory.ttl). 0: such entries never expire.
  core::Millis defaultTtl = std::chrono::hours(1);
  // kTinyLfu resists scans; kLru is there to compare against.
  EvictionPolicy policy = EvictionPolicy::kTinyLfu;
  // Independently locked shards. Rounded down to a power of two in [1, 256], then
  // halved while a shard would hold fewer than kMinShardEntries entries.
  size_t shards = 16;
};

struct MemoryCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  double hitRate = 0;  // percent of get()s that hit, 0..100; 0 before any lookup
  size_t keys = 0;     // entries held, including expired ones not yet dropped
  uint64_t evictions = 0;
  uint64_t expirations = 0;
  size_t memoryUsed = 0;        // bytes charged, see chargeOf()
  size_t memoryAvailable = 0;   // maxBytes - memoryUsed
  double memoryPercentage = 0;  // memoryUsed / maxBytes, percent
};

class MemoryCache {
 public:
  static constexpr size_t kMinShardEntries = 64;
  static constexpr size_t kMaxShards = 256;

  MemoryCache(const MemoryCacheOptions& options, core::Clock& clock);

  // Stores `value` under `key` for `ttl` (0: options.defaultTtl), replacing any
  // previous value. `computeTime` is how long the value took to produce (for
  // early refresh); 0 when unknown.
  // Errors: kValidation for a negative ttl; kPayloadTooLarge when the entry is
  // larger than maxEntryBytes() (the previous value, if any, stays).
  core::Status set(std::string_view key, std::string value, core::Millis ttl = core::Millis{0},
                   core::Millis computeTime = core::Millis{0});
  // The live entry under `key`, counted as a hit, or nullopt, counted as a miss.
  std::optional<Entry> get(std::string_view key);
  // get() for each key, in order.
  std::vector<std::optional<Entry>> mget(std::span<const std::string> keys);
  // set() for each pair with the same ttl. All entries are checked first: on an
  // error nothing is written.
  core::Status mset(std::span<const std::pair<std::string, std::string>> entries,
                    core::Millis ttl = core::Millis{0});
  // Removes the entry; false when there was none.
  bool del(std::string_view key);
  // Removes every entry. Hit, miss, eviction and expiration counts are kept.
  void clear();
  // The live entry's remaining TTL without reading it (no hit, no miss, no
  // recency change); nullopt inside when it never expires. kNotFound when absent.
  core::Result<std::optional<core::Millis>> remainingTtl(std::string_view key) const;
  // Drops up to `limit` expired entries, across all shards. Returns how many.
  size_t sweepExpired(size_t limit);

  size_t size() const;
  MemoryCacheStats stats() const;

  // The largest entry set() accepts: one shard's share of the byte budget.
  size_t maxEntryBytes() const { return maxEntryBytes_; }
  size_t shardCount() const { return shards_.size(); }
  const MemoryCacheOptions& options() const { return options_; }
  // The bytes an entry counts against the budget.
  static size_t chargeOf(std::string_view key, std::string_view value);

 private:
  struct LockedShard {
    explicit LockedShard(const ShardLimits& limits) : shard(limits) {}
    mutable std::mutex mu;
    CacheShard shard;  // guarded by mu
  };

  static uint64_t hashOf(std::string_view key);
  LockedShard& shardFor(uint64_t hash) const;
  core::Result<core::MonoTime> expiryFor(core::Millis ttl) const;
  core::Status checkFits(std::string_view key, std::string_view value) const;

  const MemoryCacheOptions options_;
  core::Clock& clock_;
  std::vector<std::unique_ptr<LockedShard>> shards_;
  size_t maxEntryBytes_ = 0;
  std::atomic<size_t> sweepCursor_{0};  // shard the next sweep starts at
};

}  // namespace ballast::cache
