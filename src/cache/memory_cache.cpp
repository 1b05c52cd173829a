#include "cache/memory_cache.h"

#include <algorithm>
#include <bit>
#include <functional>

#include <fmt/format.h>

namespace ballast::cache {

namespace {

size_t shardCountFor(const MemoryCacheOptions& options) {
  size_t count = std::bit_floor(std::clamp<size_t>(options.shards, 1, MemoryCache::kMaxShards));
  while (count > 1 && options.maxEntries / count < MemoryCache::kMinShardEntries) count /= 2;
  return count;
}

// `total` split over `parts`, the remainder going to the first shares.
size_t shareOf(size_t total, size_t parts, size_t index) {
  return total / parts + (index < total % parts ? 1 : 0);
}

}  // namespace

MemoryCache::MemoryCache(const MemoryCacheOptions& options, core::Clock& clock)
    : options_(options), clock_(clock) {
  const size_t count = shardCountFor(options_);
  const size_t maxEntries = std::max<size_t>(options_.maxEntries, count);
  shards_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    shards_.push_back(std::make_unique<LockedShard>(ShardLimits{
        shareOf(maxEntries, count, i), shareOf(options_.maxBytes, count, i), options_.policy}));
  }
  maxEntryBytes_ = options_.maxBytes / count;
}

core::Status MemoryCache::set(std::string_view key, std::string value, core::Millis ttl,
                              core::Millis computeTime) {
  const auto expiry = expiryFor(ttl);
  if (!expiry) return std::unexpected(expiry.error());
  if (auto fits = checkFits(key, value); !fits) return fits;
  const uint64_t hash = hashOf(key);
  LockedShard& locked = shardFor(hash);
  std::lock_guard lock(locked.mu);
  locked.shard.set({key, hash}, std::move(value), *expiry, computeTime);
  return {};
}

std::optional<Entry> MemoryCache::get(std::string_view key) {
  const core::MonoTime now = clock_.now();
  const uint64_t hash = hashOf(key);
  LockedShard& locked = shardFor(hash);
  std::lock_guard lock(locked.mu);
  return locked.shard.get({key, hash}, now);
}

std::vector<std::optional<Entry>> MemoryCache::mget(std::span<const std::string> keys) {
  std::vector<std::optional<Entry>> out;
  out.reserve(keys.size());
  for (const std::string& key : keys) out.push_back(get(key));
  return out;
}

core::Status MemoryCache::mset(std::span<const std::pair<std::string, std::string>> entries,
                               core::Millis ttl) {
  if (const auto expiry = expiryFor(ttl); !expiry) return std::unexpected(expiry.error());
  for (const auto& [key, value] : entries) {
    if (auto fits = checkFits(key, value); !fits) return fits;
  }
  for (const auto& [key, value] : entries) {
    if (auto stored = set(key, value, ttl); !stored) return stored;
  }
  return {};
}

bool MemoryCache::del(std::string_view key) {
  const uint64_t hash = hashOf(key);
  LockedShard& locked = shardFor(hash);
  std::lock_guard lock(locked.mu);
  return locked.shard.erase({key, hash});
}

void MemoryCache::clear() {
  for (const auto& locked : shards_) {
    std::lock_guard lock(locked->mu);
    locked->shard.clear();
  }
}

core::Result<std::optional<core::Millis>> MemoryCache::remainingTtl(std::string_view key) const {
  const core::MonoTime now = clock_.now();
  const uint64_t hash = hashOf(key);
  LockedShard& locked = shardFor(hash);
  std::lock_guard lock(locked.mu);
  auto entry = locked.shard.peek({key, hash}, now);
  if (!entry) return core::fail(core::ErrorCode::kNotFound, "Cache key not found");
  return entry->ttl;
}

size_t MemoryCache::sweepExpired(size_t limit) {
  const core::MonoTime now = clock_.now();
  const size_t start = sweepCursor_.fetch_add(1, std::memory_order_relaxed);
  size_t removed = 0;
  for (size_t i = 0; i < shards_.size() && removed < limit; ++i) {
    LockedShard& locked = *shards_[(start + i) % shards_.size()];
    std::lock_guard lock(locked.mu);
    removed += locked.shard.sweepExpired(now, limit - removed);
  }
  return removed;
}

size_t MemoryCache::size() const {
  size_t total = 0;
  for (const auto& locked : shards_) {
    std::lock_guard lock(locked->mu);
    total += locked->shard.counters().entries;
  }
  return total;
}

MemoryCacheStats MemoryCache::stats() const {
  MemoryCacheStats out;
  for (const auto& locked : shards_) {
    std::lock_guard lock(locked->mu);
    const ShardCounters& c = locked->shard.counters();
    out.hits += c.hits;
    out.misses += c.misses;
    out.keys += c.entries;
    out.evictions += c.evictions;
    out.expirations += c.expirations;
    out.memoryUsed += c.bytes;
  }
  const uint64_t lookups = out.hits + out.misses;
  out.hitRate =
      lookups == 0 ? 0.0 : 100.0 * static_cast<double>(out.hits) / static_cast<double>(lookups);
  out.memoryAvailable = options_.maxBytes - std::min(out.memoryUsed, options_.maxBytes);
  out.memoryPercentage = options_.maxBytes == 0 ? 0.0
                                                : 100.0 * static_cast<double>(out.memoryUsed) /
                                                      static_cast<double>(options_.maxBytes);
  return out;
}

size_t MemoryCache::chargeOf(std::string_view key, std::string_view value) {
  return CacheShard::chargeOf(key.size(), value.size());
}

uint64_t MemoryCache::hashOf(std::string_view key) {
  return std::hash<std::string_view>{}(key);
}

MemoryCache::LockedShard& MemoryCache::shardFor(uint64_t hash) const {
  // The top byte picks the shard; the shard's own index uses all the bits.
  return *shards_[(hash >> 56) & (shards_.size() - 1)];
}

core::Result<core::MonoTime> MemoryCache::expiryFor(core::Millis ttl) const {
  if (ttl < core::Millis{0})
    return core::fail(core::ErrorCode::kValidation, "ttl must not be negative");
  const core::Millis effective = ttl == core::Millis{0} ? options_.defaultTtl : ttl;
  if (effective <= core::Millis{0}) return CacheShard::kNever;
  const core::MonoTime now = clock_.now();
  // Saturate: a TTL beyond the clock's range means never.
  if (effective >= std::chrono::duration_cast<core::Millis>(core::MonoTime::max() - now)) {
    return CacheShard::kNever;
  }
  return now + effective;
}

core::Status MemoryCache::checkFits(std::string_view key, std::string_view value) const {
  const size_t charge = chargeOf(key, value);
  if (charge <= maxEntryBytes_) return {};
  return core::fail(core::ErrorCode::kPayloadTooLarge,
                    fmt::format("Cache entry of {} bytes exceeds the limit of {} bytes per entry",
                                charge, maxEntryBytes_));
}

}  // namespace ballast::cache
