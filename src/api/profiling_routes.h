#pragma once
// Latency profile, the JSON twin of the summaries in /metrics:
//   GET /api/infrastructure/profiling    viewer
//   {window: "last minute",
//    servers: [{service, server, address, p50, p95, p99, samples}],
//    routes:  [{method, route, p50, p95, p99, samples, total}]}
// p50/p95/p99 in ms over the last minute (null without samples; within 6.25%,
// see telemetry/latency_window.h); `samples` in that window, `total` since
// start. Routes by pattern ("/api/infrastructure/services/:name"), only those
// called at least once; servers of every service.
//
// Thread-safety: the handler may run on any thread.

#include <vector>

#include "api/admin_api.h"
#include "proxy/registry.h"

namespace ballast::api {

// `registry` and `routes` (AdminApi::routeTimings() of the API whose routes
// are profiled, usually `api` itself) must outlive `api`.
void registerProfilingRoutes(AdminApi& api, const proxy::Registry& registry, const std::vector<RouteTiming>& routes);

}  // namespace ballast::api
