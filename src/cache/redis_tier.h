#pragma once
// RedisTier is the cache's second tier: cache keys live in Redis as
// prefix + key (KeySpace), written with a TTL (SET PX), read with their
// remaining TTL (GET + PTTL), and every write publishes an invalidation on
// the prefix's channel in the same pipeline, after the write.
//
// Commands run on the caller's thread over a RedisPool, so each costs at most
// about commandTimeout (plus up to commandTimeout waiting for a free
// connection). The first I/O error or timeout marks the tier down: from then
// on every call fails at once (kUnavailable) without touching the network,
// and the owner serves from memory. A monitor thread reconnects the pool with
// capped exponential backoff and marks the tier up again; while up, it PINGs
// every pingInterval so that a Redis that died while idle is noticed too.
// Error replies (OOM, wrong type) fail the call but do not mark the tier down.
//
// `clear` removes only keys under the prefix: SCAN MATCH prefix* COUNT 1000,
// then UNLINK each page -- never FLUSHDB/FLUSHALL.
//
// Thread-safety: every method may be called from any thread. The state
// listener is called on the thread that noticed the change (a caller's or the
// monitor's), without locks held; it must be quick.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "cache/key_space.h"
#include "cache/redis_options.h"
#include "cache/redis_link.h"
#include "cache/redis_pool.h"
#include "cache/redis_replies.h"
#include "core/error.h"
#include "core/random.h"

namespace ballast::cache {

struct RedisTierStats {
  bool up = false;
  uint64_t commands = 0;  // round trips made
  uint64_t errors = 0;    // failed round trips and error replies
  std::string lastError;  // the latest, for people; empty before any
};

class RedisTier {
 public:
  // `up` false comes with the reason.
  using StateListener = std::function<void(bool up, const std::string& reason)>;

  // Throws std::invalid_argument for an empty key prefix or a pool of 0.
  RedisTier(const RedisOptions& options, std::string nodeId, core::Random& random,
            StateListener listener);
  ~RedisTier();  // stop()
  RedisTier(const RedisTier&) = delete;
  RedisTier& operator=(const RedisTier&) = delete;

  // Connects the pool once (bounded by connectTimeout) and starts the monitor.
  void start();
  void stop();
  bool up() const { return link_.up(); }

  core::Result<std::optional<StoredValue>> get(std::string_view key);
  // One round trip for all keys; results in the order of `keys`.
  core::Result<std::vector<std::optional<StoredValue>>> mget(std::span<const std::string> keys);
  // Stores with a TTL (REQUIRES: ttl > 0); true when the key existed before.
  core::Result<bool> set(std::string_view key, std::string_view value, core::Millis ttl);
  core::Status mset(std::span<const std::pair<std::string, std::string>> entries, core::Millis ttl);
  // True when the key existed.
  core::Result<bool> del(std::string_view key);
  // Removes every key under the prefix; returns how many.
  core::Result<size_t> clear();

  RedisTierStats stats() const;
  const KeySpace& keySpace() const { return keys_; }
  const RedisEndpoint& endpoint() const { return pool_.endpoint(); }
  const std::string& nodeId() const { return nodeId_; }

 private:
  // Runs `commands` in one round trip. Fails at once when down; an I/O failure
  // marks the tier down; an error reply fails without marking it down.
  core::Result<std::vector<RedisValue>> run(std::span<const RedisArgs> commands);
  // Records a failure of `result` (an interpretation of replies) and passes it on.
  template <typename T>
  core::Result<T> checked(core::Result<T> result);
  void noteError(const std::string& message);
  bool connect();
  // With a sealer: `value` sealed for `redisKey` (else `value` itself).
  std::string_view sealed(std::string_view redisKey, std::string_view value, std::string& storage) const;
  // With a sealer: the opened value, or nullopt (a miss) when it does not open.
  std::optional<StoredValue> opened(std::string_view redisKey, std::optional<StoredValue> stored);
  // The invalidation message for `keys`, from this node; no keys: a clear.
  std::string invalidation(std::vector<std::string> keys) const;

  const RedisOptions options_;
  const KeySpace keys_;
  const std::string channel_;
  const std::string nodeId_;
  RedisPool pool_;
  std::atomic<uint64_t> commands_{0};
  std::atomic<uint64_t> errors_{0};
  mutable std::mutex errorMu_;
  std::string lastError_;  // guarded by errorMu_
  RedisLink link_;  // last: its monitor thread stops first
};

}  // namespace ballast::cache
