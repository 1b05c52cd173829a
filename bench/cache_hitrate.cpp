// Memory-tier benchmark: hit rate of LRU vs W-TinyLFU at the same capacity on
// Zipf traces (with and without one-off scans mixed in), then get/set
// throughput with 1 and 2 threads. Traces come from a seeded Zipf sampler, so
// the hit rates are the same on every run; throughput uses the real clock.
//
// Usage: cache_hitrate

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "cache/memory_cache.h"
#include "core/clock.h"
#include "core/random.h"

namespace {

using ballast::cache::EvictionPolicy;
using ballast::cache::MemoryCache;
using ballast::cache::MemoryCacheOptions;
namespace core = ballast::core;

constexpr size_t kDistinctKeys = 100000;
constexpr size_t kCapacity = 1000;
constexpr size_t kRequests = 1000000;
const std::string kValue(64, 'v');

// Draws ranks 0..n-1 with P(rank k) proportional to 1 / (k + 1)^s, by binary
// search over the cumulative distribution.
class ZipfSampler {
 public:
  ZipfSampler(size_t n, double s) : cdf_(n) {
    double sum = 0;
    for (size_t k = 0; k < n; ++k) cdf_[k] = sum += 1.0 / std::pow(static_cast<double>(k + 1), s);
    for (double& c : cdf_) c /= sum;
  }
  size_t sample(core::Random& random) const {
    const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), random.unit());
    return std::min(static_cast<size_t>(it - cdf_.begin()), cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

// A trace of key ids. Ids >= kDistinctKeys are scan keys, each used once.
struct Trace {
  const char* name;
  std::vector<uint32_t> ids;
};

// `scanEvery` > 0: after every `scanEvery` Zipf requests, a burst of `scanLength`
// sequential never-seen keys.
Trace makeTrace(const char* name, double s, uint64_t seed, size_t scanEvery = 0,
                size_t scanLength = 0) {
  const ZipfSampler zipf(kDistinctKeys, s);
  core::SeededRandom random(seed);
  Trace trace{name, {}};
  trace.ids.reserve(kRequests);
  uint32_t nextScanId = kDistinctKeys;
  size_t sinceScan = 0;
  while (trace.ids.size() < kRequests) {
    trace.ids.push_back(static_cast<uint32_t>(zipf.sample(random)));
    if (scanEvery > 0 && ++sinceScan == scanEvery) {
      sinceScan = 0;
      for (size_t i = 0; i < scanLength && trace.ids.size() < kRequests; ++i) {
        trace.ids.push_back(nextScanId++);
      }
    }
  }
  return trace;
}

std::string keyOf(uint32_t id) {
  return "key:" + std::to_string(id);
}

MemoryCacheOptions optionsFor(EvictionPolicy policy, size_t capacity) {
  MemoryCacheOptions options;
  options.policy = policy;
  options.maxEntries = capacity;
  options.maxBytes = size_t{1} << 30;  // entries, not bytes, are the limit here
  return options;
}

// Hit rates of one replay, in percent.
struct HitRates {
  double all = 0;   // every request
  double zipf = 0;  // the Zipf requests only (scan keys can never hit)
};

// Replays the trace through a read-through cache (get, set on a miss).
HitRates replay(const Trace& trace, EvictionPolicy policy, const std::vector<std::string>& keys) {
  MemoryCache cache(optionsFor(policy, kCapacity), core::SystemClock::instance());
  size_t zipfRequests = 0;
  size_t zipfHits = 0;
  for (const uint32_t id : trace.ids) {
    const bool isZipf = id < keys.size();
    const std::string k = isZipf ? keys[id] : keyOf(id);
    const bool hit = cache.get(k).has_value();
    if (!hit) (void)cache.set(k, kValue);
    zipfRequests += isZipf ? 1 : 0;
    zipfHits += isZipf && hit ? 1 : 0;
  }
  return {cache.stats().hitRate,
          100.0 * static_cast<double>(zipfHits) / static_cast<double>(zipfRequests)};
}

// The share of the trace's requests that are Zipf requests (not scan keys).
double zipfFraction(const Trace& trace) {
  const auto zipf = std::count_if(trace.ids.begin(), trace.ids.end(),
                                  [](uint32_t id) { return id < kDistinctKeys; });
  return static_cast<double>(zipf) / static_cast<double>(trace.ids.size());
}

// What a cache pinned to the `kCapacity` most popular keys would hit on the Zipf
// requests: what perfect frequency knowledge buys on a stationary trace.
double topKeysShare(const Trace& trace) {
  const auto top =
      std::count_if(trace.ids.begin(), trace.ids.end(), [](uint32_t id) { return id < kCapacity; });
  return 100.0 * static_cast<double>(top) /
         (zipfFraction(trace) * static_cast<double>(trace.ids.size()));
}

// Operations per second of a 90% get / 10% set mix over a Zipf(1.0) key stream,
// each of `threads` threads doing `opsPerThread` operations on one shared cache.
double opsPerSecond(int threads, size_t opsPerThread, const std::vector<std::string>& keys) {
  MemoryCache cache(optionsFor(EvictionPolicy::kTinyLfu, 10000), core::SystemClock::instance());
  for (size_t i = 0; i < 10000; ++i) (void)cache.set(keys[i], kValue);
  const ZipfSampler zipf(kDistinctKeys, 1.0);
  std::vector<std::vector<uint32_t>> streams(static_cast<size_t>(threads));
  for (size_t t = 0; t < streams.size(); ++t) {
    core::SeededRandom random(100 + t);
    streams[t].reserve(opsPerThread);
    for (size_t i = 0; i < opsPerThread; ++i) {
      streams[t].push_back(static_cast<uint32_t>(zipf.sample(random)));
    }
  }
  core::Clock& clock = core::SystemClock::instance();
  const core::MonoTime start = clock.now();
  std::vector<std::thread> workers;
  for (const auto& stream : streams) {
    workers.emplace_back([&cache, &keys, &stream] {
      for (size_t i = 0; i < stream.size(); ++i) {
        const std::string& k = keys[stream[i]];
        if (i % 10 == 0) {
          (void)cache.set(k, kValue);
        } else {
          (void)cache.get(k);
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
  const double seconds = std::chrono::duration<double>(clock.now() - start).count();
  return static_cast<double>(opsPerThread) * threads / seconds;
}

}  // namespace

int main() {
  std::vector<std::string> keys;
  keys.reserve(kDistinctKeys);
  for (uint32_t id = 0; id < kDistinctKeys; ++id) keys.push_back(keyOf(id));

  const std::vector<Trace> traces = {
      makeTrace("zipf s=0.8", 0.8, 1),
      makeTrace("zipf s=1.0", 1.0, 2),
      makeTrace("zipf s=1.0 + scans", 1.0, 3, 5000, 2000),
  };
  std::printf("Hit rate, %zu distinct keys, capacity %zu, %zu requests (read-through)\n",
              kDistinctKeys, kCapacity, kRequests);
  std::printf("  scans: a burst of 2000 never-repeated keys after every 5000 Zipf requests\n");
  std::printf("%-30s %8s %10s %8s %10s\n", "trace", "LRU", "W-TinyLFU", "gain", "top-1000");
  const auto row = [](const std::string& name, double lru, double tiny, double bound) {
    std::printf("%-30s %7.2f%% %9.2f%% %+8.2f %9.2f%%\n", name.c_str(), lru, tiny, tiny - lru,
                bound);
  };
  for (const Trace& trace : traces) {
    const HitRates lru = replay(trace, EvictionPolicy::kLru, keys);
    const HitRates tiny = replay(trace, EvictionPolicy::kTinyLfu, keys);
    row(trace.name, lru.all, tiny.all, topKeysShare(trace) * zipfFraction(trace));
    if (zipfFraction(trace) < 1.0) {
      row(std::string(trace.name) + ", Zipf part", lru.zipf, tiny.zipf, topKeysShare(trace));
    }
  }
  std::printf(
      "  top-1000: hit rate of a cache pinned to the 1000 most popular keys (perfect\n"
      "  frequency knowledge, no recency)\n");

  constexpr size_t kOpsPerThread = 2000000;
  std::printf("\nThroughput, W-TinyLFU, capacity 10000, 90%% get / 10%% set, zipf s=1.0\n");
  std::printf("%-10s %16s   (best of 3; the machine is shared, so expect noise)\n", "threads",
              "ops/second");
  for (const int threads : {1, 2}) {
    double best = 0;
    for (int run = 0; run < 3; ++run)
      best = std::max(best, opsPerSecond(threads, kOpsPerThread, keys));
    std::printf("%-10d %16.0f\n", threads, best);
  }
  return 0;
}
