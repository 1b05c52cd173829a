#include "cache/tiered_cache.h"

#include <stdexcept>

#include <fmt/format.h>

#include "cache/early_refresh.h"
#include "cache/invalidation.h"
#include "cache/invalidation_subscriber.h"
#include "cache/redis_tier.h"

namespace ballast::cache {

std::vector<std::string> WriteOutcome::tiers() const {
  if (redis) return {"memory", "redis"};
  return {"memory"};
}

namespace {

std::string nodeIdFor(const RedisOptions& options) {
  if (options.nodeId.empty()) return randomNodeId();
  if (!validNodeId(options.nodeId)) {
    throw std::invalid_argument("a cache node id is 1-64 characters of letters, digits, '.', '_' and '-'");
  }
  return options.nodeId;
}

}  // namespace

TieredCache::TieredCache(TieredCacheOptions options, core::Clock& clock, core::Random& random,
                         CacheEventSink events)
    : options_(std::move(options)),
      clock_(clock),
      random_(random),
      events_(std::move(events)),
      memory_(options_.memory, clock_) {
  if (options_.redis) {
    const RedisOptions& r = *options_.redis;
    const std::string nodeId = nodeIdFor(r);
    redis_ = std::make_unique<RedisTier>(r, nodeId, random_, [this](bool, const std::string&) { reportHealth(); });
    subscriber_ = std::make_unique<InvalidationSubscriber>(
        SubscriberOptions{redis_->endpoint(), redis_->keySpace().channel(), nodeId, r.pingInterval,
                          r.backoffInitial, r.backoffMax},
        random_,
        InvalidationSubscriber::Listener{
            [this](const Invalidation& message) { onInvalidation(message); },
            [this](bool subscribed, const std::string&) { onSubscription(subscribed); }});
    redis_->start();
    subscriber_->start();
  }
  {
    std::lock_guard lock(healthMu_);
    started_ = true;
  }
  reportHealth();
}

TieredCache::~TieredCache() {
  if (subscriber_) subscriber_->stop();
  if (redis_) redis_->stop();
}

bool TieredCache::redisUp() const { return redis_ && redis_->up(); }

bool TieredCache::memoryTrusted() const {
  return !redis_ || subscriber_->subscribed() || !redis_->up();
}

core::Status TieredCache::checkWrite(std::string_view key, std::string_view value, core::Millis ttl) const {
  if (auto problem = keyProblem(key)) return std::unexpected(core::Error::validation("key", *problem));
  if (auto problem = ttlProblem(ttl)) return std::unexpected(core::Error::validation("ttl", *problem));
  if (auto fits = checkValueSize(value.size(), options_.maxValueBytes); !fits) return fits;
  // The memory tier must take it too, or the tiers would disagree.
  if (MemoryCache::chargeOf(key, value) > memory_.maxEntryBytes()) {
    return core::fail(core::ErrorCode::kPayloadTooLarge,
                      fmt::format("Cache entry of {} bytes exceeds the memory tier's limit of {} bytes per entry",
                                  MemoryCache::chargeOf(key, value), memory_.maxEntryBytes()));
  }
  return {};
}

core::Millis TieredCache::memoryTtl(core::Millis ttl) const {
  if (ttl > core::Millis{0}) return ttl;
  // A copy of a Redis entry must not outlive it; memory only: the memory default.
  return options_.redis ? options_.redis->defaultTtl : core::Millis{0};
}

core::Millis TieredCache::effectiveTtl(core::Millis ttl) const {
  if (ttl > core::Millis{0}) return ttl;
  return options_.redis ? options_.redis->defaultTtl : options_.memory.defaultTtl;
}

core::Millis TieredCache::redisTtl(core::Millis ttl) const {
  return ttl > core::Millis{0} ? ttl : options_.redis->defaultTtl;
}

std::optional<Entry> TieredCache::counted(std::optional<Entry> entry) {
  (entry ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
  return entry;
}

Entry TieredCache::fill(std::string_view key, const FillGuard::Token& token, StoredValue stored) {
  redisHits_.fetch_add(1, std::memory_order_relaxed);
  Entry entry{std::move(stored.value), stored.ttl, core::Millis{0}};
  // Only a subscribed node's memory is kept coherent; the second check undoes
  // a fill that raced a write or an invalidation (see fill_guard.h).
  if (subscriber_->subscribed() && guard_.unchanged(key, token)) {
    (void)memory_.set(key, entry.value, stored.ttl.value_or(core::Millis{0}));
    if (!guard_.unchanged(key, token)) memory_.del(key);
  }
  return entry;
}

std::optional<Entry> TieredCache::getRaw(std::string_view key) {
  if (keyProblem(key)) return counted(std::nullopt);
  const bool trusted = memoryTrusted();
  if (trusted) {
    if (auto entry = memory_.get(key)) return counted(std::move(entry));
  }
  if (redisUp()) {
    const auto token = guard_.token(key);
    auto stored = redis_->get(key);
    if (stored) {
      if (!*stored) return counted(std::nullopt);
      return counted(fill(key, token, std::move(**stored)));
    }
  }
  // Redis is down: whatever memory holds is the best answer there is.
  if (!trusted) return counted(memory_.get(key));
  return counted(std::nullopt);
}

std::vector<std::optional<Entry>> TieredCache::mgetRaw(std::span<const std::string> keys) {
  std::vector<std::optional<Entry>> out(keys.size());
  std::vector<size_t> pending;
  const bool trusted = memoryTrusted();
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keyProblem(keys[i])) continue;
    if (trusted) out[i] = memory_.get(keys[i]);
    if (!out[i]) pending.push_back(i);
  }
  bool redisAnswered = false;
  if (!pending.empty() && redisUp()) {
    std::vector<std::string> pendingKeys;
    std::vector<FillGuard::Token> tokens;
    for (const size_t i : pending) {
      pendingKeys.push_back(keys[i]);
      tokens.push_back(guard_.token(keys[i]));
    }
    if (auto stored = redis_->mget(pendingKeys)) {
      redisAnswered = true;
      for (size_t j = 0; j < pending.size(); ++j) {
        if ((*stored)[j]) out[pending[j]] = fill(pendingKeys[j], tokens[j], std::move(*(*stored)[j]));
      }
    }
  }
  if (!trusted && !redisAnswered) {
    for (const size_t i : pending) out[i] = memory_.get(keys[i]);
  }
  for (auto& entry : out) entry = counted(std::move(entry));
  return out;
}

