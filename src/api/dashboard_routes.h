#pragma once
// The seed's dashboard and a human-readable status page:
//   GET /api/infrastructure/dashboard  viewer
//       {health, cluster, loadBalancer, cache, scaling, alerts}
//         health:       the body of GET /api/infrastructure/health
//         cluster:      the body of GET /api/infrastructure/cluster
//         loadBalancer: the default service's stats + services[{name, algorithm,
//                       healthyServers, totalServers}]
//         cache:        the body of GET /api/infrastructure/cache/stats
//         scaling:      {services: status summary, events: the newest 10} (scalingDashboardJson)
//         alerts:       the alerts provider's JSON, else {active: []}
//   GET /status  open; server-side rendered HTML from the same data (overall
//       status, uptime, version, services with healthy/total servers, cluster
//       generation), nothing secret; no script, no inline style (the admin CSP
//       forbids both).
//
// Each section comes from a provider so the views stay where they are built
// (health_routes.h, cluster_routes.h, service_views.h, cache_views.h).
// Thread-safety: providers are called from any I/O thread.

#include <functional>
#include <string>

#include "api/admin_api.h"
#include "core/error.h"
#include "core/json.h"

namespace ballast::api {

struct DashboardDeps {
  std::function<core::Result<core::Json>()> health;  // healthReportJson
  std::function<core::Json()> cluster;               // clusterJson
  std::function<core::Json()> loadBalancer;          // loadBalancerOverviewJson
  std::function<core::Json()> cache;                 // cacheStatsJson; null: section is null
  std::function<core::Json()> alerts;                // optional; null: {active: []}
  std::function<core::Json()> scaling;               // optional (scalingDashboardJson); null: empty section
  std::string version;
};

// The dashboard object; fails only when the health report does.
core::Result<core::Json> dashboardJson(const DashboardDeps& deps);

void registerDashboardRoutes(AdminApi& api, DashboardDeps deps);

}  // namespace ballast::api
