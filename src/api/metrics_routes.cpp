#include "api/metrics_routes.h"

#include <fmt/format.h>

#include <memory>
#include <vector>

#include "telemetry/exposition.h"
#include "telemetry/process_stats.h"

namespace ballast::api {

using telemetry::ExpositionWriter;
using telemetry::MetricType;

namespace {

// One consistent view of a service for the whole scrape.
struct ServiceView {
  std::shared_ptr<proxy::Service> service;
  std::shared_ptr<const proxy::ServiceSnapshot> snapshot;
};

uint64_t load(const std::atomic<uint64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

int64_t circuitStateValue(health::CircuitState state) {
  switch (state) {
    case health::CircuitState::kClosed:
      return 0;
    case health::CircuitState::kOpen:
      return 1;
    case health::CircuitState::kHalfOpen:
      return 2;
  }
  return 0;
}

void writeProcess(ExpositionWriter& w, const std::string& version) {
  w.family("ballast_build_info", MetricType::kGauge, "Build information; the value is always 1.");
  w.sample("ballast_build_info", {{"version", version}}, uint64_t{1});
  const auto stats = telemetry::readProcessStats();
  if (!stats) return;
  w.family("process_cpu_seconds_total", MetricType::kCounter,
           "User and system CPU time spent, in seconds.");
  w.sample("process_cpu_seconds_total", {}, stats->cpuSeconds);
  w.family("process_resident_memory_bytes", MetricType::kGauge, "Resident memory size in bytes.");
  w.sample("process_resident_memory_bytes", {}, stats->residentBytes);
  w.family("process_virtual_memory_bytes", MetricType::kGauge, "Virtual memory size in bytes.");
  w.sample("process_virtual_memory_bytes", {}, stats->virtualBytes);
  w.family("process_open_fds", MetricType::kGauge, "Open file descriptors.");
  w.sample("process_open_fds", {}, stats->openFds);
  w.family("process_max_fds", MetricType::kGauge, "Maximum number of open file descriptors.");
  w.sample("process_max_fds", {}, stats->maxFds);
  w.family("process_start_time_seconds", MetricType::kGauge,
           "Start time of the process since the Unix epoch in seconds.");
  w.sample("process_start_time_seconds", {}, stats->startTimeSeconds);
}

void writeProxy(ExpositionWriter& w, const std::vector<ServiceView>& services) {
  w.family("ballast_proxy_requests_total", MetricType::kCounter,
           "Proxied requests answered, by service and status class (the upstream's answers and "
           "ballast's own).");
  for (const auto& [service, snapshot] : services) {
    const auto& classes = service->counters().statusClasses;
    for (size_t i = 0; i < telemetry::StatusClassCounters::kClasses; ++i) {
      w.sample("ballast_proxy_requests_total",
               {{"service", service->name()}, {"code", classes.label(i)}}, classes.count(i));
    }
  }
  w.family("ballast_proxy_active_requests", MetricType::kGauge, "Proxied requests in flight.");
  for (const auto& [service, snapshot] : services) {
    w.sample("ballast_proxy_active_requests", {{"service", service->name()}},
             service->counters().activeRequests.load(std::memory_order_relaxed));
  }
  w.family("ballast_proxy_upstream_connections_total", MetricType::kCounter,
           "Upstream connections opened.");
  for (const auto& [service, snapshot] : services) {
    w.sample("ballast_proxy_upstream_connections_total", {{"service", service->name()}},
             load(service->counters().connections));
  }
  w.family("ballast_proxy_retries_total", MetricType::kCounter,
           "Requests retried on another server.");
  for (const auto& [service, snapshot] : services) {
    w.sample("ballast_proxy_retries_total", {{"service", service->name()}},
             load(service->counters().retries));
  }
  w.family("ballast_proxy_rejected_total", MetricType::kCounter,
           "Requests answered 503 without reaching a server, by reason.");
  for (const auto& [service, snapshot] : services) {
    const auto& c = service->counters();
    const std::string& name = service->name();
    w.sample("ballast_proxy_rejected_total", {{"service", name}, {"reason", "no_server"}},
             load(c.noServer));
    w.sample("ballast_proxy_rejected_total", {{"service", name}, {"reason", "limited"}},
             load(c.limited));
    w.sample("ballast_proxy_rejected_total", {{"service", name}, {"reason", "circuit_open"}},
             load(c.circuitRejected));
  }
  w.family("ballast_proxy_request_duration_seconds", MetricType::kHistogram,
           "Time from routing a request to the upstream's response head, in seconds.");
  for (const auto& [service, snapshot] : services) {
    w.histogram("ballast_proxy_request_duration_seconds", {{"service", service->name()}},
                service->counters().latency.snapshot());
  }
}

// One gauge family with a sample per server of every service.
template <typename Value>
void writeServerGauge(ExpositionWriter& w, const std::vector<ServiceView>& services,
                      std::string_view name, std::string_view help, Value value) {
  w.family(name, MetricType::kGauge, help);
  for (const auto& [service, snapshot] : services) {
    for (const auto& server : snapshot->pool->servers()) {
      const auto sample = value(*server, snapshot->runtime(server.get()));
      if (!sample) continue;
      const std::string address = fmt::format("{}:{}", server->host(), server->port());
      w.sample(name, {{"service", service->name()}, {"server", server->id()}, {"address", address}},
               *sample);
    }
  }
}

void writeServers(ExpositionWriter& w, const std::vector<ServiceView>& services) {
  using Runtime = const proxy::ServerRuntime*;
  writeServerGauge(w, services, "ballast_upstream_server_healthy",
                   "1 when the server passes its health checks.",
                   [](const lb::ServerState& s, Runtime) {
                     return std::optional<int64_t>(s.isHealthy() ? 1 : 0);
                   });
  writeServerGauge(w, services, "ballast_upstream_server_ejected",
                   "1 while outlier detection has ejected the server.",
                   [](const lb::ServerState& s, Runtime) {
                     return std::optional<int64_t>(s.isEjected() ? 1 : 0);
                   });
  writeServerGauge(w, services, "ballast_upstream_server_maintenance",
                   "1 while the server is in maintenance.", [](const lb::ServerState& s, Runtime) {
                     return std::optional<int64_t>(s.inMaintenance() ? 1 : 0);
                   });
  writeServerGauge(w, services, "ballast_upstream_server_circuit_state",
                   "The server's circuit breaker: 0 closed, 1 open, 2 half-open.",
                   [](const lb::ServerState&, Runtime r) -> std::optional<int64_t> {
                     if (r == nullptr) return std::nullopt;
                     return circuitStateValue(r->breaker->state());
                   });
  writeServerGauge(w, services, "ballast_upstream_server_active_connections",
                   "Requests in flight to the server.", [](const lb::ServerState& s, Runtime) {
                     return std::optional<int64_t>(s.activeConnections());
                   });
  writeServerGauge(
      w, services, "ballast_upstream_server_latency_ewma_seconds",
      "Exponentially weighted moving average of the server's response time, in seconds.",
      [](const lb::ServerState& s, Runtime) -> std::optional<double> {
        auto micros = s.ewmaLatencyMicros();
        if (!micros) return std::nullopt;
        return *micros / 1e6;
      });
}

void writeAdmin(ExpositionWriter& w, const telemetry::StatusClassCounters& responses) {
  w.family("ballast_admin_requests_total", MetricType::kCounter,
           "Admin API requests answered, by status class.");
  for (size_t i = 0; i < telemetry::StatusClassCounters::kClasses; ++i) {
    w.sample("ballast_admin_requests_total", {{"code", responses.label(i)}}, responses.count(i));
  }
}

void writeEvents(ExpositionWriter& w, const telemetry::EventCounter& events) {
  w.family("ballast_events_total", MetricType::kCounter,
           "Infrastructure events, by type and level.");
  for (const auto& count : events.snapshot()) {
    w.sample("ballast_events_total", {{"type", count.type}, {"level", count.level}}, count.total);
  }
}

}  // namespace

std::string renderMetrics(const MetricsDeps& deps) {
  std::vector<ServiceView> services;
  for (auto& service : deps.registry.list()) {
    auto snapshot = service->snapshot();
    services.push_back({std::move(service), std::move(snapshot)});
  }
  ExpositionWriter w;
  writeProcess(w, deps.version);
  writeProxy(w, services);
  writeServers(w, services);
  writeAdmin(w, deps.adminResponses);
  writeEvents(w, deps.events);
  return w.take();
}

void registerMetricsRoutes(AdminApi& api, MetricsDeps deps) {
  api.add("GET", "/metrics", std::nullopt, [deps](RequestContext&) -> core::Result<Reply> {
    return Reply{.rawBody = renderMetrics(deps),
                 .contentType = std::string(telemetry::kExpositionContentType)};
  });
}

}  // namespace ballast::api
