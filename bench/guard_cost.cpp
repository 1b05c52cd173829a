// What the admin API's guards cost per request: a rate-limit decision in the
// memory store (one key, and a new key each time), the admin limiter's two
// charges, and the OpenAPI schema check of a body and of a query string.
// Single thread; prints ns per operation. Run: build/bench/guard_cost (or the
// path CMake puts it at) -- a few seconds.
#include <fmt/format.h>

#include <chrono>
#include <string>

#include "api/request_validator.h"
#include "core/clock.h"
#include "security/rate_limit_policy.h"
#include "security/rate_limiter.h"

using namespace ballast;

namespace {

template <typename F>
void measure(const char* what, int iterations, F&& f) {
  const auto start = std::chrono::steady_clock::now();
  size_t sink = 0;
  for (int i = 0; i < iterations; ++i) sink += f(i);
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  fmt::print("{:<58} {:>8.0f} ns/op   ({} ops, checksum {})\n", what,
             static_cast<double>(ns) / iterations, iterations, sink);
}

}  // namespace

int main() {
  auto& clock = core::SystemClock::instance();
  security::MemoryRateStore store(clock, 100000);
  security::RatePolicy policy{"bench", 60000, 1'000'000'000};
  measure("MemoryRateStore::take, one key", 2'000'000,
          [&](int) { return store.take("admin-read|ip|127.0.0.1", policy).remaining > 0 ? 1 : 0; });
  std::string keys[4096];
  for (int i = 0; i < 4096; ++i)
    keys[i] = fmt::format("admin-read|ip|10.0.{}.{}", i / 256, i % 256);
  measure("MemoryRateStore::take, 4096 keys round robin", 2'000'000,
          [&](int i) { return store.take(keys[i & 4095], policy).allowed ? 1 : 0; });
  security::RateLimitCounters counters;
  security::AdminRateLimiter limiter({.reads = policy, .writes = policy}, store, counters);
  measure("AdminRateLimiter address + identity (two charges)", 1'000'000, [&](int) {
    return limiter.checkAddress("GET", "/api/infrastructure/health", "127.0.0.1").decision.allowed +
           limiter.checkIdentity("GET", "/api/infrastructure/health", "admin").decision.allowed;
  });

  auto validator = api::RequestValidator::fromEmbeddedDocument();
  if (!validator) {
    fmt::print("cannot compile the OpenAPI document: {}\n", validator.error().message);
    return 1;
  }
  const auto* servers = validator->find("POST", "/api/infrastructure/loadbalancer/servers");
  const auto* events = validator->find("GET", "/api/infrastructure/events");
  const auto* service = validator->find("PUT", "/api/infrastructure/services/:name");
  const core::Json serverBody = {{"host", "10.0.0.1"}, {"port", 8080}, {"weight", 2}};
  const core::Json serviceBody = core::Json::parse(R"({"algorithm":"least-connections",
      "routes":[{"host":"api.example","pathPrefix":"/v1"}],
      "healthCheck":{"enabled":true,"interval":1000,"timeout":500,"path":"/health","expectedStatuses":[200,204]},
      "limits":{"maxConnections":100,"maxRequests":100},"sticky":{"enabled":true,"cookieName":"s"},
      "timeouts":{"connect":1000,"response":5000,"idle":60000},"rateLimit":{"windowMs":1000,"max":50,"by":"ip"}})");
  measure("schema check: POST loadbalancer/servers body (3 fields)", 200'000,
          [&](int) { return validator->check(*servers, "", &serverBody).has_value() ? 1 : 0; });
  measure("schema check: PUT services/:name body (nested, 20 fields)", 100'000,
          [&](int) { return validator->check(*service, "", &serviceBody).has_value() ? 1 : 0; });
  measure("schema check: GET events query (limit, type, level)", 200'000, [&](int) {
    return validator->check(*events, "limit=50&type=health&level=warning", nullptr).has_value() ? 1
                                                                                                : 0;
  });
  measure("schema check: GET events, no query", 1'000'000,
          [&](int) { return validator->check(*events, "", nullptr).has_value() ? 1 : 0; });
  return 0;
}
