#pragma once
// The admin API's guards and the proxy's rate limits, built from the config:
//   - the rate store: memory (sharded, bounded), or Redis shared by every node
//     (security.rateLimit.store: redis, or auto with cache.redis enabled) with
//     the memory store as its fallback while Redis is down;
//   - the admin rate limiter (security.rateLimit), CORS (security.cors /
//     CORS_ORIGIN), the OpenAPI request validator;
//   - the counters behind ballast_rate_limited_total.

#include <functional>
#include <memory>
#include <string>

#include "api/admin_api.h"
#include "api/admin_guards.h"
#include "cache/redis_rate_store.h"
#include "core/clock.h"
#include "core/config.h"
#include "proxy/client_session.h"
#include "security/rate_limit_counters.h"
#include "security/rate_limiter.h"

namespace ballast::app {

struct GuardParts {
  security::RateLimitCounters counters;
  std::unique_ptr<security::MemoryRateStore> memory;
  std::unique_ptr<cache::RedisRateStore> redis;  // when the store is Redis
  std::shared_ptr<api::AdminGuards> guards;

  security::RateStore& store() {
    return redis ? static_cast<security::RateStore&>(*redis) : *memory;
  }
  // Services' `rateLimit` on the proxy, counted in the same store.
  void applyTo(proxy::ProxyOptions& options);
  // Fails naming every registered route without an OpenAPI operation.
  core::Status checkCoverage(const api::AdminApi& adminApi) const;

  ~GuardParts();
};

// `notify(message, level)` reports the Redis store going down and coming back.
using GuardNotice = std::function<void(const std::string& message, const std::string& level)>;

core::Result<std::unique_ptr<GuardParts>> makeGuardParts(const core::Config& config,
                                                         const core::Clock& clock,
                                                         GuardNotice notify);

}  // namespace ballast::app
