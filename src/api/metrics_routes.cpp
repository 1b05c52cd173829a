#include "api/metrics_routes.h"

#include <fmt/format.h>

#include <memory>
#include <vector>

#include "core/clock.h"
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

// A family with one unlabelled sample.
template <typename Value>
void writeSingle(ExpositionWriter& w, std::string_view name, MetricType type, std::string_view help,
                 Value value) {
  w.family(name, type, help);
  w.sample(name, {}, value);
}

void writeProcess(ExpositionWriter& w, const std::string& version) {
  w.family("ballast_build_info", MetricType::kGauge, "Build information; the value is always 1.");
  w.sample("ballast_build_info", {{"version", version}}, uint64_t{1});
  const auto stats = telemetry::readProcessStats();
  if (!stats) return;
  writeSingle(w, "process_cpu_seconds_total", MetricType::kCounter,
              "User and system CPU time spent, in seconds.", stats->cpuSeconds);
  writeSingle(w, "process_resident_memory_bytes", MetricType::kGauge,
              "Resident memory size in bytes.", stats->residentBytes);
  writeSingle(w, "process_virtual_memory_bytes", MetricType::kGauge,
              "Virtual memory size in bytes.", stats->virtualBytes);
  writeSingle(w, "process_open_fds", MetricType::kGauge, "Open file descriptors.", stats->openFds);
  writeSingle(w, "process_max_fds", MetricType::kGauge, "Maximum number of open file descriptors.",
              stats->maxFds);
  writeSingle(w, "process_start_time_seconds", MetricType::kGauge,
              "Start time of the process since the Unix epoch in seconds.",
              stats->startTimeSeconds);
}

// A family with one sample per service: value(counters).
template <typename Value>
void writePerService(ExpositionWriter& w, const std::vector<ServiceView>& services,
                     std::string_view name, MetricType type, std::string_view help, Value value) {
  w.family(name, type, help);
  for (const auto& view : services) {
    w.sample(name, {{"service", view.service->name()}}, value(view.service->counters()));
  }
}

void writeProxy(ExpositionWriter& w, const std::vector<ServiceView>& services) {
  using Counters = const proxy::ServiceCounters&;
  w.family("ballast_proxy_requests_total", MetricType::kCounter,
           "Proxied requests answered, by service and status class (the upstream's answers and "
           "ballast's own).");
  for (const auto& view : services) {
    const auto& classes = view.service->counters().statusClasses;
    for (size_t i = 0; i < telemetry::StatusClassCounters::kClasses; ++i) {
      w.sample("ballast_proxy_requests_total",
               {{"service", view.service->name()}, {"code", classes.label(i)}}, classes.count(i));
    }
  }
  writePerService(w, services, "ballast_proxy_active_requests", MetricType::kGauge,
                  "Proxied requests in flight.",
                  [](Counters c) { return c.activeRequests.load(std::memory_order_relaxed); });
  writePerService(w, services, "ballast_proxy_upstream_connections_total", MetricType::kCounter,
                  "Upstream connections opened.", [](Counters c) { return load(c.connections); });
  writePerService(w, services, "ballast_proxy_retries_total", MetricType::kCounter,
                  "Requests retried on another server.",
                  [](Counters c) { return load(c.retries); });
  w.family("ballast_proxy_rejected_total", MetricType::kCounter,
           "Requests answered 503 without reaching a server, by reason.");
  for (const auto& view : services) {
    const auto& c = view.service->counters();
    const std::string& name = view.service->name();
    w.sample("ballast_proxy_rejected_total", {{"service", name}, {"reason", "no_server"}},
             load(c.noServer));
    w.sample("ballast_proxy_rejected_total", {{"service", name}, {"reason", "limited"}},
             load(c.limited));
    w.sample("ballast_proxy_rejected_total", {{"service", name}, {"reason", "circuit_open"}},
             load(c.circuitRejected));
  }
  w.family("ballast_proxy_request_duration_seconds", MetricType::kHistogram,
           "Time from routing a request to the upstream's response head, in seconds.");
  for (const auto& view : services) {
    w.histogram("ballast_proxy_request_duration_seconds", {{"service", view.service->name()}},
                view.service->counters().latency.snapshot());
  }
}

