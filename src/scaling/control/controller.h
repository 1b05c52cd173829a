#pragma once
// ScalingController — makes each service's instance count what its policy
// asks for, with real instances. Per service whose `provider` can scale
// (process, exec, kubernetes):
//   - keeps a target count (minInstances at start; adopted instances count);
//   - starts instances through the provider; a new instance joins the pool
//     (through proxy::Catalog, so it is stored and keeps one id) only once a
//     probe of the service's health path passes, and its start-up time is
//     measured for the predictive look-ahead;
//   - reaps exits: a crashed instance leaves the pool at once and is replaced,
//     and an event says so;
//   - every evaluation interval measures CPU and memory (provider usage()),
//     requests per second, connections and p95 latency (the service's
//     counters) and pushed custom metrics, and asks the Autoscaler;
//   - scales in by draining: newest instances first leave the pool, finish
//     their requests (or the drain timeout passes), and only then are stopped.
// Every change of the target is a ScalingEvent: stored, published to the event
// sink (type "scaling") and delivered to subscribers.
//
// Threading: tick() and shutdown() run on the control thread, as do probe
// callbacks; the other methods may be called from any thread (the admin API).
// One mutex guards the state; subscribers are called without it held.

#include <ballast/scaling_event.h>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "proxy/catalog.h"
#include "proxy/events.h"
#include "proxy/probe.h"
#include "scaling/autoscaler.h"
#include "scaling/control/metric_scraper.h"
#include "scaling/control/service_metrics.h"
#include "scaling/instance_provider.h"
#include "scaling/policy.h"
#include "scaling/vertical.h"
#include "store/scaling_repo.h"

namespace ballast::scaling {

// Checks a new instance: `done(passed, reason)` is called later on the control
// thread (never from within the call) unless the returned canceller runs first.
using ProbeFn = std::function<std::function<void()>(
    const proxy::ProbeRequest& request, std::function<void(bool passed, std::string reason)> done)>;

// Makes the provider of `service` from its `provider` object (stopOnExit
// already taken out). Called on the control thread.
using ProviderFactory = std::function<core::Result<std::unique_ptr<InstanceProvider>>(
    const std::string& service, const core::Json& provider)>;

struct ControllerOptions {
  core::Millis evaluationInterval{1000};  // how often the autoscaler decides
  core::Millis probeInterval{200};        // between probes of one starting instance
  core::Millis probeTimeout{2000};        // at most; the service's check timeout when lower
  core::Millis startupTimeout{
      30000};  // healthy within this, or stopped (provider's startupTimeout wins)
  core::Millis settleDelay{500};     // out of the pool this long before SIGTERM
  core::Millis metricMaxAge{60000};  // pushed metrics older than this are ignored
  size_t startupSamples = 10;        // start-up times averaged
  uint64_t memoryTotalBytes = 0;     // memory % is of this; 0 = read /proc/meminfo
};

struct ControllerDeps {
  proxy::Catalog& catalog;
  store::ScalingRepository& repo;
  core::Clock& clock;
  ProviderFactory makeProvider;
  ProbeFn probe;
  proxy::EventSink events;     // lifecycle and scaling notes for the event log
  ScalingPolicy defaults;      // defaultPolicy(config.scaling.autoScaling)
  std::function<void()> wake;  // optional: asks for a tick soon (after a manual scale)
};

struct ScaleRequest {
  std::string service;
  int instances = 0;
  std::string reason;
  std::optional<core::Millis> duration;  // none: held until released
  bool force = false;                    // beyond min/max (the API allows it to admins only)
};

// Counts for /metrics.
struct ServiceScalingCounts {
  std::string service;
  uint64_t scaleUps = 0;
  uint64_t scaleDowns = 0;
  int starting = 0;
  int ready = 0;
  int draining = 0;
  int stopping = 0;
  int desired = 0;
};

class ScalingController {
 public:
  using Listener = std::function<void(const ballast::ScalingEvent&)>;

  ScalingController(ControllerDeps deps, ControllerOptions options = {});
  ~ScalingController();
  ScalingController(const ScalingController&) = delete;
  ScalingController& operator=(const ScalingController&) = delete;

  // Replaces deps.wake. REQUIRES: before the first tick() or API call.
  void setWake(std::function<void()> wake) { deps_.wake = std::move(wake); }

  // One round: providers reaped, starting instances probed, retiring ones
  // stopped once drained, and (every evaluation interval) a decision applied.
  void tick();
  // Stops acting (tick() does nothing from now on): called when this worker
  // starts to drain, so a retiring worker never scales under the next one.
  void freeze() { frozen_.store(true); }
  // At exit: stops the instances of services whose provider says
  // stopOnExit (drained from the pool first); the others keep running for the
  // next start to adopt. Waits at most `wait` for them to exit.
  void shutdown(core::Millis wait);