core::Result<SetOutcome> TieredCache::setRaw(std::string_view key, std::string value, core::Millis ttl,
                                             core::Millis computeTime) {
  if (auto ok = checkWrite(key, value, ttl); !ok) return std::unexpected(ok.error());
  SetOutcome outcome;
  outcome.created = !memory_.remainingTtl(key).has_value();
  if (redisUp()) {
    if (auto existed = redis_->set(key, value, redisTtl(ttl))) {
      outcome.redis = true;
      outcome.created = !*existed;
    }
  }
  // After Redis and the touch, so that no fill of an older value survives.
  guard_.touch(key);
  if (auto stored = memory_.set(key, std::move(value), memoryTtl(ttl), computeTime); !stored) {
    return std::unexpected(stored.error());
  }
  return outcome;
}

core::Result<MsetOutcome> TieredCache::msetRaw(std::span<const std::pair<std::string, std::string>> entries,
                                               core::Millis ttl) {
  for (const auto& [key, value] : entries) {
    if (auto ok = checkWrite(key, value, ttl); !ok) return std::unexpected(ok.error());
  }
  MsetOutcome outcome;
  outcome.count = entries.size();
  if (redisUp() && !entries.empty()) outcome.redis = redis_->mset(entries, redisTtl(ttl)).has_value();
  for (const auto& entry : entries) guard_.touch(entry.first);
  if (auto stored = memory_.mset(entries, memoryTtl(ttl)); !stored) return std::unexpected(stored.error());
  return outcome;
}

DeleteOutcome TieredCache::del(std::string_view key) {
  DeleteOutcome outcome;
  if (keyProblem(key)) return outcome;
  if (redisUp()) {
    if (auto existed = redis_->del(key)) {
      outcome.redis = true;
      outcome.found = *existed;
    }
  }
  guard_.touch(key);
  outcome.found = memory_.del(key) || outcome.found;
  return outcome;
}

ClearOutcome TieredCache::clear() {
  ClearOutcome outcome;
  if (redisUp()) {
    if (auto removed = redis_->clear()) {
      outcome.redis = true;
      outcome.redisKeys = *removed;
    }
  }
  guard_.touchAll();
  outcome.memoryEntries = memory_.size();
  memory_.clear();
  return outcome;
}

