#include "security/rate_limiter.h"

#include <algorithm>

namespace ballast::security {

int64_t RatePolicy::intervalUs() const {
  return std::max<int64_t>(1, windowUs() / std::max<int64_t>(1, max));
}

GcraStep gcraStep(int64_t storedTatUs, int64_t nowUs, const RatePolicy& policy) {
  const int64_t interval = policy.intervalUs();
  const int64_t window = policy.windowUs();
  const int64_t tat = std::max(storedTatUs, nowUs);
  const int64_t newTat = tat + interval;
  const int64_t ahead = newTat - nowUs;  // how far this request would push the bucket
  GcraStep step;
  step.decision.limit = policy.max;
  if (ahead > window) {
    step.decision.allowed = false;
    step.decision.remaining = 0;
    step.decision.resetMs = (tat - nowUs + 999) / 1000;
    step.decision.retryAfterMs = (ahead - window + 999) / 1000;
    step.newTatUs = storedTatUs;
    return step;
  }
  step.decision.remaining = (window - ahead) / interval;
  step.decision.resetMs = (ahead + 999) / 1000;
  step.newTatUs = newTat;
  return step;
}

uint64_t rateKeyHash(std::string_view key) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

MemoryRateStore::MemoryRateStore(const core::Clock& clock, size_t maxKeys)
    : clock_(clock), perShard_(std::max<size_t>(4, maxKeys / kShards)) {}

RateDecision MemoryRateStore::take(std::string_view key, const RatePolicy& policy) {
  return takeHashed(rateKeyHash(key), policy);
}

RateDecision MemoryRateStore::takeHashed(uint64_t hash, const RatePolicy& policy) {
  const int64_t nowUs =
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.now().time_since_epoch())
          .count();
  // The low bits pick the entry; mix in high bits for the shard.
  Shard& shard = shards_[(hash >> 59 ^ hash) % kShards];
  std::lock_guard lock(shard.mu);
  auto found = shard.tats.find(hash);
  const int64_t stored = found == shard.tats.end() ? 0 : found->second;
  const GcraStep step = gcraStep(stored, nowUs, policy);
  if (step.decision.allowed) {
    if (found != shard.tats.end()) {
      found->second = step.newTatUs;
    } else {
      if (shard.tats.size() >= perShard_) makeRoom(shard, nowUs);
      shard.tats.emplace(hash, step.newTatUs);
    }
  }
  return step.decision;
}

void MemoryRateStore::makeRoom(Shard& shard, int64_t nowUs) {
  std::erase_if(shard.tats, [nowUs](const auto& entry) { return entry.second <= nowUs; });
  if (shard.tats.size() * 4 <= perShard_ * 3) return;
  // Still crowded: forget the quarter nearest to a full bucket.
  std::vector<std::pair<int64_t, uint64_t>> byTat;
  byTat.reserve(shard.tats.size());
  for (const auto& [key, tat] : shard.tats) byTat.emplace_back(tat, key);
  const size_t drop = byTat.size() - perShard_ * 3 / 4;
  std::nth_element(byTat.begin(), byTat.begin() + static_cast<std::ptrdiff_t>(drop), byTat.end());
  for (size_t i = 0; i < drop; ++i) shard.tats.erase(byTat[i].second);
}

size_t MemoryRateStore::size() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.tats.size();
  }
  return total;
}

}  // namespace ballast::security
