#include "scaling/control/controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <thread>

#include "core/time_format.h"
#include "scaling/control/service_extensions.h"
#include "scaling/control/vertical_support.h"
#include "scaling/providers/process_provider.h"
#include "scaling/providers/provider_spec.h"

namespace ballast::scaling {

namespace {

constexpr core::Millis kStartRetryDelay{5000};  // after a provider refused to start an instance
constexpr size_t kMaxMetricName = 64;

int64_t millisBetween(core::MonoTime from, core::MonoTime to) {
  return std::chrono::duration_cast<core::Millis>(to - from).count();
}

uint64_t readMemTotal() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemTotal:") return kb * 1024;
  }
  return 0;
}

bool isMetricName(std::string_view name) {
  if (name.empty() || name.size() > kMaxMetricName) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || c == ':';
  });
}

core::Error notFound(const std::string& service) {
  return core::Error{core::ErrorCode::kNotFound, fmt::format("Service {} not found", service), {}};
}

}  // namespace

// ---- per-service state ------------------------------------------------------

struct ScalingController::Managed {
  enum class Phase { kStarting, kReady, kRetiring, kStopping };
  Instance instance;
  Phase phase = Phase::kStarting;
  core::MonoTime launchedAt{};
  bool adopted = false;
  std::string serverId;               // once in the pool
  std::function<void()> cancelProbe;  // while a probe is out
  core::MonoTime nextProbe{};
  std::string lastProbeFailure;
  std::optional<core::MonoTime> leftPoolAt;
};

namespace {
std::string_view phaseName(int phase) {
  static constexpr std::string_view kNames[] = {"starting", "ready", "draining", "stopping"};
  return kNames[phase];
}
}  // namespace

struct ScalingController::ServiceState {
  std::string name;
  core::Json providerJson;  // as the spec has it, to notice changes
  ProviderSettings settings;
  std::unique_ptr<InstanceProvider> provider;  // null: static, or it could not be made
  std::string providerError;
  core::Millis startupTimeout{0};
  core::Json specScaling;                 // as the spec has it
  std::string policySource = "defaults";  // "api" | "service" | "defaults"
  std::unique_ptr<Autoscaler> autoscaler;
  std::unique_ptr<VerticalRecommender> vertical;
  std::map<std::string, Managed> instances;  // by instance id
  int target = 0;                            // the count being made true
  std::string changeTrigger = "minimum";     // why the target last changed
  std::string changeReason;
  core::MonoTime nextStartAttempt{};
  core::MonoTime nextEvaluation{};
  std::deque<double> startupMillis;
  ServiceMeter meter;
  std::map<std::string, double> measured;  // this evaluation's metrics, for status
  uint64_t scaleUps = 0;
  uint64_t scaleDowns = 0;

  int count(Managed::Phase phase) const {
    return static_cast<int>(
        std::count_if(instances.begin(), instances.end(),
                      [phase](const auto& kv) { return kv.second.phase == phase; }));
  }
  int live() const { return count(Managed::Phase::kStarting) + count(Managed::Phase::kReady); }
  std::optional<double> startupAverage() const {
    if (startupMillis.empty()) return std::nullopt;
    return std::accumulate(startupMillis.begin(), startupMillis.end(), 0.0) /
           static_cast<double>(startupMillis.size());
  }
};

// ---- construction -----------------------------------------------------------

ScalingController::ScalingController(ControllerDeps deps, ControllerOptions options)
    : deps_(std::move(deps)), options_(options) {
  memoryTotal_ = options_.memoryTotalBytes != 0 ? options_.memoryTotalBytes : readMemTotal();
  if (auto policies = deps_.repo.listPolicies()) {
    for (auto& p : *policies) storedPolicies_[p.service] = std::move(p);
  }
  if (auto overrides = deps_.repo.listOverrides()) {
    for (auto& o : *overrides) storedOverrides_[o.service] = std::move(o);
  }
}

ScalingController::~ScalingController() {
  std::lock_guard lock(mu_);
  for (auto& [name, state] : services_) {
    for (auto& [id, m] : state->instances) {
      if (m.cancelProbe) m.cancelProbe();
    }
  }
}

// ---- the control loop ---------------------------------------------------------

void ScalingController::tick() {
  if (frozen_.load()) return;
  {
    std::lock_guard lock(mu_);
    const auto now = deps_.clock.now();
    auto services = deps_.catalog.registry().list();
    for (auto it = services_.begin(); it != services_.end();) {
      const bool exists = std::any_of(services.begin(), services.end(),
                                      [&](const auto& s) { return s->name() == it->first; });
      if (exists) {
        ++it;
        continue;
      }
      forgetService(*it->second);
      it = services_.erase(it);
    }
    for (auto& provider : retiredProviders_) (void)provider->reap();
    std::erase_if(retiredProviders_, [](const auto& p) { return p->instances().empty(); });

    for (auto& service : services) {
      ServiceState* state = stateFor(*service);
      if (state == nullptr || !state->provider) continue;
      lifecycle(*state, *service);
      if (now >= state->nextEvaluation) {
        state->nextEvaluation = now + options_.evaluationInterval;
        evaluate(*state, *service);
      }
    }
  }
  notifyListeners();
}

