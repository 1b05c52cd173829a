#pragma once
// GET /metrics, open (no token, as Prometheus scrapes): the Prometheus text
// exposition format 0.0.4. Families:
//   ballast_build_info{version}                                   gauge, 1
//   process_cpu_seconds_total, process_resident_memory_bytes,
//   process_virtual_memory_bytes, process_open_fds, process_max_fds,
//   process_start_time_seconds                                    (the standard process metrics)
//   ballast_proxy_requests_total{service,code="2xx"}              answers by status class
//   ballast_proxy_active_requests{service}                        gauge
//   ballast_proxy_upstream_connections_total{service}             upstream connections opened
//   ballast_proxy_retries_total{service}
//   ballast_proxy_rejected_total{service,reason="no_server"|"limited"|"circuit_open"}
//   ballast_proxy_request_duration_seconds{service}               histogram, to the response head
//   ballast_upstream_server_{healthy,ejected,maintenance,circuit_state,
//     active_connections,latency_ewma_seconds}{service,server,address}  gauges
//     (circuit_state: 0 closed, 1 open, 2 half-open)
//   ballast_upstream_server_request_duration_seconds{service,server,address,quantile}
//                                                                 summary: p50/p95/p99 of the
//                                                                 last minute, _sum/_count since
//                                                                 start
//   ballast_admin_requests_total{code}                            admin API answers by status class
//   ballast_admin_request_duration_seconds{method,route,quantile} summary per route pattern, as
//   above ballast_events_total{type,level}
//   ballast_rate_limited_total{class="admin_read"|"admin_write"|"proxy"}  requests refused with 429
//   ballast_scaling_events_total{service,direction="up"|"down"}   changes of the instance count
//   ballast_service_instances{service,state="starting"|"ready"|"draining"|"stopping"|"desired"}
//   gauges
//
// Nothing is looked up by name per request: the data plane updates the
// atomics each Service owns (ServiceCounters) and a scrape walks the registry.
//
// Thread-safety: renderMetrics() may run on any thread, concurrently.

#include <memory>
#include <string>
#include <vector>

#include "api/admin_api.h"
#include "core/connection_limiter.h"
#include "proxy/registry.h"
#include "scaling/control/controller.h"
#include "security/rate_limit_counters.h"
#include "telemetry/event_counter.h"
#include "telemetry/status_classes.h"

namespace ballast::api {

// One listener's connection caps, for ballast_connections_* (null: skipped).
struct ListenerConnections {
  std::string listener;  // admin | proxy | proxy_tls
  std::shared_ptr<const core::ConnectionLimiter> limiter;
};

struct MetricsDeps {
  const proxy::Registry& registry;
  const telemetry::StatusClassCounters& adminResponses;
  const telemetry::EventCounter& events;
  std::string version;
  const scaling::ScalingController* scaling = nullptr;    // optional: the scaling families
  const std::vector<RouteTiming>* adminRoutes = nullptr;  // optional: the admin API's route timings
  const security::RateLimitCounters* rateLimited = nullptr;  // optional: ballast_rate_limited_total
  std::vector<ListenerConnections> listeners;                // optional: ballast_connections_*
};

// The exposition text.
std::string renderMetrics(const MetricsDeps& deps);

// Registers GET /metrics. Everything in `deps` must outlive `api`.
void registerMetricsRoutes(AdminApi& api, MetricsDeps deps);

}  // namespace ballast::api
