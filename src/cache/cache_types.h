#pragma once
// Value types shared by the memory tier's pieces (shard, cache, loading cache).

#include <chrono>
#include <optional>
#include <string>

#include "core/clock.h"

namespace ballast::cache {

// How a full cache picks what to drop.
enum class EvictionPolicy {
  kLru,      // least recently used goes; for comparison and for tests
  kTinyLfu,  // W-TinyLFU: LRU window + frequency-gated segmented LRU (the default)
};

// A value read from the cache.
struct Entry {
  std::string value;
  // Time left before the entry expires, rounded up to whole milliseconds (so a
  // live entry never shows 0); nullopt when it never expires.
  std::optional<core::Millis> ttl;
  // How long the value took to produce, as given to set(); 0 when unknown.
  // Early refresh (early_refresh.h) weighs it against the remaining TTL.
  core::Millis computeTime{0};
};

}  // namespace ballast::cache
