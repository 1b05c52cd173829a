#pragma once
// Runs a service's instances as local processes: one `/bin/sh -c <command>`
// per instance, in its own session and process group, on a free port, with
// stdout and stderr appended to <dataDir>/instances/<service>/<instance>.log.
//
// Life of an instance (driven by reap(), which the controller calls every tick):
//   start() -> kStarting -> kRunning once the process lives and its port
//   accepts TCP connections; still not listening after startupTimeout: killed,
//   and reported by reap() as a failed start.
//   stop() -> kStopping: SIGTERM to the process group, SIGKILL once
//   stopGracePeriod has passed (sent from reap(); nothing here sleeps).
//   Exits are collected with waitpid(WNOHANG) and reported once by reap().
//
// Crash safety: <dataDir>/instances/<service>.json lists every instance (pid,
// port, start time of the pid, command), rewritten atomically on each change.
// create() reads it: instances still alive with the same start time are adopted
// (orphans: adopt) or stopped (orphans: stop); the rest are dropped. Adopted
// processes are not our children: their liveness is polled (kill(pid, 0) and
// the start time) and their exit status is unknown.
//
// Destroying the provider leaves the instances running (a restarted ballast
// adopts them); stop them first to end them.
//
// Thread-safety: none; the control thread owns it (see InstanceProvider).

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scaling/instance_provider.h"
#include "scaling/providers/cgroup_limits.h"
#include "scaling/providers/ports.h"
#include "scaling/providers/provider_spec.h"

namespace ballast::scaling {

class ProcessProvider final : public InstanceProvider {
 public:
  // Reads the instance record and adopts or stops what a previous ballast left.
  // Fails when the record cannot be read (its processes would be lost) or the
  // instance directory cannot be created.
  static core::Result<std::unique_ptr<ProcessProvider>> create(ProcessProviderSpec spec,
                                                               std::string serviceName,
                                                               std::filesystem::path dataDir,
                                                               core::Clock& clock);
  ~ProcessProvider() override;

  std::string type() const override { return "process"; }
  bool canScale() const override { return true; }
  core::Result<Instance> start() override;
  core::Status stop(const std::string& id) override;
  std::vector<Instance> instances() const override;
  std::vector<InstanceExit> reap() override;
  // CPU over the interval since the previous call (the first call: since the
  // process started) and resident memory, summed over the process group.
  std::optional<InstanceUsage> usage(const std::string& id) override;

  // Vertical scaling: puts the instance's processes in a cgroup v2 with these
  // limits (0 = no limit). kUnavailable with the reason when ballast may not
  // manage cgroups here; kNotFound for an unknown instance.
  core::Status applyResourceLimits(const std::string& id, int64_t cpuMillicores,
                                   int64_t memoryBytes);
  // Whether applyResourceLimits can work here, and why not.
  core::Status resourceLimitsSupported();
  // Tests: use `limiter` instead of the detected cgroup.
  void setCgroupLimiter(CgroupLimiter limiter) { cgroups_ = std::move(limiter); }

  // What create() did with instances a previous ballast left: one line each
  // ("adopted demo-3 (pid 812, port 40123)", "stopping ...", "dropped ...").
  const std::vector<std::string>& recoveryNotes() const { return recoveryNotes_; }
  std::filesystem::path logPath(const std::string& id) const;
  std::filesystem::path stateFilePath() const;

 private:
  struct Tracked {
    Instance instance;
    uint64_t startTicks = 0;
    std::string command;
    bool child = true;  // ours to waitpid(); adopted ones are polled
    core::MonoTime launchedAt{};
    bool stopRequested = false;
    std::optional<core::MonoTime> killAt;  // SIGKILL due (while stopping)
    bool killed = false;
    std::string failure;  // why we killed it ourselves (start-up timeout)
    std::unique_ptr<ConnectProbe> probe;
    std::optional<uint64_t> lastCpuTicks;
    core::MonoTime lastSampleAt{};
    bool hasCgroup = false;
  };

  ProcessProvider(ProcessProviderSpec spec, std::string serviceName, std::filesystem::path dataDir,
                  core::Clock& clock);
  core::Status recover();
  core::Status persist();
  Tracked* find(const std::string& id);
  void signalGroup(const Tracked& t, int sig) const;
  void beginStop(Tracked& t);
  // The exit description when `t` has ended, after collecting it.
  std::optional<std::string> collectExit(Tracked& t);
  void checkStartup(Tracked& t);

  ProcessProviderSpec spec_;
  std::string serviceName_;
  std::filesystem::path instanceDir_;  // <dataDir>/instances/<service>
  std::filesystem::path stateFile_;    // <dataDir>/instances/<service>.json
  core::Clock& clock_;
  uint64_t nextIndex_ = 1;
  int lastPort_ = 0;
  std::vector<Tracked> tracked_;  // launch order
  std::vector<std::string> recoveryNotes_;
  std::optional<CgroupLimiter> cgroups_;
};

}  // namespace ballast::scaling
