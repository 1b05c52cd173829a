#include "proxy/service.h"

#include "proxy/server_endpoints.h"

#include <fmt/format.h>

namespace ballast::proxy {

namespace {

health::ResourceLimitsConfig limitsOf(const core::ServiceSpec& spec) {
  return {static_cast<uint64_t>(spec.limits.maxConnections),
          static_cast<uint64_t>(spec.limits.maxPendingRequests),
          static_cast<uint64_t>(spec.limits.maxRequests), static_cast<uint64_t>(spec.limits.maxRetries)};
}

health::HealthThresholdConfig thresholdOf(const core::ServiceSpec& spec) {
  return {spec.healthCheck.healthyThreshold, spec.healthCheck.unhealthyThreshold,
          health::HealthStatus::kHealthy};
}

}  // namespace

Service::Service(core::ServiceSpec spec, core::Clock& clock, core::Random& random, EventSink events)
    : name_(spec.name),
      clock_(clock),
      random_(random),
      events_(std::move(events)),
      balancer_(LoadBalancer::Options{spec.algorithm, std::chrono::milliseconds(spec.slowStart)}, clock, random),
      outliers_(clock),
      limits_(std::make_unique<health::ServiceResourceLimits>(limitsOf(spec))),
      retryBudget_(std::make_shared<health::RetryBudget>(
          health::RetryBudgetConfig{static_cast<double>(spec.limits.retryBudgetPercent), 3})),
      spec_(std::make_shared<const core::ServiceSpec>(std::move(spec))) {
  std::lock_guard lock(mu_);
  publishLocked();
}

Service::~Service() = default;

void Service::publishLocked() {
  auto next = std::make_shared<ServiceSnapshot>();
  next->spec = spec_;
  next->pool = balancer_.pool();
  next->retryBudget = retryBudget_;
  for (const auto& [id, runtime] : runtimes_) next->runtimes.emplace(runtime->state.get(), runtime);
  snapshot_.store(std::move(next));
}

void Service::emit(std::string type, std::string level, std::string message, std::string serverId) {
  if (events_) events_(Event{std::move(type), name_, std::move(message), std::move(level), std::move(serverId)});
}

std::shared_ptr<ServerRuntime> Service::makeRuntime(const std::shared_ptr<lb::ServerState>& state) {
  auto runtime = std::make_shared<ServerRuntime>();
  runtime->state = state;
  runtime->endpoints = std::make_shared<ServerEndpoints>(state->host(), state->port());
  std::weak_ptr<lb::ServerState> weak = state;
  const std::string id = state->id();
  runtime->breaker = std::make_shared<health::CircuitBreaker>(
      clock_, health::CircuitBreakerConfig{},
      [this, weak, id](health::CircuitState from, health::CircuitState to) {
        if (auto server = weak.lock()) server->setCircuitOpen(to == health::CircuitState::kOpen);
        emit("circuit", to == health::CircuitState::kOpen ? "warning" : "info",
             fmt::format("Circuit breaker of server {} changed from {} to {}", id,
                         health::toString(from), health::toString(to)),
             id);
      });
  runtime->outlier = outliers_.addServer(id);
  return runtime;
}

core::Status Service::updateSpec(core::ServiceSpec spec) {
  if (auto s = balancer_.setAlgorithm(spec.algorithm); !s) return s;
  std::lock_guard lock(mu_);
  limits_->connections.setMax(static_cast<uint64_t>(spec.limits.maxConnections));
  limits_->pendingRequests.setMax(static_cast<uint64_t>(spec.limits.maxPendingRequests));
  limits_->requests.setMax(static_cast<uint64_t>(spec.limits.maxRequests));
  limits_->retries.setMax(static_cast<uint64_t>(spec.limits.maxRetries));
  if (spec.limits.retryBudgetPercent != spec_->limits.retryBudgetPercent) {
    retryBudget_ = std::make_shared<health::RetryBudget>(
        health::RetryBudgetConfig{static_cast<double>(spec.limits.retryBudgetPercent), 3});
  }
  const bool thresholdsChanged =
      spec.healthCheck.healthyThreshold != spec_->healthCheck.healthyThreshold ||
      spec.healthCheck.unhealthyThreshold != spec_->healthCheck.unhealthyThreshold;
  for (const auto& [id, runtime] : runtimes_) {
    runtime->state->setSlowStartWindow(core::Millis(spec.slowStart));
  }
  if (thresholdsChanged) {
    // Keep each server's current health; new thresholds apply from the next check.
    for (auto& [id, threshold] : thresholds_) {
      auto replacement = health::HealthThresholdConfig(thresholdOf(spec));
      replacement.initial = threshold.status();
      threshold = health::HealthThreshold(replacement);
    }
  }
  spec_ = std::make_shared<const core::ServiceSpec>(std::move(spec));
  publishLocked();
  return {};
}

core::Result<ServerInfo> Service::addServer(const std::string& host, int port, int weight,
                                            std::optional<std::string> id) {
  std::lock_guard lock(mu_);
  auto added = balancer_.addServer(host, port, weight, std::move(id));
  if (!added) return added;
  auto state = balancer_.state(added->id);
  if (spec_->slowStart > 0) state->setSlowStartWindow(core::Millis(spec_->slowStart));
  runtimes_[added->id] = makeRuntime(state);
  thresholds_.emplace(added->id, health::HealthThreshold(thresholdOf(*spec_)));
  publishLocked();
  emit("server", "info", fmt::format("Server {} ({}:{}) added to {}", added->id, host, port, name_), added->id);
  return added;
}

bool Service::removeServer(std::string_view id) {
  std::lock_guard lock(mu_);
  auto info = balancer_.server(id);
  if (!balancer_.removeServer(id)) return false;
  runtimes_.erase(std::string(id));
  thresholds_.erase(std::string(id));
  ownChecks_.erase(std::string(id));
  outliers_.removeServer(id);
  publishLocked();
  emit("server", "info", fmt::format("Server {} ({}:{}) removed from {}", id, info->host, info->port, name_),
       std::string(id));
  return true;
}

std::optional<bool> Service::recordHealthCheck(std::string_view serverId, bool passed) {
  std::shared_ptr<lb::ServerState> state;
  std::optional<health::HealthTransition> transition;
  {
    std::lock_guard lock(mu_);
    auto it = thresholds_.find(std::string(serverId));
    if (it == thresholds_.end()) return std::nullopt;
    transition = it->second.record(passed);
    if (!transition) return std::nullopt;
    state = runtimes_.at(std::string(serverId))->state;
  }
  const bool healthy = transition->to == health::HealthStatus::kHealthy;
  state->setHealthy(healthy, clock_.now());
  if (healthy) outliers_.onActiveCheckPassed(serverId);
  emit("health", healthy ? "info" : "error",
       fmt::format("Server {} ({}:{}) of {} changed from {} to {}", serverId, state->host(), state->port(),
                   name_, health::toString(transition->from), health::toString(transition->to)),
       std::string(serverId));
  return healthy;
}

void Service::setOwnCheck(std::string_view serverId, const ServerCheckSpec& check) {
  std::lock_guard lock(mu_);
  const std::string id(serverId);
  ownChecks_.insert_or_assign(id, check);
  if (auto threshold = thresholds_.find(id); threshold != thresholds_.end()) {
    auto config = thresholdOf(*spec_);
    config.initial = health::HealthStatus::kUnhealthy;
    threshold->second = health::HealthThreshold(config);
  }
}

std::unordered_map<std::string, ServerCheckSpec> Service::ownChecks() const {
  std::lock_guard lock(mu_);
  return ownChecks_;
}

bool Service::hasOwnCheck(std::string_view serverId) const {
  std::lock_guard lock(mu_);
  return ownChecks_.contains(std::string(serverId));
}

void Service::setCheckVerdict(std::string_view serverId, bool passing) {
  auto state = balancer_.state(serverId);
  if (!state || state->isHealthy() == passing) return;
  state->setHealthy(passing, clock_.now());
  if (passing) outliers_.onActiveCheckPassed(serverId);
  emit("health", passing ? "info" : "error",
       fmt::format("Server {} ({}:{}) of {} is now {} (its own check is {})", serverId, state->host(),
                   state->port(), name_, passing ? "healthy" : "unhealthy", passing ? "passing" : "critical"),
       std::string(serverId));
}

void Service::restoreHealth(std::string_view serverId, bool healthy) {
  std::shared_ptr<lb::ServerState> state;
  {
    std::lock_guard lock(mu_);
    auto threshold = thresholds_.find(std::string(serverId));
    // A server with its own check starts from that check's verdict instead.
    if (threshold == thresholds_.end() || ownChecks_.contains(std::string(serverId))) return;
    auto config = thresholdOf(*spec_);
    config.initial = healthy ? health::HealthStatus::kHealthy : health::HealthStatus::kUnhealthy;
    threshold->second = health::HealthThreshold(config);
    state = runtimes_.at(std::string(serverId))->state;
  }
  state->setHealthy(healthy, clock_.now());
}

void Service::restoreCircuitOpen(std::string_view serverId) {
  std::shared_ptr<ServerRuntime> runtime;
  {
    std::lock_guard lock(mu_);
    auto it = runtimes_.find(std::string(serverId));
    if (it == runtimes_.end()) return;
    runtime = it->second;
  }
  runtime->breaker->forceOpen();  // its transition callback marks the server
}

void Service::applyEjection(const health::Ejection& ejection) {
  auto snap = snapshot();
  if (auto* server = snap->pool->find(ejection.serverId)) server->setEjected(true);
  emit("outlier", "warning",
       fmt::format("Server {} of {} ejected for {} ms (ejection #{} in a row)", ejection.serverId, name_,
                   ejection.duration.count(), ejection.ejectionCount),
       ejection.serverId);
}

void Service::sweep() {
  auto snap = snapshot();
  for (const auto& id : outliers_.sweep()) {
    if (auto* server = snap->pool->find(id)) server->setEjected(false);
    emit("outlier", "info", fmt::format("Server {} of {} returned from ejection", id, name_), id);
  }
  for (const auto& [server, runtime] : snap->runtimes) {
    // An open breaker keeps its server out of the pool until tryAcquire()
    // moves it to half-open (its transition callback clears the flag); then
    // trial requests can reach it.
    if (server->isCircuitOpen() && runtime->breaker->tryAcquire()) runtime->breaker->releasePermission();
  }
}

}  // namespace ballast::proxy