ScalingController::ServiceState* ScalingController::stateFor(proxy::Service& service) {
  const auto spec = service.spec();
  auto it = services_.find(service.name());
  if (it == services_.end()) {
    auto state = std::make_unique<ServiceState>(makeState(service));
    it = services_.emplace(service.name(), std::move(state)).first;
    if (it->second->provider) adopt(*it->second, service);
    return it->second.get();
  }
  ServiceState& state = *it->second;
  if (spec->provider != state.providerJson && !state.provider && state.instances.empty()) {
    // Nothing ran under the old provider (static, or one that could not be made): start afresh.
    it->second = std::make_unique<ServiceState>(makeState(service));
    if (it->second->provider) adopt(*it->second, service);
    return it->second.get();
  }
  if (spec->provider != state.providerJson) {
    state.providerJson = spec->provider;
    note(state.name, "warning",
         fmt::format(
             "The provider of {} changed; the new provider takes effect when ballast restarts "
             "(the running instances are kept until then)",
             state.name));
  }
  if (spec->scaling != state.specScaling) {
    state.specScaling = spec->scaling;
    refreshPolicy(state, service);
  }
  return &state;
}

ScalingController::ServiceState ScalingController::makeState(const proxy::Service& service) {
  const auto spec = service.spec();
  ServiceState state;
  state.name = service.name();
  state.providerJson = spec->provider;
  state.settings = providerSettings(spec->provider);
  state.specScaling = spec->scaling;
  state.vertical = std::make_unique<VerticalRecommender>(deps_.clock);
  state.startupTimeout = options_.startupTimeout;
  refreshPolicy(state, service);
  if (!state.settings.managed()) return state;

  if (auto parsed = parseProviderSpec(state.settings.provider, "provider");
      parsed && parsed->type == ProviderType::kProcess) {
    // The provider gives the port its startupTimeout; the health check gets a little more.
    state.startupTimeout = core::Millis{parsed->process.startupTimeout} + options_.probeTimeout;
  }
  auto provider = deps_.makeProvider(state.name, state.settings.provider);
  if (!provider) {
    state.providerError = provider.error().message;
    note(state.name, "error",
         fmt::format("Service {}: its {} provider cannot be used: {}", state.name,
                     state.settings.type, state.providerError));
    return state;
  }
  state.provider = std::move(*provider);
  return state;
}

void ScalingController::refreshPolicy(ServiceState& state, const proxy::Service&) {
  ScalingPolicy policy = deps_.defaults;
  state.policySource = "defaults";
  auto stored = storedPolicies_.find(state.name);
  if (stored != storedPolicies_.end()) {
    if (auto parsed = parseScalingPolicy(
            core::Json::parse(stored->second.policyJson, nullptr, false), deps_.defaults, "");
        parsed) {
      policy = *parsed;
      state.policySource = "api";
    }
  } else if (!state.specScaling.is_null()) {
    if (auto parsed = parseScalingPolicy(state.specScaling, deps_.defaults, "scaling"); parsed) {
      policy = *parsed;
      state.policySource = "service";
    }
  }
  if (state.autoscaler) {
    state.autoscaler->setPolicy(policy);
  } else {
    state.autoscaler = std::make_unique<Autoscaler>(deps_.clock, policy);
  }
}

// Takes over what the provider already runs (a previous worker's instances):
// those whose address is in the pool are ready; the others are probed like new
// ones. Pool servers no instance listens at are left over from instances gone
// meanwhile: they leave the pool.
void ScalingController::adopt(ServiceState& state, proxy::Service& service) {
  const auto now = deps_.clock.now();
  auto pool = service.balancer().servers();
  for (const auto& instance : state.provider->instances()) {
    Managed m{.instance = instance, .launchedAt = now, .adopted = true, .nextProbe = now};
    auto server = std::find_if(pool.begin(), pool.end(), [&](const ServerInfo& s) {
      return !s.draining && s.host == instance.host && s.port == instance.port;
    });
    if (server != pool.end() && instance.state == InstanceState::kRunning) {
      m.phase = Managed::Phase::kReady;
      m.serverId = server->id;
    } else if (instance.state == InstanceState::kStopping) {
      m.phase = Managed::Phase::kStopping;
    }
    state.instances.emplace(instance.id, std::move(m));
  }
  for (const auto& server : pool) {
    const bool ours =
        std::any_of(state.instances.begin(), state.instances.end(), [&](const auto& kv) {
          return kv.second.instance.host == server.host && kv.second.instance.port == server.port;
        });
    if (ours || server.draining) continue;
    if (deps_.catalog.removeServer(server.id, state.name)) {
      note(
          state.name, "warning",
          fmt::format(
              "Server {} ({}:{}) of {} left the pool: no instance of its {} provider listens there",
              server.id, server.host, server.port, state.name, state.settings.type),
          server.id);
    }
  }
  const auto& policy = state.autoscaler->policy();
  // A held override survives restarts; one that ran out meanwhile is dropped.
  if (auto stored = storedOverrides_.find(state.name); stored != storedOverrides_.end()) {
    const auto& o = stored->second;
    std::optional<core::MonoTime> until;
    bool expired = false;
    if (o.until) {
      auto wall = core::parseIsoUtc(*o.until);
      const auto left =
          wall ? *wall - deps_.clock.wallNow() : std::chrono::system_clock::duration::zero();
      expired = left <= std::chrono::system_clock::duration::zero();
      until = now + std::chrono::duration_cast<core::Millis>(left);
    }
    if (expired || !state.autoscaler->setOverride({o.instances, until, o.forced, o.reason})) {
      (void)deps_.repo.deleteOverride(state.name);
      storedOverrides_.erase(stored);
    }
  }
  const int live = state.live();
  if (const auto& o = state.autoscaler->activeOverride()) {
    state.target = o->instances;
    state.changeTrigger = std::string(metric::kManual);
    state.changeReason = fmt::format("manual override holds {} instances", o->instances);
  } else {
    state.target = std::clamp(live, policy.minInstances, policy.maxInstances);
    state.changeTrigger = state.target > live ? "minimum" : "maximum";
    state.changeReason =
        state.target > live ? fmt::format("keeping at least minInstances ({})", policy.minInstances)
                            : fmt::format("keeping at most maxInstances ({})", policy.maxInstances);
  }
  if (!state.instances.empty()) {
    note(state.name, "info",
         fmt::format(
             "Service {}: took over {} running instance(s) of its {} provider ({} already serving)",
             state.name, state.instances.size(), state.settings.type,
             state.count(Managed::Phase::kReady)));
  }
}

