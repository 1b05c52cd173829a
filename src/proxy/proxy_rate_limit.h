#pragma once
// A service's `rateLimit` on the proxy: each request is charged to
// "proxy|<service>|<client address or header value>" in the shared rate store
// (memory, or Redis for several nodes); over the limit, the proxy answers 429
// itself with Retry-After and the RateLimit / RateLimit-Policy fields
// (security/rate_limit_policy.h), without touching an upstream.
//
// A request without the configured header is charged to its client address.
//
// Thread-safety: pure functions over a thread-safe store.

#include <span>
#include <string>
#include <string_view>

#include "core/rate_limit_config.h"
#include "proxy/http1/message.h"
#include "security/rate_limiter.h"

namespace ballast::proxy {

// Charges one request; `policy` is filled in (named after the service).
security::RateDecision chargeProxyRequest(security::RateStore& store, std::string_view service,
                                          const core::ServiceRateLimit& limit,
                                          std::string_view clientIp,
                                          std::span<const http1::Header> headers,
                                          security::RatePolicy& policy);

// The extra header lines of a 429 ("Retry-After: 1\r\nRateLimit-Policy: ...\r\n...").
std::string rateLimitedHeaderLines(const security::RatePolicy& policy,
                                   const security::RateDecision& decision);

}  // namespace ballast::proxy