core::Result<std::string> TieredCache::getOrSetRaw(const std::string& key, const Loader& loader,
                                                   core::Millis ttl) {
  auto cached = getRaw(key);
  if (!cached) return load(key, loader, ttl, LoadReason::kMiss);
  if (cached->ttl && shouldRefreshEarly(*cached->ttl, cached->computeTime, options_.earlyRefreshBeta, random_)) {
    if (auto fresh = load(key, loader, ttl, LoadReason::kEarlyRefresh)) return fresh;
  }
  return std::move(cached->value);
}

core::Result<std::string> TieredCache::load(const std::string& key, const Loader& loader, core::Millis ttl,
                                            LoadReason reason) {
  return flights_.run(key, [&]() -> core::Result<std::string> {
    // A caller that missed just before another's flight finished lands here
    // after the value was stored: it takes that value instead of loading again.
    if (reason == LoadReason::kMiss) {
      if (auto stored = getRaw(key)) return std::move(stored->value);
    }
    const core::MonoTime started = clock_.now();
    auto value = loader();
    if (!value) return value;
    const auto took = std::chrono::duration_cast<core::Millis>(clock_.now() - started);
    // A value the cache refuses (too big) is still the caller's answer.
    (void)setRaw(key, *value, ttl, took);
    return value;
  });
}

size_t TieredCache::sweepExpired(size_t limit) { return memory_.sweepExpired(limit); }

void TieredCache::onInvalidation(const Invalidation& message) {
  invalidations_.fetch_add(1, std::memory_order_relaxed);
  if (message.kind == Invalidation::Kind::kClear) {
    guard_.touchAll();
    memory_.clear();
    return;
  }
  for (const auto& key : message.keys) {
    guard_.touch(key);
    memory_.del(key);
  }
}

void TieredCache::onSubscription(bool subscribed) {
  if (subscribed) {
    // Whatever was published while we were not listening is lost: start over.
    guard_.touchAll();
    memory_.clear();
  }
  reportHealth();
}

RedisStatus TieredCache::redisStatus() const {
  RedisStatus out;
  if (!redis_) return out;
  const RedisTierStats tier = redis_->stats();
  out.enabled = true;
  out.connected = tier.up;
  out.subscribed = subscriber_->subscribed();
  out.address = redis_->endpoint().address();
  out.keyPrefix = redis_->keySpace().prefix();
  out.nodeId = redis_->nodeId();
  out.hits = redisHits_.load();
  out.commands = tier.commands;
  out.errors = tier.errors;
  out.invalidations = invalidations_.load();
  out.subscriptionLosses = subscriber_->losses();
  out.lastError = tier.lastError.empty() ? subscriber_->lastError() : tier.lastError;
  return out;
}

CacheHealth TieredCache::health() const {
  CacheHealth out;
  out.redis = redisStatus();
  if (!redis_) return out;
  if (!out.redis.connected) {
    out.degraded = true;
    out.reason = fmt::format("Redis at {} is unavailable ({}): serving from the memory tier; writes stay on this node",
                             out.redis.address, out.redis.lastError.empty() ? "not connected" : out.redis.lastError);
  } else if (!out.redis.subscribed) {
    out.degraded = true;
    out.reason = fmt::format("the invalidation subscription to Redis at {} is down ({}): reads bypass the memory tier",
                             out.redis.address, subscriber_->lastError());
  }
  return out;
}

void TieredCache::reportHealth() {
  std::lock_guard lock(healthMu_);
  if (!started_ || !redis_) return;
  const CacheHealth now = health();
  if (now.degraded == reportedDegraded_) return;
  reportedDegraded_ = now.degraded;
  if (!events_) return;
  if (now.degraded) {
    events_({true, "warning", "Cache degraded: " + now.reason});
  } else {
    events_({false, "info",
             fmt::format("Cache recovered: Redis at {} is connected and subscribed; memory tier resynchronised",
                         now.redis.address)});
  }
}

TieredCacheStats TieredCache::stats() const {
  const MemoryCacheStats m = memory_.stats();
  TieredCacheStats out;
  out.hits = hits_.load();
  out.misses = misses_.load();
  const uint64_t reads = out.hits + out.misses;
  out.hitRate = reads == 0 ? 0.0 : 100.0 * static_cast<double>(out.hits) / static_cast<double>(reads);
  out.keys = m.keys;
  out.evictions = m.evictions;
  out.expirations = m.expirations;
  out.memoryUsed = m.memoryUsed;
  out.memoryAvailable = m.memoryAvailable;
  out.memoryPercentage = m.memoryPercentage;
  out.redis = redisStatus();
  return out;
}

}  // namespace ballast::cache
