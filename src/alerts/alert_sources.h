#pragma once
// Reads the daemon's state into samples for the built-in rules (metric keys in
// builtin_rules.h): system CPU/memory/disk from the SystemSampler, per-server
// health and breakers and per-service healthy count and error rate from the
// Registry, cache hit rate and Redis status from the Cache (when given).
//
// Thread-safety: collect() from one thread (the control thread); the inputs
// are read through their own thread-safe accessors.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "alerts/counter_window.h"
#include "alerts/evaluator.h"
#include "core/clock.h"

namespace ballast {
class Cache;
}
namespace ballast::proxy {
class Registry;
}
namespace ballast::telemetry {
class SystemSampler;
}

namespace ballast::alerts {

class AlertSources {
 public:
  static constexpr std::chrono::milliseconds kRateWindow{60000};

  // All references must outlive this; `cache` may be null.
  AlertSources(core::Clock& clock, const proxy::Registry& registry, const telemetry::SystemSampler& system,
               const Cache* cache);

  std::vector<Sample> collect();

 private:
  void collectSystem(std::vector<Sample>& out) const;
  void collectServices(std::vector<Sample>& out);
  void collectCache(std::vector<Sample>& out);
  CounterWindow& windowFor(const std::string& key);

  core::Clock& clock_;
  const proxy::Registry& registry_;
  const telemetry::SystemSampler& system_;
  const Cache* cache_;
  std::map<std::string, CounterWindow> windows_;
};

}  // namespace ballast::alerts