void ScalingController::lifecycle(ServiceState& state, proxy::Service& service) {
  const auto now = deps_.clock.now();
  std::vector<std::string> lost;  // instances that ended without being asked to

  for (const auto& exit : state.provider->reap()) {
    auto it = state.instances.find(exit.instance.id);
    if (it == state.instances.end()) continue;
    Managed& m = it->second;
    if (m.cancelProbe) m.cancelProbe();
    const bool asked = m.phase == Managed::Phase::kStopping || m.phase == Managed::Phase::kRetiring;
    if (!m.serverId.empty() && !asked) (void)deps_.catalog.removeServer(m.serverId, state.name);
    if (asked) {
      note(state.name, "info",
           fmt::format("Instance {} of {} stopped ({})", m.instance.id, state.name,
                       exit.description));
    } else {
      note(state.name, "warning",
           fmt::format(
               "Instance {} of {} {}: {}", m.instance.id, state.name,
               m.phase == Managed::Phase::kReady ? "crashed and left the pool" : "failed to start",
               exit.description),
           m.serverId);
      lost.push_back(fmt::format("instance {} {}", m.instance.id, exit.description));
    }
    state.instances.erase(it);
  }

  for (auto& [id, m] : state.instances) {
    if (m.phase == Managed::Phase::kStarting) {
      if (!m.adopted && now - m.launchedAt > state.startupTimeout) {
        if (m.cancelProbe) m.cancelProbe();
        m.cancelProbe = nullptr;
        (void)state.provider->stop(id);
        m.phase = Managed::Phase::kStopping;
        const std::string why = fmt::format(
            "did not pass its health check within {} ms{}", state.startupTimeout.count(),
            m.lastProbeFailure.empty() ? "" : " (" + m.lastProbeFailure + ")");
        note(state.name, "error",
             fmt::format("Instance {} of {} {}; stopping it", id, state.name, why));
        lost.push_back(fmt::format("instance {} {}", id, why));
      } else if (!m.cancelProbe && now >= m.nextProbe) {
        probe(state, m, service);
      }
    } else if (m.phase == Managed::Phase::kRetiring) {
      if (service.balancer().state(m.serverId)) continue;  // still finishing requests
      if (!m.leftPoolAt) m.leftPoolAt = now;
      if (now - *m.leftPoolAt < options_.settleDelay) continue;
      if (auto s = state.provider->stop(id); !s) {
        note(state.name, "error",
             fmt::format("Instance {} of {} could not be stopped: {}", id, state.name,
                         s.error().message));
      }
      m.phase = Managed::Phase::kStopping;
    }
  }

  if (!lost.empty() && state.live() < state.target) {
    state.changeTrigger = "crash";
    state.changeReason = fmt::format("{}; replaced", fmt::join(lost, "; "));
  }
  converge(state, state.changeTrigger, state.changeReason);
}

void ScalingController::probe(ServiceState& state, Managed& m, const proxy::Service& service) {
  const auto spec = service.spec();
  proxy::ProbeRequest request{
      .host = m.instance.host,
      .port = static_cast<uint16_t>(m.instance.port),
      .path = spec->healthCheck.path,
      .timeout = std::min(options_.probeTimeout, core::Millis{spec->healthCheck.timeout}),
      .expectedStatuses = spec->expectedStatuses};
  m.nextProbe = deps_.clock.now() + options_.probeInterval;
  if (m.instance.port <= 0) return;  // the provider does not know the address yet
  m.cancelProbe = deps_.probe(
      request, [this, service = state.name, id = m.instance.id](bool passed, std::string reason) {
        onProbe(service, id, passed, reason);
      });
}