// A gauge family with one sample per server of every service: value(server,
// runtime), skipped when it gives nullopt.
template <typename Value>
void writePerServer(ExpositionWriter& w, const std::vector<ServiceView>& services,
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

// Response-time quantiles per server (and per admin route below): summaries,
// the quantiles over the last minute, so they move when latency changes.
void writeServerLatency(ExpositionWriter& w, const std::vector<ServiceView>& services,
                        core::MonoTime now) {
  constexpr std::string_view kName = "ballast_upstream_server_request_duration_seconds";
  w.family(
      kName, MetricType::kSummary,
      "Server response time to the response head, in seconds: quantiles over the last minute.");
  for (const auto& [service, snapshot] : services) {
    for (const auto& server : snapshot->pool->servers()) {
      const std::string address = fmt::format("{}:{}", server->host(), server->port());
      w.summary(kName,
                {{"service", service->name()}, {"server", server->id()}, {"address", address}},
                server->responseTimes(), now);
    }
  }
}

void writeAdminLatency(ExpositionWriter& w, const std::vector<RouteTiming>& routes,
                       core::MonoTime now) {
  constexpr std::string_view kName = "ballast_admin_request_duration_seconds";
  w.family(kName, MetricType::kSummary,
           "Admin API response time by route pattern, in seconds: quantiles over the last minute.");
  for (const auto& route : routes) {
    w.summary(kName, {{"method", route.method}, {"route", route.pattern}}, *route.latency, now);
  }
}

void writeServers(ExpositionWriter& w, const std::vector<ServiceView>& services) {
  using Server = const lb::ServerState&;
  using Runtime = const proxy::ServerRuntime*;
  auto flag = [](bool on) { return std::optional<int64_t>(on ? 1 : 0); };
  writePerServer(w, services, "ballast_upstream_server_healthy",
                 "1 when the server passes its health checks.",
                 [&](Server s, Runtime) { return flag(s.isHealthy()); });
  writePerServer(w, services, "ballast_upstream_server_ejected",
                 "1 while outlier detection has ejected the server.",
                 [&](Server s, Runtime) { return flag(s.isEjected()); });
  writePerServer(w, services, "ballast_upstream_server_maintenance",
                 "1 while the server is in maintenance.",
                 [&](Server s, Runtime) { return flag(s.inMaintenance()); });
  writePerServer(w, services, "ballast_upstream_server_circuit_state",
                 "The server's circuit breaker: 0 closed, 1 open, 2 half-open.",
                 [](Server, Runtime r) -> std::optional<int64_t> {
                   if (r == nullptr) return std::nullopt;
                   return circuitStateValue(r->breaker->state());
                 });
  writePerServer(w, services, "ballast_upstream_server_active_connections",
                 "Requests in flight to the server.",
                 [](Server s, Runtime) { return std::optional<int64_t>(s.activeConnections()); });
  writePerServer(w, services, "ballast_upstream_server_latency_ewma_seconds",
                 "Exponentially weighted moving average of the server's response time, in seconds.",
                 [](Server s, Runtime) -> std::optional<double> {
                   const auto micros = s.ewmaLatencyMicros();
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

void writeRateLimited(ExpositionWriter& w, const security::RateLimitCounters& counters) {
  w.family("ballast_rate_limited_total", MetricType::kCounter,
           "Requests refused with 429 by a rate limit, by class of route.");
  for (auto c : {security::RateClass::kAdminRead, security::RateClass::kAdminWrite,
                 security::RateClass::kProxy}) {
    w.sample("ballast_rate_limited_total", {{"class", security::RateLimitCounters::label(c)}},
             counters.count(c));
  }
}

void writeConnections(ExpositionWriter& w, const std::vector<ListenerConnections>& listeners) {
  w.family("ballast_connections_open", MetricType::kGauge, "Client connections open, by listener.");
  for (const auto& l : listeners) {
    if (l.limiter)
      w.sample("ballast_connections_open", {{"listener", l.listener}}, l.limiter->open());
  }
  w.family("ballast_connections_refused_total", MetricType::kCounter,
           "Client connections closed at accept by server.limits.maxConnections (listener_full) or "
           "maxConnectionsPerClient (client_full).");
  for (const auto& l : listeners) {
    if (!l.limiter) continue;
    w.sample("ballast_connections_refused_total",
             {{"listener", l.listener}, {"reason", "listener_full"}},
             l.limiter->refusedListenerFull());
    w.sample("ballast_connections_refused_total",
             {{"listener", l.listener}, {"reason", "client_full"}}, l.limiter->refusedClientFull());
  }
}

void writeEvents(ExpositionWriter& w, const telemetry::EventCounter& events) {
  w.family("ballast_events_total", MetricType::kCounter,
           "Infrastructure events, by type and level.");
  for (const auto& count : events.snapshot()) {
    w.sample("ballast_events_total", {{"type", count.type}, {"level", count.level}}, count.total);
  }
}

void writeScaling(ExpositionWriter& w, const scaling::ScalingController& controller) {
  const auto counts = controller.counts();
  w.family("ballast_scaling_events_total", MetricType::kCounter,
           "Changes of a service's instance count made by the scaling controller, by direction.");
  for (const auto& c : counts) {
    w.sample("ballast_scaling_events_total", {{"service", c.service}, {"direction", "up"}},
             c.scaleUps);
    w.sample("ballast_scaling_events_total", {{"service", c.service}, {"direction", "down"}},
             c.scaleDowns);
  }
  w.family("ballast_service_instances", MetricType::kGauge,
           "Instances of a scaled service by state; desired is the count the controller is making "
           "true.");
  for (const auto& c : counts) {
    const std::pair<const char*, int> states[] = {{"starting", c.starting},
                                                  {"ready", c.ready},
                                                  {"draining", c.draining},
                                                  {"stopping", c.stopping},
                                                  {"desired", c.desired}};
    for (const auto& [state, value] : states) {
      w.sample("ballast_service_instances", {{"service", c.service}, {"state", state}},
               static_cast<int64_t>(value));
    }
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
  const core::MonoTime now = core::SystemClock::instance().now();  // the recorders' clock
  writeServers(w, services);
  writeServerLatency(w, services, now);
  writeAdmin(w, deps.adminResponses);
  if (deps.adminRoutes != nullptr) writeAdminLatency(w, *deps.adminRoutes, now);
  writeEvents(w, deps.events);
  if (deps.rateLimited != nullptr) writeRateLimited(w, *deps.rateLimited);
  if (!deps.listeners.empty()) writeConnections(w, deps.listeners);
  if (deps.scaling != nullptr) writeScaling(w, *deps.scaling);
  return w.take();
}

void registerMetricsRoutes(AdminApi& api, MetricsDeps deps) {
  api.add("GET", "/metrics", std::nullopt, [deps](RequestContext&) -> core::Result<Reply> {
    return Reply{.rawBody = renderMetrics(deps),
                 .contentType = std::string(telemetry::kExpositionContentType)};
  });
}

}  // namespace ballast::api
