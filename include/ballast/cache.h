#pragma once
// ballast::Cache -- the two-tier cache (the seed's CacheService), usable
// without the daemon: memory only by default, memory + Redis with
// options.redis set. Values are JSON: typed calls convert through nlohmann
// (any T with to_json/from_json, e.g. by NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE).
//
//   ballast::Cache cache;                                  // memory only
//   cache.set("key", "value", std::chrono::hours(1));
//   std::optional<std::string> value = cache.get<std::string>("key");
//   cache.set("user:1", User{1, "John", {"admin"}}, std::chrono::hours(2));
//   std::optional<User> user = cache.get<User>("user:1");
//   cache.mset(std::map<std::string, std::string>{{"key1", "value1"}, {"key2", "value2"}},
//              std::chrono::hours(1));
//   auto results = cache.mget<std::string>({"key1", "key2", "key3"});  // nullopt for key3
//   auto stats = cache.getStats();                         // stats.hitRate: percent
//   auto report = cache.getOrSet<Report>("report:today", [] { return buildReport(); },
//                                        std::chrono::minutes(5));  // one build per key at a time
//
//   ballast::CacheOptions options;
//   options.redis = ballast::cache::RedisOptions{.host = "10.0.0.5", .password = "..."};
//   ballast::Cache shared(options);  // read-through/write-through, coherent across nodes
//
// TTLs: 0 (the default argument) means the configured default; otherwise 1 ms
// to 30 days. Writes return which tiers they reached (outcome.tiers()); a
// Redis outage never fails a call, it only narrows the tiers. The full
// contract (tiers, coherence, health) is in src/cache/tiered_cache.h; the
// raw calls (getRaw, setRaw, ...) take and return serialized JSON text.
//
// Thread-safety: every method may be called from any thread.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "cache/tiered_cache.h"

namespace ballast {

using CacheOptions = cache::TieredCacheOptions;
using CacheStats = cache::TieredCacheStats;

class Cache : public cache::TieredCache {
 public:
  using TieredCache::TieredCache;

  // Stores `value` as JSON. Errors: kValidation (key, ttl), kPayloadTooLarge.
  template <typename T>
  core::Result<cache::SetOutcome> set(std::string_view key, const T& value, core::Millis ttl = {}) {
    return setRaw(key, toText(value), ttl);
  }

  // The value as T; nullopt when absent. Throws nlohmann::json::exception
  // when the stored JSON does not convert to T.
  template <typename T = nlohmann::json>
  std::optional<T> get(std::string_view key) {
    auto entry = getRaw(key);
    if (!entry) return std::nullopt;
    return fromText<T>(entry->value);
  }

  // `entries`: any range of (key, value) pairs, e.g. std::map<std::string, T>.
  template <typename Entries>
  core::Result<cache::MsetOutcome> mset(const Entries& entries, core::Millis ttl = {}) {
    std::vector<std::pair<std::string, std::string>> raw;
    for (const auto& [key, value] : entries) raw.emplace_back(std::string(key), toText(value));
    return msetRaw(raw, ttl);
  }

  // One result per key, in order; nullopt for absent keys.
  template <typename T = nlohmann::json>
  std::vector<std::optional<T>> mget(const std::vector<std::string>& keys) {
    std::vector<std::optional<T>> out;
    out.reserve(keys.size());
    for (auto& entry : mgetRaw(keys)) {
      out.push_back(entry ? std::optional<T>(fromText<T>(entry->value)) : std::nullopt);
    }
    return out;
  }

  // The cached value, or `loader`'s (a callable returning T or core::Result<T>),
  // stored for `ttl`. Concurrent callers for one key share one loader run.
  template <typename T, typename Loader>
  core::Result<T> getOrSet(const std::string& key, Loader&& loader, core::Millis ttl = {}) {
    auto text = getOrSetRaw(
        key,
        [&]() -> core::Result<std::string> {
          auto produced = loader();
          if constexpr (std::is_same_v<decltype(produced), core::Result<T>>) {
            if (!produced) return std::unexpected(produced.error());
            return toText(*produced);
          } else {
            return toText(produced);
          }
        },
        ttl);
    if (!text) return std::unexpected(text.error());
    return fromText<T>(*text);
  }

  // The seed's getStats(): hits, misses, hitRate (percent), keys, memory, redis.
  CacheStats getStats() const { return stats(); }

 private:
  template <typename T>
  static std::string toText(const T& value) {
    return nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  template <typename T>
  static T fromText(const std::string& text) {
    return nlohmann::json::parse(text).get<T>();
  }
};

}  // namespace ballast