void ScalingController::onProbe(const std::string& serviceName, const std::string& instanceId,
                                bool passed, const std::string& reason) {
  std::lock_guard lock(mu_);
  auto s = services_.find(serviceName);
  if (s == services_.end()) return;
  ServiceState& state = *s->second;
  auto it = state.instances.find(instanceId);
  if (it == state.instances.end() || it->second.phase != Managed::Phase::kStarting) return;
  Managed& m = it->second;
  m.cancelProbe = nullptr;
  const auto now = deps_.clock.now();
  if (!passed) {
    m.lastProbeFailure = reason;
    return;
  }
  auto added = deps_.catalog.addServer(state.name, m.instance.host, m.instance.port, 1);
  std::string serverId;
  if (added) {
    serverId = added->id;
  } else if (auto service = deps_.catalog.registry().find(state.name)) {
    // Already there (a leftover at this address): take it over.
    if (auto existing = service->balancer().findByAddress(m.instance.host, m.instance.port);
        existing && !existing->draining) {
      serverId = existing->id;
    }
  }
  if (serverId.empty()) {
    m.lastProbeFailure = added ? "" : added.error().message;
    m.nextProbe = now + options_.probeInterval;
    note(state.name, "error",
         fmt::format("Instance {} of {} is healthy but cannot join the pool: {}", instanceId,
                     state.name, m.lastProbeFailure));
    return;
  }
  m.serverId = serverId;
  m.phase = Managed::Phase::kReady;
  std::string took;
  if (!m.adopted) {
    const auto startup = static_cast<double>(millisBetween(m.launchedAt, now));
    state.startupMillis.push_back(startup);
    while (state.startupMillis.size() > options_.startupSamples) state.startupMillis.pop_front();
    took = fmt::format(" {} ms after its start", startup);
  }
  note(state.name, "info",
       fmt::format(
           "Instance {} of {} ({}:{}) passed its health check{} and joined the pool as server {}",
           instanceId, state.name, m.instance.host, m.instance.port, took, serverId),
       serverId);
}

// ---- decisions ----------------------------------------------------------------

void ScalingController::evaluate(ServiceState& state, proxy::Service& service) {
  const auto now = deps_.clock.now();
  EvaluationInputs inputs;
  inputs.currentInstances = state.live();
  inputs.readyInstances = state.count(Managed::Phase::kReady);
  const int ready = inputs.readyInstances;
  state.measured.clear();

  double cpu = 0;
  double memory = 0;
  int reporting = 0;
  int64_t inFlight = 0;
  for (auto& [id, m] : state.instances) {
    if (m.phase != Managed::Phase::kReady) continue;
    if (auto server = service.balancer().state(m.serverId)) inFlight += server->activeConnections();
    auto usage = state.provider->usage(id);
    if (!usage) continue;
    cpu += usage->cpuPercent;
    memory += memoryTotal_ > 0 ? 100.0 * static_cast<double>(usage->residentBytes) /
                                     static_cast<double>(memoryTotal_)
                               : 0.0;
    ++reporting;
    state.vertical->addSample(usage->cpuPercent, usage->residentBytes);
  }
  auto put = [&](std::string_view name, double value, std::optional<int> reported = std::nullopt) {
    inputs.metrics[std::string(name)] = MetricSample{value, reported};
    state.measured[std::string(name)] = value;
  };
  if (reporting > 0) {
    put(metric::kCpu, cpu / reporting, reporting);
    if (memoryTotal_ > 0) put(metric::kMemory, memory / reporting, reporting);
  }
  const auto reading = state.meter.read(service.counters(), now);
  const double perInstance = std::max(ready, 1);
  if (reading.requestsPerSecond) put(metric::kRequests, *reading.requestsPerSecond / perInstance);
  put(metric::kConnections, static_cast<double>(inFlight) / perInstance);
  if (reading.p95Millis) put(metric::kLatency, *reading.p95Millis);

  if (auto pushed = pushed_.find(state.name); pushed != pushed_.end()) {
    for (auto mIt = pushed->second.begin(); mIt != pushed->second.end();) {
      auto& values = mIt->second;
      std::erase_if(values,
                    [&](const auto& kv) { return now - kv.second.at > options_.metricMaxAge; });
      if (values.empty()) {
        mIt = pushed->second.erase(mIt);
        continue;
      }
      double sum = 0;
      int perInstanceValues = 0;
      for (const auto& [instance, v] : values) {
        if (instance.empty()) continue;
        sum += v.value;
        ++perInstanceValues;
      }
      if (perInstanceValues > 0) {
        put(metric::custom(mIt->first), sum / perInstanceValues, perInstanceValues);
      } else {
        put(metric::custom(mIt->first), values.begin()->second.value);
      }
      ++mIt;
    }
  }
  if (auto startup = state.startupAverage())
    inputs.startupTime = core::Millis{static_cast<int64_t>(*startup)};

  const Decision d = state.autoscaler->evaluate(inputs);
  if (storedOverrides_.contains(state.name) && !state.autoscaler->activeOverride()) {
    (void)deps_.repo.deleteOverride(state.name);
    storedOverrides_.erase(state.name);
    note(state.name, "info", fmt::format("The manual override of {} expired", state.name));
  }
  const auto& policy = state.autoscaler->policy();
  int next = d.desired;
  if (!policy.enabled && !d.overridden)
    next = std::clamp(state.target, policy.minInstances, policy.maxInstances);
  if (next == state.target) return;
  const int live = state.live();
  state.autoscaler->recordChange(live, next, now);
  state.target = next;
  state.changeTrigger = d.trigger.empty() ? "min-max" : d.trigger;
  state.changeReason = d.reason;
  converge(state, state.changeTrigger, state.changeReason);
}

void ScalingController::converge(ServiceState& state, const std::string& trigger,
                                 const std::string& reason) {
  const int live = state.live();
  if (live == state.target) return;
  if (live < state.target) {
    if (deps_.clock.now() < state.nextStartAttempt) return;
    const int wanted = state.target - live;
    const int started = startInstances(state, wanted);
    recordEvent(state, live, live + started, trigger,
                started == wanted
                    ? reason
                    : fmt::format("{}; the provider started {} of {}", reason, started, wanted),
                started == wanted);
    if (started == 0) return;
  } else {
    retireInstances(state, live - state.target);
    recordEvent(state, live, state.target, trigger, reason, true);
  }
}

