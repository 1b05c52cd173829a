#pragma once
// Rate-limit state in Redis, so that every ballast node sharing the Redis
// counts against one limit. Each decision is ONE atomic Lua script (EVALSHA,
// with EVAL when the server has forgotten the script): read the key's TAT,
// apply GCRA (security/rate_limiter.h) with Redis's own clock (TIME, so nodes'
// clocks need not agree), write the new TAT with an expiry of its distance
// from now, reply {allowed, remaining, resetMs, retryAfterMs}.
//
// Never fails open silently and never blocks long: a call waits at most
// `acquireWait` for a connection and `commandTimeout` for the reply. The first
// I/O error marks the store down: every call then goes to the in-memory
// `fallback` store (per-node limits) at once, and the state listener is told
// (the daemon logs it and records a "ratelimit" event). A monitor thread
// reconnects with capped exponential backoff, PINGs while up, and reports the
// return.
//
// Thread-safety: take() from any thread. The listener runs on the thread that
// noticed the change, without locks held.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "cache/redis_link.h"
#include "cache/redis_pool.h"
#include "core/random.h"
#include "security/rate_limiter.h"

namespace ballast::cache {

class RedisRateStore final : public security::RateStore {
 public:
  struct Options {
    RedisEndpoint endpoint;  // commandTimeout bounds each decision
    std::string keyPrefix = "ballast:ratelimit:";
    size_t poolSize = 2;
    core::Millis acquireWait{20};  // waiting for a free connection
    core::Millis pingInterval{1000};
    core::Millis backoffInitial{100};
    core::Millis backoffMax{5000};
  };
  using StateListener = std::function<void(bool up, const std::string& reason)>;

  // The Lua script (public for tests and documentation).
  static const char* const kScript;

  // `fallback` must outlive the store.
  RedisRateStore(Options options, security::RateStore& fallback, core::Random& random,
                 StateListener listener);
  ~RedisRateStore() override;  // stop()
  RedisRateStore(const RedisRateStore&) = delete;
  RedisRateStore& operator=(const RedisRateStore&) = delete;

  // Connects once (bounded by connectTimeout) and starts the monitor.
  void start();
  void stop();
  bool up() const { return link_.up(); }

  security::RateDecision take(std::string_view key, const security::RatePolicy& policy) override;

 private:
  // The decision from Redis, or an error (the caller falls back).
  core::Result<security::RateDecision> evaluate(std::string_view key,
                                                const security::RatePolicy& policy);
  bool connect();

  const Options options_;
  security::RateStore& fallback_;
  const StateListener listener_;
  RedisPool pool_;
  std::string sha_;  // written once, before the link first turns up
  RedisLink link_;   // last: its monitor thread stops first
};

}  // namespace ballast::cache
