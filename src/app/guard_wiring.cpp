#include "app/guard_wiring.h"
#include "app/tls_wiring.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/random.h"
#include "security/cors.h"
#include "security/rate_limit_policy.h"

namespace ballast::app {

namespace {

security::RatePolicy policyOf(std::string name, const core::RateWindow& window) {
  return {std::move(name), window.windowMs, window.max};
}

security::AdminRateLimitOptions adminLimits(const core::RateLimitConfig& c) {
  security::AdminRateLimitOptions out;
  out.enabled = c.enabled;
  out.reads = policyOf("admin-read", c.reads);
  out.writes = policyOf("admin-write", c.writes);
  for (const auto& route : c.routes)
    out.routes.push_back({route.method, route.pathPrefix, policyOf(route.name, route.window)});
  return out;
}

bool useRedis(const core::Config& config) {
  const auto& store = config.security.rateLimit.store;
  return store == "redis" || (store == "auto" && config.cache.redis.enabled);
}

}  // namespace

GuardParts::~GuardParts() {
  if (redis) redis->stop();
}

void GuardParts::applyTo(proxy::ProxyOptions& options) {
  options.rateStore = &store();
  options.rateLimited = &counters;
}

core::Status GuardParts::checkCoverage(const api::AdminApi& adminApi) const {
  const auto* validator = guards->validator();
  if (validator == nullptr) return {};
  auto missing = validator->uncoveredRoutes(adminApi.routes());
  if (missing.empty()) return {};
  return core::fail(
      core::ErrorCode::kInternal,
      fmt::format("admin routes without an OpenAPI operation (they would skip validation): {}",
                  fmt::join(missing, ", ")));
}

core::Result<std::unique_ptr<GuardParts>> makeGuardParts(const core::Config& config,
                                                         const core::Clock& clock,
                                                         GuardNotice notify) {
  auto parts = std::make_unique<GuardParts>();
  const auto& rate = config.security.rateLimit;
  parts->memory =
      std::make_unique<security::MemoryRateStore>(clock, static_cast<size_t>(rate.maxKeys));
  if (useRedis(config)) {
    cache::RedisRateStore::Options options;
    options.endpoint = {config.cache.redis.host, config.cache.redis.port,
                        config.secrets.redisPassword, core::Millis(200), core::Millis(100)};
    options.poolSize = static_cast<size_t>(std::clamp(config.ioThreads(), 2, 16));
    const std::string address = options.endpoint.address();
    parts->redis = std::make_unique<cache::RedisRateStore>(
        std::move(options), *parts->memory, core::FastRandom::instance(),
        [notify, address](bool up, const std::string& reason) {
          const std::string message =
              up ? fmt::format("rate limits shared through Redis at {}", address)
                 : fmt::format(
                       "Redis at {} unavailable for rate limiting ({}): limits are per node, in "
                       "memory, until it returns",
                       address, reason);
          if (up)
            spdlog::info("{}", message);
          else
            spdlog::warn("{}", message);
          if (notify) notify(message, up ? "info" : "warning");
        });
    parts->redis->start();
  }

  auto origins = security::parseCorsOrigins(config.security.cors.origin);
  if (!origins) return std::unexpected(origins.error());
  security::CorsOptions cors{*origins, config.security.cors.credentials,
                             config.security.cors.maxAge};
  if (auto valid = security::validateCors(cors); !valid) return std::unexpected(valid.error());

  auto validator = api::RequestValidator::fromEmbeddedDocument();
  if (!validator) return std::unexpected(validator.error());

  const std::string corsText =
      cors.origins.empty() ? "off" : fmt::format("for {}", fmt::join(cors.origins, ", "));
  api::AdminGuards::Options options;
  options.cors = std::move(cors);
  if (rate.enabled) {
    options.rateLimiter = std::make_shared<security::AdminRateLimiter>(
        adminLimits(rate), parts->store(), parts->counters);
  } else {
    spdlog::warn("admin API rate limiting is off (security.rateLimit.enabled: false)");
  }
  options.validator = std::make_shared<const api::RequestValidator>(std::move(*validator));
  // Strict-Transport-Security on admin responses over TLS (server.ssl.enabled).
  options.headers.strictTransportSecurity = adminStrictTransportSecurity(config);
  parts->guards = std::make_shared<api::AdminGuards>(std::move(options));
  spdlog::info(
      "admin API guards: rate limit {} ({} reads / {} writes per {} ms, {} store), CORS {}",
      rate.enabled ? "on" : "off", rate.reads.max, rate.writes.max, rate.reads.windowMs,
      parts->redis ? "Redis" : "memory", corsText);
  return parts;
}

}  // namespace ballast::app
