#pragma once
// One proxied service at run time: its spec, its pool of servers (a
// LoadBalancer), and per server the circuit breaker and outlier monitor, plus
// the service-wide limits, retry budget and counters.
//
// The data plane reads snapshot() — an immutable view published atomically on
// every change — so a request never takes a lock; the control plane (admin
// API, health checks) changes the service under its mutex.
//
// Thread-safety: every method may be called from any thread.

#include <ballast/load_balancer.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/service_spec.h"
#include "health/circuit_breaker.h"
#include "health/health_threshold.h"
#include "health/outlier_detector.h"
#include "health/resource_limits.h"
#include "health/retry_budget.h"
#include "lb/pool.h"
#include "proxy/events.h"
#include "proxy/server_registration.h"
#include "telemetry/latency_histogram.h"
#include "telemetry/status_classes.h"

namespace ballast::proxy {

class ServerEndpoints;  // proxy/server_endpoints.h

// What the data plane needs about one server besides its lb::ServerState.
struct ServerRuntime {
  std::shared_ptr<lb::ServerState> state;
  std::shared_ptr<health::CircuitBreaker> breaker;
  std::shared_ptr<health::OutlierMonitor> outlier;
  std::shared_ptr<ServerEndpoints> endpoints;  // its resolved addresses
};

struct ServiceSnapshot {
  std::shared_ptr<const core::ServiceSpec> spec;
  std::shared_ptr<const lb::Pool> pool;
  std::shared_ptr<health::RetryBudget> retryBudget;  // replaced when the spec changes
  std::unordered_map<const lb::ServerState*, std::shared_ptr<ServerRuntime>> runtimes;

  const ServerRuntime* runtime(const lb::ServerState* server) const {
    auto it = runtimes.find(server);
    return it == runtimes.end() ? nullptr : it->second.get();
  }
};

// Counters the stats endpoints read; relaxed atomics.
struct ServiceCounters {
  std::atomic<uint64_t> requests{0};           // requests routed to the service
  std::atomic<uint64_t> connections{0};        // upstream connections opened
  std::atomic<int64_t> activeRequests{0};
  std::atomic<uint64_t> errors{0};             // 5xx answered (by us or the upstream)
  std::atomic<uint64_t> responseMicros{0};     // sum over completed responses
  std::atomic<uint64_t> responses{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> noServer{0};           // 503: nothing eligible
  std::atomic<uint64_t> limited{0};            // 503: a service limit was exhausted
  std::atomic<uint64_t> circuitRejected{0};    // 503: every candidate's breaker was open
  // For /metrics, recorded lock-free like the rest:
  telemetry::StatusClassCounters statusClasses;  // every answer, the upstream's or our own
  telemetry::LatencyHistogram latency;           // to the upstream response head
};

class Service {
 public:
  Service(core::ServiceSpec spec, core::Clock& clock, core::Random& random, EventSink events);
  ~Service();

  const std::string& name() const { return name_; }
  std::shared_ptr<const ServiceSnapshot> snapshot() const { return snapshot_.load(); }
  std::shared_ptr<const core::ServiceSpec> spec() const { return snapshot()->spec; }

  // Replaces algorithm, routes, health check, limits...; keeps the servers.
  // REQUIRES: spec.name == name().
  core::Status updateSpec(core::ServiceSpec spec);

  core::Result<ServerInfo> addServer(const std::string& host, int port, int weight,
                                     std::optional<std::string> id = std::nullopt);
  bool removeServer(std::string_view id);
  LoadBalancer& balancer() { return balancer_; }
  const LoadBalancer& balancer() const { return balancer_; }

  // Control-thread duties.
  // Health-check verdicts go through the threshold machine; returns the new
  // health when it changed.
  std::optional<bool> recordHealthCheck(std::string_view serverId, bool passed);
  // Servers with their own check (service discovery, see ServerChecks): the
  // service-level health check skips them. A ttl check's verdicts come from
  // setCheckVerdict(), which applies at once (no thresholds) and emits an
  // event when the health changes; an http or tcp check is probed by the
  // ActiveHealthChecker with its own path, interval and timeout, and its
  // verdicts go through recordHealthCheck() and the service's thresholds.
  // setOwnCheck() starts the thresholds critical: a probed server needs
  // healthyThreshold passes before it takes traffic.
  void setOwnCheck(std::string_view serverId, const ServerCheckSpec& check);
  bool hasOwnCheck(std::string_view serverId) const;
  // Every server's own check, by server id (usually few).
  std::unordered_map<std::string, ServerCheckSpec> ownChecks() const;
  void setCheckVerdict(std::string_view serverId, bool passing);
  // Un-ejects servers whose ejection time is over and re-admits servers whose
  // breaker wait is over (so half-open trials can reach them).
  void sweep();

  health::ServiceResourceLimits& limits() { return *limits_; }
  ServiceCounters& counters() { return counters_; }
  const ServiceCounters& counters() const { return counters_; }
  health::OutlierDetector& outliers() { return outliers_; }

  // Restores what a previous process concluded about a server (see StateKeeper).
  // Servers with their own check are left alone (their check decides).
  void restoreHealth(std::string_view serverId, bool healthy);
  void restoreCircuitOpen(std::string_view serverId);

  // Reports an ejection decided by the data plane (marks the server, emits an event).
  void applyEjection(const health::Ejection& ejection);

 private:
  void publishLocked();  // REQUIRES: mu_ held
  std::shared_ptr<ServerRuntime> makeRuntime(const std::shared_ptr<lb::ServerState>& state);
  void emit(std::string type, std::string level, std::string message, std::string serverId = "");

  const std::string name_;
  core::Clock& clock_;
  core::Random& random_;
  EventSink events_;
  LoadBalancer balancer_;
  health::OutlierDetector outliers_;
  std::unique_ptr<health::ServiceResourceLimits> limits_;
  std::shared_ptr<health::RetryBudget> retryBudget_;  // guarded by mu_
  ServiceCounters counters_;

  mutable std::mutex mu_;
  std::shared_ptr<const core::ServiceSpec> spec_;                                   // guarded by mu_
  std::unordered_map<std::string, std::shared_ptr<ServerRuntime>> runtimes_;       // by id; guarded by mu_
  std::unordered_map<std::string, health::HealthThreshold> thresholds_;            // by id; guarded by mu_
  std::unordered_map<std::string, ServerCheckSpec> ownChecks_;                     // by id; guarded by mu_
  std::atomic<std::shared_ptr<const ServiceSnapshot>> snapshot_;
};

}  // namespace ballast::proxy
