#pragma once
// Health endpoints:
//   GET  /health                                    open; probes; 503 while draining
//   GET  /api/infrastructure/health                 viewer; the seed's health report
//   POST /api/infrastructure/services/:name/status  operator; the seed's registerService(name, status)

#include <functional>
#include <string>

#include "api/admin_api.h"
#include "core/clock.h"
#include "store/service_status.h"
#include "telemetry/system_stats.h"

namespace ballast::api {

struct HealthDeps {
  const core::Clock& clock;
  core::MonoTime startedAt;
  telemetry::SystemSampler& system;
  store::ServiceStatusRepository& services;
  std::function<bool()> draining;
  std::string version;
  // The `cache` field of GET /api/infrastructure/health; omitted when empty.
  std::function<core::Json()> cache;
};

void registerHealthRoutes(AdminApi& api, HealthDeps deps);

// The body of GET /api/infrastructure/health (also the dashboard's `health`).
core::Result<core::Json> healthReportJson(const HealthDeps& deps);

// The overall status from the services' statuses: "healthy" when all are
// healthy (or none is registered), "unhealthy" when all are unhealthy,
// "degraded" otherwise.
std::string overallStatus(const std::vector<store::ServiceStatusRecord>& services);

}  // namespace ballast::api