int ScalingController::startInstances(ServiceState& state, int count) {
  const auto now = deps_.clock.now();
  int started = 0;
  for (; started < count; ++started) {
    auto instance = state.provider->start();
    if (!instance) {
      state.nextStartAttempt = now + kStartRetryDelay;
      note(state.name, "error",
           fmt::format("Service {}: the {} provider could not start an instance: {}", state.name,
                       state.settings.type, instance.error().message));
      break;
    }
    Managed m{.instance = *instance, .launchedAt = now, .nextProbe = now};
    state.instances.insert_or_assign(instance->id, std::move(m));
  }
  return started;
}

// Newest first: starting instances (not serving yet) go at once; serving ones
// drain out of the pool and are stopped by lifecycle() once they are out.
void ScalingController::retireInstances(ServiceState& state, int count) {
  std::vector<Managed*> candidates;
  for (auto& [id, m] : state.instances) {
    if (m.phase == Managed::Phase::kStarting || m.phase == Managed::Phase::kReady)
      candidates.push_back(&m);
  }
  std::sort(candidates.begin(), candidates.end(), [](const Managed* a, const Managed* b) {
    if (a->phase != b->phase) return a->phase == Managed::Phase::kStarting;
    if (a->launchedAt != b->launchedAt) return a->launchedAt > b->launchedAt;
    return a->instance.id > b->instance.id;
  });
  for (int i = 0; i < count && i < static_cast<int>(candidates.size()); ++i) {
    Managed& m = *candidates[static_cast<size_t>(i)];
    if (m.phase == Managed::Phase::kStarting) {
      if (m.cancelProbe) m.cancelProbe();
      m.cancelProbe = nullptr;
      (void)state.provider->stop(m.instance.id);
      m.phase = Managed::Phase::kStopping;
      continue;
    }
    m.phase = Managed::Phase::kRetiring;
    if (auto removed = deps_.catalog.removeServer(m.serverId, state.name);
        !removed && removed.error().code != core::ErrorCode::kNotFound) {
      note(state.name, "error",
           fmt::format("Instance {} of {} could not leave the pool: {}", m.instance.id, state.name,
                       removed.error().message));
    }
  }
}

void ScalingController::forgetService(ServiceState& state) {
  if (!state.provider) return;
  for (auto& [id, m] : state.instances) {
    if (m.cancelProbe) m.cancelProbe();
    if (m.phase != Managed::Phase::kStopping) (void)state.provider->stop(id);
  }
  if (!state.instances.empty()) {
    note(state.name, "info",
         fmt::format("Service {} was deleted: stopping its {} instance(s)", state.name,
                     state.instances.size()));
  }
  retiredProviders_.push_back(std::move(state.provider));
}

void ScalingController::recordEvent(ServiceState& state, int from, int to,
                                    const std::string& trigger, const std::string& reason,
                                    bool success) {
  if (from == to && success) return;
  store::ScalingEventRecord record{.service = state.name,
                                   .type = to > from ? "scale-up" : "scale-down",
                                   .trigger = trigger,
                                   .from = from,
                                   .to = to,
                                   .reason = reason,
                                   .timestamp = core::isoUtc(deps_.clock.wallNow()),
                                   .success = success};
  if (to < from)
    ++state.scaleDowns;
  else
    ++state.scaleUps;
  auto stored = deps_.repo.appendEvent(record);
  if (stored) record = *stored;
  note(state.name, success ? "info" : "error",
       fmt::format("{} {} from {} to {} instances ({}): {}{}", state.name, record.type, from, to,
                   trigger, reason,
                   stored ? "" : fmt::format(" [not stored: {}]", stored.error().message)));
  toNotify_.push_back(scalingEventOf(record));
}

void ScalingController::note(const std::string& service, const std::string& level,
                             const std::string& message, const std::string& serverId) const {
  if (deps_.events) deps_.events(proxy::Event{"scaling", service, message, level, serverId});
}

void ScalingController::notifyListeners() {
  std::vector<ballast::ScalingEvent> events;
  {
    std::lock_guard lock(mu_);
    events.swap(toNotify_);
  }
  if (events.empty()) return;
  std::vector<Listener> listeners;
  {
    std::lock_guard lock(listenersMu_);
    for (const auto& [id, l] : listeners_) listeners.push_back(l);
  }
  for (const auto& e : events) {
    for (const auto& l : listeners) l(e);
  }
}

// ---- shutdown -------------------------------------------------------------------

void ScalingController::shutdown(core::Millis wait) {
  std::vector<InstanceProvider*> stopping;
  {
    std::lock_guard lock(mu_);
    for (auto& [name, state] : services_) {
      for (auto& [id, m] : state->instances) {
        if (m.cancelProbe) m.cancelProbe();
        m.cancelProbe = nullptr;
      }
      if (!state->provider || state->instances.empty()) continue;
      if (!state->settings.stopOnExit) {
        note(name, "info",
             fmt::format("Leaving {} instance(s) of {} running for the next start to adopt",
                         state->instances.size(), name));
        continue;
      }
      for (auto& [id, m] : state->instances) {
        if (!m.serverId.empty() && m.phase == Managed::Phase::kReady) {
          (void)deps_.catalog.removeServer(m.serverId, name);
        }
        if (m.phase != Managed::Phase::kStopping) (void)state->provider->stop(id);
        m.phase = Managed::Phase::kStopping;
      }
      note(
          name, "info",
          fmt::format("Stopping {} instance(s) of {} (stopOnExit)", state->instances.size(), name));
      stopping.push_back(state->provider.get());
    }
  }
  // Bounded: reap() escalates to SIGKILL after each provider's grace period.
  constexpr auto kPoll = std::chrono::milliseconds(50);
  for (int64_t waited = 0; !stopping.empty() && waited < wait.count(); waited += kPoll.count()) {
    std::lock_guard lock(mu_);
    for (auto* provider : stopping) (void)provider->reap();
    std::erase_if(stopping, [](InstanceProvider* p) { return p->instances().empty(); });
    if (!stopping.empty()) std::this_thread::sleep_for(kPoll);
  }
}

