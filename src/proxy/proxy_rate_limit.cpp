#include "proxy/proxy_rate_limit.h"

#include <fmt/format.h>

#include <algorithm>

#include "security/rate_limit_policy.h"

namespace ballast::proxy {

security::RateDecision chargeProxyRequest(security::RateStore& store, std::string_view service,
                                          const core::ServiceRateLimit& limit,
                                          std::string_view clientIp,
                                          std::span<const http1::Header> headers,
                                          security::RatePolicy& policy) {
  policy.name.assign(service);
  policy.windowMs = limit.window.windowMs;
  policy.max = limit.window.max;
  std::string_view who = clientIp;
  std::string_view kind = "ip";
  if (!limit.header.empty()) {
    if (const auto* header = http1::findHeader(headers, limit.header);
        header != nullptr && !header->value.empty()) {
      who = header->value.substr(0, 256);
      kind = "h";
    }
  }
  char key[400];
  const auto written = fmt::format_to_n(key, sizeof key, "proxy|{}|{}|{}", service, kind, who);
  return store.take(std::string_view(key, std::min(written.size, sizeof key)), policy);
}

std::string rateLimitedHeaderLines(const security::RatePolicy& policy,
                                   const security::RateDecision& decision) {
  return fmt::format("Retry-After: {}\r\nRateLimit-Policy: {}\r\nRateLimit: {}\r\n",
                     security::retryAfterSeconds(decision), security::rateLimitPolicyField(policy),
                     security::rateLimitField(policy, decision));
}

}  // namespace ballast::proxy
