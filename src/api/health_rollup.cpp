#include "api/health_rollup.h"

#include <fmt/format.h>

#include <algorithm>

namespace ballast::api {

namespace {

int severity(std::string_view status) {
  if (status == "healthy") return 0;
  if (status == "unhealthy") return 2;
  return 1;  // degraded, or a status nobody defined
}

constexpr const char* kNames[] = {"healthy", "degraded", "unhealthy"};

}  // namespace

std::string poolStatus(size_t eligible, size_t total) {
  if (total == 0 || eligible == total) return "healthy";
  return eligible == 0 ? "unhealthy" : "degraded";
}

HealthVerdict rollUpHealth(const std::vector<PoolHealth>& pools,
                           const std::vector<ComponentHealth>& others) {
  int worst = 0;
  HealthVerdict verdict;
  for (const auto& pool : pools) {
    const std::string status = poolStatus(pool.eligible, pool.total);
    if (status == "healthy") continue;
    worst = std::max(worst, severity(status));
    verdict.reasons.push_back(fmt::format("service {}: {} of {} servers eligible", pool.service,
                                          pool.eligible, pool.total));
  }
  for (const auto& component : others) {
    if (component.status == "healthy") continue;
    worst = std::max(worst, severity(component.status));
    verdict.reasons.push_back(
        component.reason.empty()
            ? fmt::format("{}: {}", component.name, component.status)
            : fmt::format("{}: {} ({})", component.name, component.status, component.reason));
  }
  verdict.status = kNames[worst];
  return verdict;
}

}  // namespace ballast::api
