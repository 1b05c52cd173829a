#include "cache/loading_cache.h"

#include "cache/early_refresh.h"

namespace ballast::cache {

LoadingCache::LoadingCache(MemoryCache& cache, core::Clock& clock, core::Random& random,
                           double beta)
    : cache_(cache), clock_(clock), random_(random), beta_(beta) {}

core::Result<std::string> LoadingCache::getOrSet(const std::string& key, const Loader& loader,
                                                 core::Millis ttl) {
  auto cached = cache_.get(key);
  if (!cached) return load(key, loader, ttl, LoadReason::kMiss);
  if (cached->ttl && shouldRefreshEarly(*cached->ttl, cached->computeTime, beta_, random_)) {
    if (auto fresh = load(key, loader, ttl, LoadReason::kEarlyRefresh)) return fresh;
  }
  return std::move(cached->value);
}

core::Result<std::string> LoadingCache::load(const std::string& key, const Loader& loader,
                                             core::Millis ttl, LoadReason reason) {
  return flights_.run(key, [&]() -> core::Result<std::string> {
    // A caller that missed just before another's flight finished lands here
    // after the value was stored: it takes that value instead of loading again.
    if (reason == LoadReason::kMiss) {
      if (auto stored = cache_.get(key)) return std::move(stored->value);
    }
    const core::MonoTime started = clock_.now();
    auto value = loader();
    if (!value) return value;
    const auto took = std::chrono::duration_cast<core::Millis>(clock_.now() - started);
    // A value too big for the cache is still the caller's answer; it is just not kept.
    (void)cache_.set(key, *value, ttl, took);
    return value;
  });
}

}  // namespace ballast::cache
