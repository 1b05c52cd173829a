#pragma once
// The rules every daemon starts with (built-in: they cannot be deleted) and
// the metric keys AlertSources produces for them.

#include <vector>

#include "alerts/rule.h"

namespace ballast::alerts {

namespace metrics {
inline constexpr const char* kCpuPercent = "system.cpu.percent";
inline constexpr const char* kMemoryPercent = "system.memory.percent";
inline constexpr const char* kDiskPercent = "system.disk.percent";
inline constexpr const char* kServerUnhealthy = "server.unhealthy";            // {service, server}: 1 or 0
inline constexpr const char* kHealthyServers = "service.healthy_servers";     // {service}: count
inline constexpr const char* kErrorRatePercent = "service.error_rate.percent";  // {service}: last minute
inline constexpr const char* kCircuitOpen = "server.circuit_open";            // {service, server}: 1 or 0
inline constexpr const char* kCacheHitRatePercent = "cache.hit_rate.percent";  // last minute, with lookups
inline constexpr const char* kRedisDown = "cache.redis.down";                 // 1 or 0, when configured
}  // namespace metrics

struct BuiltinThresholds {
  double cacheHitRatePercent = 50;  // alerts.cacheHitRateBelow
};

std::vector<Rule> builtinRules(const BuiltinThresholds& thresholds = {});

}  // namespace ballast::alerts