// ---- the admin API --------------------------------------------------------------

core::Result<std::vector<ballast::ScalingEvent>> ScalingController::events(
    size_t limit, const std::optional<std::string>& service) const {
  auto records = deps_.repo.listEvents(limit, service);
  if (!records) return std::unexpected(records.error());
  std::vector<ballast::ScalingEvent> out;
  out.reserve(records->size());
  for (const auto& r : *records) out.push_back(scalingEventOf(r));
  return out;
}

core::Result<core::Json> ScalingController::scale(const ScaleRequest& request) {
  std::lock_guard lock(mu_);
  auto service = deps_.catalog.registry().find(request.service);
  if (!service) return std::unexpected(notFound(request.service));
  const auto settings = providerSettings(service->spec()->provider);
  if (!settings.managed()) {
    return core::fail(
        core::ErrorCode::kConflict,
        fmt::format("Service {} has a static provider: its servers are added and removed by hand "
                    "(POST /api/infrastructure/services/{}/servers), so it cannot be scaled",
                    request.service, request.service));
  }
  auto it = services_.find(request.service);
  if (it == services_.end()) {
    return core::fail(
        core::ErrorCode::kUnavailable,
        fmt::format("Service {} is new to the scaling controller; try again in a second",
                    request.service));
  }
  ServiceState& state = *it->second;
  if (!state.provider) {
    return core::fail(core::ErrorCode::kConflict,
                      fmt::format("Service {} cannot be scaled: its {} provider "
                                  "could not be made: {}",
                                  request.service, state.settings.type, state.providerError));
  }
  const auto now = deps_.clock.now();
  const std::string reason = request.reason.empty() ? "manual scaling" : request.reason;
  std::optional<core::MonoTime> until;
  if (request.duration) until = now + *request.duration;
  if (auto s = state.autoscaler->setOverride({request.instances, until, request.force, reason});
      !s) {
    return std::unexpected(s.error());
  }
  store::ScalingOverrideRecord record{.service = request.service,
                                      .instances = request.instances,
                                      .reason = reason,
                                      .forced = request.force,
                                      .setAt = core::isoUtc(deps_.clock.wallNow())};
  if (request.duration) record.until = core::isoUtc(deps_.clock.wallNow() + *request.duration);
  if (auto s = deps_.repo.putOverride(record); !s) {
    state.autoscaler->releaseOverride();
    return std::unexpected(s.error());
  }
  storedOverrides_[request.service] = record;
  state.nextEvaluation = now;
  if (deps_.wake) deps_.wake();
  return core::Json{{"service", request.service},
                    {"instances", request.instances},
                    {"previous", state.target},
                    {"reason", reason},
                    {"force", request.force},
                    {"until", record.until ? core::Json(*record.until) : core::Json(nullptr)}};
}

core::Result<core::Json> ScalingController::release(const std::string& serviceName) {
  std::lock_guard lock(mu_);
  auto service = deps_.catalog.registry().find(serviceName);
  if (!service) return std::unexpected(notFound(serviceName));
  if (!providerSettings(service->spec()->provider).managed()) {
    return core::fail(
        core::ErrorCode::kConflict,
        fmt::format("Service {} has a static provider: it is never scaled, so nothing holds it",
                    serviceName));
  }
  auto it = services_.find(serviceName);
  if (it == services_.end() || !it->second->autoscaler->activeOverride()) {
    return core::fail(core::ErrorCode::kNotFound,
                      fmt::format("No manual override holds service {}", serviceName));
  }
  it->second->autoscaler->releaseOverride();
  if (auto s = deps_.repo.deleteOverride(serviceName); !s) return std::unexpected(s.error());
  storedOverrides_.erase(serviceName);
  it->second->nextEvaluation = deps_.clock.now();
  if (deps_.wake) deps_.wake();
  return core::Json{{"service", serviceName}, {"released", true}};
}

