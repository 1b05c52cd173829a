#pragma once
// Health endpoints:
//   GET  /health                                    open; liveness: 200 while the process serves,
//                                                   draining included (a probe failing mid-drain
//                                                   would have the pod killed mid-drain)
//   GET  /ready                                     open; readiness: 503 while starting or draining
//   GET  /api/infrastructure/health                 viewer; the seed's health report, its verdict
//                                                   rolled up from the load-balanced services, the
//                                                   reported ones, the cache and the store
//                                                   (api/health_rollup.h)
//   POST /api/infrastructure/services/:name/status  operator; the seed's registerService(name,
//   status)

#include <functional>
#include <string>

#include "api/admin_api.h"
#include "core/clock.h"
#include "proxy/registry.h"
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
  // The load-balanced services whose servers the verdict counts; null: none.
  const proxy::Registry* registry = nullptr;
  // False until the daemon serves traffic (GET /ready); empty: ready.
  std::function<bool()> ready;
};

void registerHealthRoutes(AdminApi& api, HealthDeps deps);

// The body of GET /api/infrastructure/health (also the dashboard's `health`).
core::Result<core::Json> healthReportJson(const HealthDeps& deps);

}  // namespace ballast::api
