#pragma once
// LoadingCache adds getOrSet to a MemoryCache: on a miss the loader runs once
// however many callers ask for the key at the same time (SingleFlight), and a hit
// close to its expiry is refreshed early by one reader now and then (XFetch, see
// early_refresh.h), so a hot key's expiry does not send a stampede to the origin.
// The loader's run time, measured on the clock, is stored with the value as its
// compute time.
//
// Thread-safety: every method may be called from any thread.
// REQUIRES: `random` is safe to share between threads (core::FastRandom is).

#include <functional>
#include <string>

#include "cache/early_refresh.h"
#include "cache/memory_cache.h"
#include "cache/single_flight.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/random.h"

namespace ballast::cache {

class LoadingCache {
 public:
  // Produces the value for a key; an error is returned to every waiting caller
  // and nothing is cached.
  using Loader = std::function<core::Result<std::string>()>;

  LoadingCache(MemoryCache& cache, core::Clock& clock, core::Random& random, double beta = 1.0);

  // The cached value for `key`, or the loader's, stored for `ttl` (0: the cache's
  // default). When an early refresh fails, the still-valid cached value is
  // returned; a value too big to cache is returned without being kept. A loader
  // exception propagates to every caller waiting on it.
  core::Result<std::string> getOrSet(const std::string& key, const Loader& loader,
                                     core::Millis ttl = core::Millis{0});

 private:
  // Runs the loader (once per concurrent group) and stores its value; after a
  // miss, a value stored meanwhile is taken instead.
  core::Result<std::string> load(const std::string& key, const Loader& loader, core::Millis ttl,
                                 LoadReason reason);

  MemoryCache& cache_;
  core::Clock& clock_;
  core::Random& random_;
  const double beta_;
  SingleFlight<std::string, core::Result<std::string>> flights_;
};

}  // namespace ballast::cache