core::Json ScalingController::statusOf(const ServiceState& state) const {
  const auto& policy = state.autoscaler->policy();
  const auto& last = state.autoscaler->lastDecision();
  core::Json instances = core::Json::array();
  for (const auto& [id, m] : state.instances) {
    core::Json i{{"id", id},
                 {"host", m.instance.host},
                 {"port", m.instance.port},
                 {"state", phaseName(static_cast<int>(m.phase))},
                 {"serverId", m.serverId.empty() ? core::Json(nullptr) : core::Json(m.serverId)},
                 {"adopted", m.adopted}};
    if (m.instance.pid) i["pid"] = *m.instance.pid;
    if (!m.lastProbeFailure.empty() && m.phase == Managed::Phase::kStarting)
      i["lastCheck"] = m.lastProbeFailure;
    instances.push_back(std::move(i));
  }
  core::Json metrics = core::Json::array();
  for (const auto& [name, target] : policy.targets()) {
    core::Json m{{"metric", name}, {"target", target}};
    auto measured = state.measured.find(name);
    m["value"] =
        measured == state.measured.end() ? core::Json(nullptr) : core::Json(measured->second);
    m["ratio"] = measured == state.measured.end() ? core::Json(nullptr)
                                                  : core::Json(measured->second / target);
    if (last) {
      for (const auto& p : last->metrics) {
        if (p.metric != name) continue;
        m["proposed"] = p.proposed;
        m["withinTolerance"] = p.withinTolerance;
      }
    }
    metrics.push_back(std::move(m));
  }
  core::Json forecast{{"mode", modeName(policy.predictive.mode)}};
  if (last && last->forecast) {
    const auto& f = *last->forecast;
    forecast.update(
        {{"metric", f.metric},
         {"model", f.model},
         {"value", f.predicted},
         {"target", f.target},
         {"horizonMs", f.horizon.count()},
         {"proposed", f.proposed},
         {"acting", f.acting},
         {"raised", f.raised},
         {"error",
          {{"meanAbsolute", f.meanAbsoluteError ? core::Json(*f.meanAbsoluteError) : core::Json()},
           {"meanAbsolutePercent", f.meanAbsolutePercentError
                                       ? core::Json(*f.meanAbsolutePercentError)
                                       : core::Json()}}}});
  }
  core::Json override = nullptr;
  if (auto stored = storedOverrides_.find(state.name);
      stored != storedOverrides_.end() && state.autoscaler->activeOverride()) {
    const auto& o = stored->second;
    override = {{"instances", o.instances},
                {"reason", o.reason},
                {"force", o.forced},
                {"setAt", o.setAt},
                {"until", o.until ? core::Json(*o.until) : core::Json(nullptr)}};
  }
  auto startup = state.startupAverage();
  return core::Json{
      {"service", state.name},
      {"provider", state.settings.type},
      {"canScale", state.provider != nullptr},
      {"providerError",
       state.providerError.empty() ? core::Json(nullptr) : core::Json(state.providerError)},
      {"stopOnExit", state.settings.stopOnExit},
      {"enabled", policy.enabled},
      {"policySource", state.policySource},
      {"minInstances", policy.minInstances},
      {"maxInstances", policy.maxInstances},
      {"current", state.live()},
      {"desired", state.target},
      {"ready", state.count(Managed::Phase::kReady)},
      {"starting", state.count(Managed::Phase::kStarting)},
      {"draining", state.count(Managed::Phase::kRetiring)},
      {"stopping", state.count(Managed::Phase::kStopping)},
      {"instances", instances},
      {"metrics", metrics},
      {"forecast", forecast},
      {"override", override},
      {"startupTimeMs", startup ? core::Json(*startup) : core::Json(nullptr)},
      {"lastDecision", last ? core::Json{{"trigger", last->trigger},
                                         {"reason", last->reason},
                                         {"recommended", last->recommended},
                                         {"wouldBe", last->wouldBe},
                                         {"desired", last->desired},
                                         {"detail", toJson(*last)}}
                            : core::Json(nullptr)},
      {"scaleUps", state.scaleUps},
      {"scaleDowns", state.scaleDowns}};
}

core::Json ScalingController::status() const {
  std::lock_guard lock(mu_);
  core::Json out = core::Json::array();
  for (const auto& [name, state] : services_) {
    if (!state->settings.managed() && state->specScaling.is_null() &&
        !storedPolicies_.contains(name))
      continue;
    out.push_back(statusOf(*state));
  }
  return out;
}

core::Result<core::Json> ScalingController::policy(const std::string& serviceName) const {
  std::lock_guard lock(mu_);
  if (!deps_.catalog.registry().find(serviceName)) return std::unexpected(notFound(serviceName));
  auto it = services_.find(serviceName);
  if (it != services_.end()) {
    return core::Json{{"service", serviceName},
                      {"source", it->second->policySource},
                      {"policy", toJson(it->second->autoscaler->policy())}};
  }
  return core::Json{
      {"service", serviceName}, {"source", "defaults"}, {"policy", toJson(deps_.defaults)}};
}

core::Result<core::Json> ScalingController::putPolicy(const std::string& serviceName,
                                                      const core::Json& body) {
  auto parsed = parseScalingPolicy(body, deps_.defaults, "", core::PathStyle::kJsonPointer);
  if (!parsed) return std::unexpected(parsed.error());
  std::lock_guard lock(mu_);
  auto service = deps_.catalog.registry().find(serviceName);
  if (!service) return std::unexpected(notFound(serviceName));
  store::ScalingPolicyRecord record{serviceName, toJson(*parsed).dump(),
                                    core::isoUtc(deps_.clock.wallNow())};
  if (auto s = deps_.repo.putPolicy(record); !s) return std::unexpected(s.error());
  storedPolicies_[serviceName] = record;
  if (auto it = services_.find(serviceName); it != services_.end()) {
    refreshPolicy(*it->second, *service);
    it->second->nextEvaluation = deps_.clock.now();
  }
  note(serviceName, "info",
       fmt::format("The scaling policy of {} was replaced through the API", serviceName));
  return core::Json{{"service", serviceName}, {"source", "api"}, {"policy", toJson(*parsed)}};
}