  // --- The admin API (any thread).
  core::Result<std::vector<ballast::ScalingEvent>> events(
      size_t limit, const std::optional<std::string>& service = std::nullopt) const;
  // kNotFound (unknown service), kConflict (a provider that cannot scale),
  // kValidation (outside min/max without force). Applied by the next tick.
  core::Result<core::Json> scale(const ScaleRequest& request);
  core::Result<core::Json> release(const std::string& service);
  core::Json status() const;
  core::Result<core::Json> policy(const std::string& service) const;
  // Replaces the service's policy (on top of the defaults) and stores it.
  core::Result<core::Json> putPolicy(const std::string& service, const core::Json& body);
  // A custom metric value: per instance when `instance` is given, otherwise the
  // service's per-instance average.
  core::Status pushMetric(const std::string& service, const std::string& metric, double value,
                          const std::optional<std::string>& instance);
  // The instance endpoints the policies' scraped custom metrics come from:
  // every ready instance of a service, per scraped metric.
  std::vector<ScrapeTarget> scrapeTargets() const;
  core::Json recommendations() const;
  // Applies the service's vertical recommendation to its live instances as
  // limits (the upper bounds: a limit at the target would throttle the busiest
  // tenth of the time). kNotFound, kConflict (not a process provider, or no
  // recommendation yet), kUnavailable (ballast may not manage cgroups here,
  // with the reason).
  core::Result<core::Json> applyRecommendation(const std::string& service);
  std::vector<ServiceScalingCounts> counts() const;

  uint64_t subscribe(Listener listener);
  bool unsubscribe(uint64_t id);

 private:
  struct Managed;
  struct ServiceState;

  ServiceState* stateFor(proxy::Service& service);                         // REQUIRES: mu_ held
  ServiceState makeState(const proxy::Service& service);                   // REQUIRES: mu_ held
  void adopt(ServiceState& state, proxy::Service& service);                // REQUIRES: mu_ held
  void refreshPolicy(ServiceState& state, const proxy::Service& service);  // REQUIRES: mu_ held
  void lifecycle(ServiceState& state, proxy::Service& service);            // REQUIRES: mu_ held
  void probe(ServiceState& state, Managed& instance,
             const proxy::Service& service);  // REQUIRES: mu_ held
  void onProbe(const std::string& service, const std::string& instanceId, bool passed,
               const std::string& reason);
  void evaluate(ServiceState& state, proxy::Service& service);  // REQUIRES: mu_ held
  void converge(ServiceState& state, const std::string& trigger,
                const std::string& reason);              // REQUIRES: mu_ held
  int startInstances(ServiceState& state, int count);    // REQUIRES: mu_ held
  void retireInstances(ServiceState& state, int count);  // REQUIRES: mu_ held
  void forgetService(ServiceState& state);               // REQUIRES: mu_ held
  void recordEvent(ServiceState& state, int from, int to, const std::string& trigger,
                   const std::string& reason,
                   bool success);  // REQUIRES: mu_ held
  void note(const std::string& service, const std::string& level, const std::string& message,
            const std::string& serverId = "") const;
  core::Json statusOf(const ServiceState& state) const;  // REQUIRES: mu_ held
  void notifyListeners();                                // REQUIRES: mu_ NOT held

  ControllerDeps deps_;
  const ControllerOptions options_;
  uint64_t memoryTotal_ = 0;

  std::atomic<bool> frozen_{false};
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<ServiceState>> services_;        // guarded by mu_
  std::map<std::string, store::ScalingPolicyRecord> storedPolicies_;     // guarded by mu_
  std::map<std::string, store::ScalingOverrideRecord> storedOverrides_;  // guarded by mu_
  std::vector<std::unique_ptr<InstanceProvider>>
      retiredProviders_;                         // deleted services'; guarded by mu_
  std::vector<ballast::ScalingEvent> toNotify_;  // guarded by mu_
  struct PushedValue {
    double value = 0;
    core::MonoTime at{};
  };
  // Custom metrics pushed through the API: service -> metric -> instance ("" =
  // the service's per-instance average) -> value. Guarded by mu_.
  std::map<std::string, std::map<std::string, std::map<std::string, PushedValue>>> pushed_;

  mutable std::mutex listenersMu_;
  std::map<uint64_t, Listener> listeners_;  // guarded by listenersMu_
  uint64_t nextListener_ = 1;               // guarded by listenersMu_
};

// "scaling-42".
std::string formatScalingEventId(int64_t id);
ballast::ScalingEvent scalingEventOf(const store::ScalingEventRecord& record);
// The seed's shape plus `service`.
core::Json toJson(const ballast::ScalingEvent& event);

}  // namespace ballast::scaling
