#pragma once
// The description of one proxied service — the same fields in the YAML file
// (`services:`), in the admin API (PUT /api/infrastructure/services/:name) and
// in the store. One parser validates all three, reporting each problem with its
// path ("services[0].healthCheck.interval" in the file, "/healthCheck/interval"
// in the API).

#include <optional>
#include <string>
#include <vector>

#include "core/health_check_config.h"
#include "core/error.h"
#include "core/json.h"
#include "core/json_reader.h"
#include "core/rate_limit_config.h"

namespace ballast::core {

struct RouteSpec {
  std::string host;        // exact Host (port ignored), case-insensitive; empty = any
  std::string pathPrefix;  // "/v1"; empty = any. Longest match wins.
};

struct StickySpec {
  bool enabled = false;
  std::string cookieName = "ballast_server";
  int ttl = 0;              // seconds; 0 = a session cookie
  bool secure = false;
  bool httpOnly = true;
  std::string sameSite = "Lax";  // Strict | Lax | None
};

struct LimitsSpec {
  int maxConnections = 1024;      // upstream connections open at once, all servers
  int maxPendingRequests = 1024;  // requests waiting for a connection
  int maxRequests = 1024;         // requests in flight
  int maxRetries = 3;             // retries in flight
  int retryBudgetPercent = 20;    // retries allowed as a share of requests in flight
};

struct TimeoutsSpec {
  int connect = 2000;   // ms to open an upstream connection
  int response = 30000; // ms from request sent to the response head
  int idle = 60000;     // ms without a byte either way mid-body; also pooled-connection idle time
};

struct ServerSpec {
  std::string host;
  int port = 0;
  int weight = 1;
};

struct ServiceSpec {
  std::string name;
  std::string algorithm = "round-robin";
  std::vector<RouteSpec> routes;
  HealthCheckConfig healthCheck;
  std::vector<int> expectedStatuses;  // empty = any 2xx or 3xx passes a check
  int healthCheckJitter = 10;         // percent of interval added at random
  LimitsSpec limits;
  StickySpec sticky;
  int slowStart = 0;                  // ms over which a newly healthy server ramps up; 0 = off
  TimeoutsSpec timeouts;
  std::vector<ServerSpec> servers;    // initial servers (file only; the API adds them one by one)
  // Where instances come from and how many (the scaling component reads them;
  // core cannot depend on it, so they stay JSON here). Null = none: servers
  // are added by hand (the "static" provider) and nothing scales.
  Json provider;  // {type: process|exec|kubernetes|static, ...}
  Json scaling;   // {enabled, minInstances, maxInstances, targets...}
  // Requests per window per client address (or header value) on this service's
  // proxy route; nullopt: unlimited. Key `rateLimit` (core/rate_limit_config.h).
  std::optional<ServiceRateLimit> rateLimit;
};

// Checks a service's `provider` and `scaling` objects (either may be null),
// naming each problem by its path under `providerPath` / `scalingPath`. The
// scaling component provides it; the program installs it once at start,
// before any spec is parsed. Without one, both are only checked to be objects.
using ServiceExtensionCheck = Status (*)(const Json* provider, const Json* scaling, PathStyle style,
                                         const std::string& providerPath, const std::string& scalingPath);
void setServiceExtensionCheck(ServiceExtensionCheck check);

// The loadBalancer-level defaults a service starts from.
struct ServiceDefaults {
  std::string algorithm = "round-robin";
  HealthCheckConfig healthCheck;
};

// Parses a service from JSON (the YAML file is converted to JSON first).
// `prefix` is prepended to every error path. `allowServers`: whether a
// `servers` list is accepted (file: yes; API: no).
Result<ServiceSpec> parseServiceSpec(const Json& json, const ServiceDefaults& defaults,
                                     PathStyle style, const std::string& prefix, bool allowServers);

// The spec as JSON (the API's and the store's shape). Servers are not included.
Json toJson(const ServiceSpec& spec);

// 1-64 of [A-Za-z0-9._-]: no character a shell, a path or a URL gives a
// meaning to (service names; instance ids that go back to a provider's commands).
bool isPlainName(std::string_view name);
// Names: isPlainName.
bool isValidServiceName(std::string_view name);
// A host name or IP literal a server may have.
bool isValidHost(std::string_view host);

}  // namespace ballast::core
