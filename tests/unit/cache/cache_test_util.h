#pragma once
// Shared set-up for the memory-tier tests.

#include <string>

#include "cache/memory_cache.h"

namespace ballast::cache::testing {

// One shard, so eviction order is global and exact; byte budget out of the way
// unless given.
inline MemoryCacheOptions oneShard(EvictionPolicy policy, size_t maxEntries,
                                   size_t maxBytes = size_t{1} << 30) {
  MemoryCacheOptions options;
  options.policy = policy;
  options.maxEntries = maxEntries;
  options.maxBytes = maxBytes;
  options.shards = 1;
  return options;
}

inline std::string key(int i) {
  return "key:" + std::to_string(i);
}

}  // namespace ballast::cache::testing
