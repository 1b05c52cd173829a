#include "alerts/builtin_rules.h"

namespace ballast::alerts {
namespace {

using std::chrono::milliseconds;

Rule make(std::string id, std::string name, std::string metric, Comparison cmp, double threshold,
          milliseconds forDuration, Severity severity, std::string summary) {
  return Rule{.id = std::move(id), .name = std::move(name), .metric = std::move(metric), .comparison = cmp,
              .threshold = threshold, .forDuration = forDuration, .severity = severity,
              .annotations = {{"summary", std::move(summary)}}, .builtIn = true};
}

}  // namespace

std::vector<Rule> builtinRules(const BuiltinThresholds& t) {
  const milliseconds minute{60000};
  const milliseconds none{0};
  return {
      make("high-cpu", "HighCpuUsage", metrics::kCpuPercent, Comparison::kGreater, 80, minute, Severity::kWarning,
           "CPU usage is {{value}}% (above 80%)"),
      make("high-memory", "HighMemoryUsage", metrics::kMemoryPercent, Comparison::kGreater, 90, minute,
           Severity::kCritical, "Memory usage is {{value}}% (above 90%)"),
      make("high-disk", "HighDiskUsage", metrics::kDiskPercent, Comparison::kGreater, 90, none, Severity::kWarning,
           "Disk usage is {{value}}% (above 90%)"),
      make("server-unhealthy", "ServerUnhealthy", metrics::kServerUnhealthy, Comparison::kEqual, 1, none,
           Severity::kWarning, "Server {{server}} of {{service}} is unhealthy"),
      make("service-down", "ServiceNoHealthyServers", metrics::kHealthyServers, Comparison::kEqual, 0, none,
           Severity::kCritical, "Service {{service}} has no healthy server"),
      make("high-error-rate", "HighErrorRate", metrics::kErrorRatePercent, Comparison::kGreater, 5, none,
           Severity::kWarning, "{{service}} answered {{value}}% 5xx over the last minute (above 5%)"),
      make("circuit-open", "CircuitBreakerOpen", metrics::kCircuitOpen, Comparison::kEqual, 1, none,
           Severity::kWarning, "Circuit breaker of {{server}} ({{service}}) is open"),
      make("low-cache-hit-rate", "LowCacheHitRate", metrics::kCacheHitRatePercent, Comparison::kLess,
           t.cacheHitRatePercent, none, Severity::kInfo, "Cache hit rate is {{value}}% over the last minute"),
      make("redis-down", "RedisDown", metrics::kRedisDown, Comparison::kEqual, 1, none, Severity::kCritical,
           "Redis is unreachable; the cache runs on memory only"),
  };
}

}  // namespace ballast::alerts
