#include "security/rate_limit_policy.h"

#include <fmt/format.h>

#include <algorithm>

namespace ballast::security {

namespace {

bool isRead(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

int64_t ceilSeconds(int64_t millis) {
  return (millis + 999) / 1000;
}

}  // namespace

AdminRateLimiter::AdminRateLimiter(AdminRateLimitOptions options, RateStore& store,
                                   RateLimitCounters& counters)
    : options_(std::move(options)), store_(store), counters_(counters) {}

const RatePolicy& AdminRateLimiter::policyFor(std::string_view method, std::string_view path,
                                              RateClass& rateClass) const {
  rateClass = isRead(method) ? RateClass::kAdminRead : RateClass::kAdminWrite;
  for (const auto& route : options_.routes) {
    if ((route.method.empty() || route.method == method) && path.starts_with(route.pathPrefix))
      return route.policy;
  }
  return rateClass == RateClass::kAdminRead ? options_.reads : options_.writes;
}

RateOutcome AdminRateLimiter::charge(std::string_view method, std::string_view path,
                                     std::string_view kind, std::string_view who) {
  RateOutcome outcome;
  outcome.policy = &policyFor(method, path, outcome.rateClass);
  // A fixed buffer: no allocation for the key on the request path.
  char key[320];
  const auto written =
      fmt::format_to_n(key, sizeof key, "{}|{}|{}", outcome.policy->name, kind, who);
  outcome.decision =
      store_.take(std::string_view(key, std::min(written.size, sizeof key)), *outcome.policy);
  if (!outcome.decision.allowed) counters_.record(outcome.rateClass);
  return outcome;
}

RateOutcome AdminRateLimiter::checkAddress(std::string_view method, std::string_view path,
                                           std::string_view address) {
  return charge(method, path, "ip", address);
}

RateOutcome AdminRateLimiter::checkIdentity(std::string_view method, std::string_view path,
                                            std::string_view identity) {
  return charge(method, path, "id", identity);
}

const RateOutcome& tighter(const RateOutcome& a, const RateOutcome& b) {
  if (!a.decision.allowed) return a;
  if (!b.decision.allowed) return b;
  return b.decision.remaining < a.decision.remaining ? b : a;
}

std::string rateLimitPolicyField(const RatePolicy& policy) {
  return fmt::format("\"{}\";q={};w={}", policy.name, policy.max,
                     std::max<int64_t>(1, ceilSeconds(policy.windowMs)));
}

std::string rateLimitField(const RatePolicy& policy, const RateDecision& decision) {
  return fmt::format("\"{}\";r={};t={}", policy.name, decision.remaining,
                     ceilSeconds(decision.resetMs));
}

int64_t retryAfterSeconds(const RateDecision& decision) {
  return std::max<int64_t>(1, ceilSeconds(decision.retryAfterMs));
}

}  // namespace ballast::security