core::Status ScalingController::pushMetric(const std::string& serviceName,
                                           const std::string& metricName, double value,
                                           const std::optional<std::string>& instance) {
  if (!isMetricName(metricName)) {
    return std::unexpected(
        core::Error::validation("/metric", "must be 1-64 of letters, digits, '_', '.', '-', ':'"));
  }
  if (!std::isfinite(value) || value < 0) {
    return std::unexpected(core::Error::validation("/value", "must be a finite number >= 0"));
  }
  std::lock_guard lock(mu_);
  if (!deps_.catalog.registry().find(serviceName)) return std::unexpected(notFound(serviceName));
  pushed_[serviceName][metricName][instance.value_or("")] = {value, deps_.clock.now()};
  return {};
}

core::Result<core::Json> ScalingController::applyRecommendation(const std::string& serviceName) {
  std::lock_guard lock(mu_);
  auto it = services_.find(serviceName);
  if (it == services_.end()) return std::unexpected(notFound(serviceName));
  ServiceState& state = *it->second;
  if (!state.provider) {
    return core::fail(core::ErrorCode::kConflict,
                      fmt::format("{} has no instance provider: its servers are added by hand", serviceName));
  }
  auto* process = dynamic_cast<ProcessProvider*>(state.provider.get());
  if (process == nullptr) {
    return core::fail(core::ErrorCode::kConflict,
                      fmt::format("{} uses the {} provider: limits apply to process instances only",
                                  serviceName, state.provider->type()));
  }
  const auto advice = state.vertical->recommendation();
  if (!advice) {
    return core::fail(core::ErrorCode::kConflict,
                      fmt::format("no recommendation for {} yet ({} usage samples so far)", serviceName,
                                  state.vertical->samples()));
  }
  if (auto supported = process->resourceLimitsSupported(); !supported) return std::unexpected(supported.error());
  const auto cpuMillicores = static_cast<int64_t>(std::ceil(advice->cpuPercent.upperBound * 10));
  const auto memoryBytes = static_cast<int64_t>(std::ceil(advice->memoryBytes.upperBound));
  core::Json applied = core::Json::array();
  for (const auto& [id, managed] : state.instances) {
    if (managed.phase != Managed::Phase::kStarting && managed.phase != Managed::Phase::kReady) continue;
    if (auto s = process->applyResourceLimits(id, cpuMillicores, memoryBytes); !s) return std::unexpected(s.error());
    applied.push_back(id);
  }
  note(serviceName, "info",
       fmt::format("Resource limits of {} set to {} millicores and {} bytes on {} instance(s)", serviceName,
                   cpuMillicores, memoryBytes, applied.size()));
  return core::Json{{"service", serviceName},
                    {"cpuMillicores", cpuMillicores},
                    {"memoryBytes", memoryBytes},
                    {"instances", applied}};
}

std::vector<ScrapeTarget> ScalingController::scrapeTargets() const {
  std::lock_guard lock(mu_);
  std::vector<ScrapeTarget> out;
  for (const auto& [name, state] : services_) {
    if (!state->autoscaler) continue;
    for (const auto& custom : state->autoscaler->policy().customMetrics) {
      if (!custom.scrape) continue;
      for (const auto& [id, managed] : state->instances) {
        if (managed.phase != Managed::Phase::kReady) continue;
        out.push_back({name, id, custom.name,
                       fmt::format("http://{}:{}{}", managed.instance.host, managed.instance.port,
                                   custom.scrape->path),
                       custom.scrape->metric.empty() ? custom.name : custom.scrape->metric});
      }
    }
  }
  // Grouped by URL, so that the scraper fetches a shared endpoint once.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.url < b.url; });
  return out;
}

core::Json ScalingController::recommendations() const {
  std::lock_guard lock(mu_);
  core::Json out = core::Json::array();
  for (const auto& [name, state] : services_) {
    if (!state->provider) continue;
    core::Json r = state->vertical->toJson();
    r["service"] = name;
    r["limits"] = resourceLimitsSupport(*state->provider);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<ServiceScalingCounts> ScalingController::counts() const {
  std::lock_guard lock(mu_);
  std::vector<ServiceScalingCounts> out;
  for (const auto& [name, state] : services_) {
    if (!state->provider) continue;
    out.push_back({name, state->scaleUps, state->scaleDowns,
                   state->count(Managed::Phase::kStarting), state->count(Managed::Phase::kReady),
                   state->count(Managed::Phase::kRetiring), state->count(Managed::Phase::kStopping),
                   state->target});
  }
  return out;
}

uint64_t ScalingController::subscribe(Listener listener) {
  std::lock_guard lock(listenersMu_);
  const uint64_t id = nextListener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

bool ScalingController::unsubscribe(uint64_t id) {
  std::lock_guard lock(listenersMu_);
  return listeners_.erase(id) > 0;
}

// ---- events ---------------------------------------------------------------------

std::string formatScalingEventId(int64_t id) {
  return fmt::format("scaling-{}", id);
}

ballast::ScalingEvent scalingEventOf(const store::ScalingEventRecord& r) {
  return {formatScalingEventId(r.id),
          r.service,
          r.type,
          r.trigger,
          r.from,
          r.to,
          r.reason,
          r.timestamp,
          r.success};
}

core::Json toJson(const ballast::ScalingEvent& e) {
  return {{"id", e.id},
          {"type", e.type},
          {"trigger", e.trigger},
          {"from", e.from},
          {"to", e.to},
          {"reason", e.reason},
          {"timestamp", e.timestamp},
          {"success", e.success},
          {"service", e.service}};
}

}  // namespace ballast::scaling
