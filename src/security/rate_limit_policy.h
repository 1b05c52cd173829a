#pragma once
// Which rate-limit policy a request falls under, and how a decision is told to
// the client (draft-ietf-httpapi-ratelimit-headers-10, structured fields):
//
//   RateLimit-Policy: "admin-read";q=1000;w=60
//   RateLimit: "admin-read";r=998;t=1
//   Retry-After: 3                          (429 only)
//
// Admin API classes: reads (GET, HEAD, OPTIONS) and writes (everything else),
// each with its own policy; `routes` overrides them by method and path prefix
// (the first match wins). A request is charged twice: to its client address,
// before authentication (brute force is limited too), and to its identity
// (token subject or API key id) after it; either can refuse it.
//
// Thread-safety: AdminRateLimiter is immutable apart from the store it uses;
// check() from any thread when the store allows it (MemoryRateStore does).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/rate_limit_counters.h"
#include "security/rate_limiter.h"

namespace ballast::security {

struct RouteRateLimit {
  std::string method;      // empty: any method
  std::string pathPrefix;  // "/api/infrastructure/cache/"
  RatePolicy policy;
};

struct AdminRateLimitOptions {
  bool enabled = true;
  RatePolicy reads{"admin-read", 60000, 1000};  // per client address and per identity
  RatePolicy writes{"admin-write", 60000, 1000};
  std::vector<RouteRateLimit> routes;  // overrides, first match wins
};

struct RateOutcome {
  RateDecision decision;
  const RatePolicy* policy = nullptr;
  RateClass rateClass = RateClass::kAdminRead;
};

class AdminRateLimiter {
 public:
  // `store` and `counters` must outlive the limiter.
  AdminRateLimiter(AdminRateLimitOptions options, RateStore& store, RateLimitCounters& counters);

  // The policy for a request (its class and any route override).
  const RatePolicy& policyFor(std::string_view method, std::string_view path,
                              RateClass& rateClass) const;

  // Charges the request to "<policy>|ip|<address>".
  RateOutcome checkAddress(std::string_view method, std::string_view path,
                           std::string_view address);
  // Charges the request to "<policy>|id|<identity>".
  RateOutcome checkIdentity(std::string_view method, std::string_view path,
                            std::string_view identity);

 private:
  RateOutcome charge(std::string_view method, std::string_view path, std::string_view kind,
                     std::string_view who);

  AdminRateLimitOptions options_;
  RateStore& store_;
  RateLimitCounters& counters_;
};

// The tighter of two outcomes: a refusal, else the one with fewer requests left.
const RateOutcome& tighter(const RateOutcome& a, const RateOutcome& b);

// Header values for an outcome.
std::string rateLimitPolicyField(const RatePolicy& policy);
std::string rateLimitField(const RatePolicy& policy, const RateDecision& decision);
// Whole seconds, rounded up, at least 1.
int64_t retryAfterSeconds(const RateDecision& decision);

}  // namespace ballast::security
