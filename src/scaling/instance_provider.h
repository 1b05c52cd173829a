#pragma once
// Where a service's instances come from. The autoscaler decides how many
// instances a service should have; a provider makes it so and reports what
// exists. Implementations: static (refuses), process (runs a command per
// instance), exec (user commands), kubernetes (Deployment scale subresource).
//
// Threading: a provider is called from the control thread only.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace ballast::scaling {

enum class InstanceState {
  kStarting,  // launched, not yet known healthy (the controller keeps it out of the pool)
  kRunning,   // the provider sees it alive (pool membership is the controller's business)
  kStopping,  // told to stop (SIGTERM sent / replicas lowered), not gone yet
  kExited,    // gone; reported once by reap()
};

struct Instance {
  std::string id;        // stable for the instance's life, e.g. "demo-3"
  std::string host;      // where it listens, e.g. "127.0.0.1"
  int port = 0;
  std::optional<int> pid;  // process providers only
  InstanceState state = InstanceState::kStarting;
  core::WallTime startedAt{};
};

// An instance that ended without being asked to (crash), or finished stopping.
struct InstanceExit {
  Instance instance;
  bool expected = false;     // true when stop() asked for it
  std::string description;   // "exited with status 1", "killed by signal 9", ...
};

// Resource usage of one instance, from /proc for processes.
struct InstanceUsage {
  double cpuPercent = 0;        // of one core, over the interval since the last sample
  uint64_t residentBytes = 0;
};

class InstanceProvider {
 public:
  virtual ~InstanceProvider() = default;

  // "static", "process", "exec", "kubernetes".
  virtual std::string type() const = 0;

  // Whether start()/stop() can work at all; static says no (the API answers 409).
  virtual bool canScale() const = 0;

  // Launches one more instance and returns at once (state kStarting). The
  // controller adds it to the pool only once its health check passes.
  virtual core::Result<Instance> start() = 0;

  // Asks instance `id` to stop: the controller has already drained it from the
  // pool. Process providers send SIGTERM and SIGKILL after the grace period.
  virtual core::Status stop(const std::string& id) = 0;

  // The instances that exist now (any state but kExited).
  virtual std::vector<Instance> instances() const = 0;

  // Collects instances that have exited since the last call (crashed or
  // stopped), escalating pending stops past their grace period.
  virtual std::vector<InstanceExit> reap() = 0;

  // Usage of one instance, when the provider can see it.
  virtual std::optional<InstanceUsage> usage(const std::string& id) = 0;
};

}  // namespace ballast::scaling
