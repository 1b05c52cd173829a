#pragma once
// The health verdict of GET /api/infrastructure/health and /status: the worst
// of every load-balanced service (from its servers), every service reported
// through POST .../services/:name/status, the cache and the store, with the
// reasons behind it. A load-balanced service is degraded when some of its
// servers are eligible but not all, unhealthy when it has servers and none
// is; one with no servers (0 of 0) is listed but changes nothing, so a fresh
// install is healthy.
//
// Pure functions: thread-safe.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::api {

struct PoolHealth {
  std::string service;
  size_t eligible = 0;  // servers a balancer may pick
  size_t total = 0;
};

struct ComponentHealth {
  std::string name;    // "reported service api", "cache", "store"
  std::string status;  // healthy | degraded | unhealthy (anything else counts as degraded)
  std::string reason;  // why, when not healthy
};

struct HealthVerdict {
  std::string status;                // healthy | degraded | unhealthy
  std::vector<std::string> reasons;  // one per component that is not healthy
};

// "healthy", "degraded" or "unhealthy" for a pool with `eligible` of `total`.
std::string poolStatus(size_t eligible, size_t total);

HealthVerdict rollUpHealth(const std::vector<PoolHealth>& pools,
                           const std::vector<ComponentHealth>& others);

}  // namespace ballast::api
