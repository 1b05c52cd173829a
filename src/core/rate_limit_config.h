#pragma once
// Rate-limit settings: `security.rateLimit` for the admin API and a service's
// `rateLimit` for its proxy route. Both are read with JsonReader, so problems
// are reported with their key paths like the rest of the config.
//
//   security:
//     rateLimit:
//       enabled: true          # default true
//       windowMs: 60000        # RATE_LIMIT_WINDOW_MS
//       max: 1000              # requests per window, per client address and per identity
//       (RATE_LIMIT_MAX_REQUESTS) reads:  {windowMs, max}   # GET/HEAD/OPTIONS; default: the two
//       above writes: {windowMs, max}   # everything else; default: the two above routes: [{name,
//       method, pathPrefix, windowMs, max}]   # overrides, first match wins store: auto # auto
//       (Redis when cache.redis is on) | memory | redis maxKeys: 100000        # memory store bound
//       (distinct clients tracked)
//
//   services: [{name: api, ..., rateLimit: {windowMs: 1000, max: 100, by: ip |
//   "header:X-Api-Key"}}]

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json_reader.h"

namespace ballast::core {

struct RateWindow {
  int64_t windowMs = 60000;
  int64_t max = 1000;
};

struct RateLimitRoute {
  std::string name;        // shown in RateLimit-Policy; default "route-<index>"
  std::string method;      // empty: any
  std::string pathPrefix;  // must start with '/'
  RateWindow window;
};

struct RateLimitConfig {
  bool enabled = true;
  RateWindow defaults;  // windowMs / max
  RateWindow reads;     // = defaults unless given
  RateWindow writes;    // = defaults unless given
  std::vector<RateLimitRoute> routes;
  std::string store = "auto";  // auto | memory | redis
  int64_t maxKeys = 100000;
};

// A service's proxy rate limit; absent = none.
struct ServiceRateLimit {
  RateWindow window{1000, 100};
  std::string
      header;  // empty: by client address; else by this request header's value (lower-case name)
};

// Reads `security.rateLimit` (already as JSON; null = all defaults).
Status readRateLimitConfig(const Json& json, RateLimitConfig& out,
                           const std::string& path = "security.rateLimit");
// Reads a service's `rateLimit` object through the service's reader.
std::optional<ServiceRateLimit> readServiceRateLimit(JsonReader& service);

}  // namespace ballast::core
