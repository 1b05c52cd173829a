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
//   ballast_admin_requests_total{code}                            admin API answers by status class
//   ballast_events_total{type,level}
//
// Nothing is looked up by name per request: the data plane updates the
// atomics each Service owns (ServiceCounters) and a scrape walks the registry.
//
// Thread-safety: renderMetrics() may run on any thread, concurrently.

#include <string>

#include "api/admin_api.h"
#include "proxy/registry.h"
#include "telemetry/event_counter.h"
#include "telemetry/status_classes.h"

namespace ballast::api {

struct MetricsDeps {
  const proxy::Registry& registry;
  const telemetry::StatusClassCounters& adminResponses;
  const telemetry::EventCounter& events;
  std::string version;
};

// The exposition text.
std::string renderMetrics(const MetricsDeps& deps);

// Registers GET /metrics. Everything in `deps` must outlive `api`.
void registerMetricsRoutes(AdminApi& api, MetricsDeps deps);

}  // namespace ballast::api
