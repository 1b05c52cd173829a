#pragma once
// Rate limiting by GCRA (the generic cell rate algorithm: a token bucket kept
// as one number per key, its "theoretical arrival time"). A policy allows
// `max` requests per `windowMs`, all of them at once as a burst, refilled
// steadily at max/window.
//
//   gcraStep()        the arithmetic, pure: stored TAT + now -> decision
//   RateStore         where the TATs live: MemoryRateStore (here) or Redis
//                     (cache/redis_rate_store.h, shared by several nodes)
//
// Times are microseconds so that windows not divisible by `max` stay exact
// enough; TAT 0 means "no state" (a full bucket).
//
// Thread-safety: gcraStep is pure; MemoryRateStore may be used from any thread
// (one mutex per shard, held for a hash lookup).

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"

namespace ballast::security {

struct RatePolicy {
  std::string name = "default";  // the policy's name in RateLimit-Policy / RateLimit
  int64_t windowMs = 60000;      // the window the quota refills over
  int64_t max = 1000;            // requests per window; also the largest burst

  int64_t windowUs() const { return windowMs * 1000; }
  // Microseconds one request costs (the emission interval), at least 1.
  int64_t intervalUs() const;
};

struct RateDecision {
  bool allowed = true;
  int64_t limit = 0;         // the policy's max (the draft's q)
  int64_t remaining = 0;     // requests still allowed right now (r)
  int64_t resetMs = 0;       // until the whole quota is back (t)
  int64_t retryAfterMs = 0;  // when denied: until one request is allowed again
};

struct GcraStep {
  RateDecision decision;
  int64_t newTatUs = 0;  // to store when allowed; unchanged TAT when denied
};

// One request under `policy` at `nowUs`, given the key's stored TAT (0: none).
GcraStep gcraStep(int64_t storedTatUs, int64_t nowUs, const RatePolicy& policy);

class RateStore {
 public:
  virtual ~RateStore() = default;
  // Charges one request to `key` under `policy` (the caller puts the policy's
  // name in the key when policies must not share state).
  virtual RateDecision take(std::string_view key, const RatePolicy& policy) = 0;
};

// The TATs in process memory, in 16 shards keyed by a 64-bit hash of the key
// (two keys that collide share a bucket: harmless at 2^-64).
//
// Bounded memory: at most `maxKeys` entries. A shard that is full first drops
// the entries whose TAT has passed (they hold no information: a missing entry
// means a full bucket), then, if still more than 3/4 full, the quarter with the
// earliest TATs (the nearest to full, so the least is forgotten). Under a flood
// of more distinct active keys than maxKeys, the evicted keys get a fresh
// bucket: memory stays bounded at the price of some leniency for them.
class MemoryRateStore final : public RateStore {
 public:
  static constexpr size_t kShards = 16;

  MemoryRateStore(const core::Clock& clock, size_t maxKeys);
  RateDecision take(std::string_view key, const RatePolicy& policy) override;

  size_t size() const;
  // Tests and the Redis fallback: the same decision at an explicit key hash.
  RateDecision takeHashed(uint64_t hash, const RatePolicy& policy);

 private:
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<uint64_t, int64_t> tats;  // guarded by mu
  };
  void makeRoom(Shard& shard, int64_t nowUs);  // REQUIRES: shard.mu held

  const core::Clock& clock_;
  const size_t perShard_;
  Shard shards_[kShards];
};

// FNV-1a, 64 bits: the memory store's key hash.
uint64_t rateKeyHash(std::string_view key);

}  // namespace ballast::security
