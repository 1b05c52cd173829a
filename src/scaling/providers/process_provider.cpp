#include "scaling/providers/process_provider.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "core/time_format.h"
#include "scaling/providers/atomic_file.h"
#include "scaling/providers/instance_state_file.h"
#include "scaling/providers/placeholders.h"
#include "scaling/providers/proc_reader.h"
#include "scaling/providers/spawn.h"

namespace ballast::scaling {

namespace {

int64_t epochMillis(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Appends one line to the instance's log, so the log says what ballast did.
void logLine(int fd, const std::string& line) {
  const std::string text = line + "\n";
  const ssize_t ignored = ::write(fd, text.data(), text.size());
  (void)ignored;
}

// An instance's leader `pid` is gone or a zombie: SIGKILLs what is left of its
// process group (children it forked), so nothing outlives it. Safe against pid
// reuse: while any member of group `pid` lives, the kernel does not hand out
// `pid` again, and a live process at `pid` with another start time means the
// group is no longer ours. Returns how many processes it signalled.
size_t killLeftovers(pid_t pid, uint64_t startTicks) {
  const auto stat = readProcStat(pid);
  if (stat && stat->startTicks != startTicks) return 0;            // pid reused: not our group
  if (stat && stat->state != 'Z' && stat->state != 'X') return 0;  // the leader lives
  const auto members = processGroupMembers(pid);
  for (pid_t member : members) ::kill(member, SIGKILL);
  return members.size();
}

}  // namespace

ProcessProvider::ProcessProvider(ProcessProviderSpec spec, std::string serviceName,
                                 std::filesystem::path dataDir, core::Clock& clock)
    : spec_(std::move(spec)),
      serviceName_(std::move(serviceName)),
      instanceDir_(dataDir / "instances" / serviceName_),
      stateFile_(dataDir / "instances" / (serviceName_ + ".json")),
      clock_(clock) {}

ProcessProvider::~ProcessProvider() = default;

core::Result<std::unique_ptr<ProcessProvider>> ProcessProvider::create(
    ProcessProviderSpec spec, std::string serviceName, std::filesystem::path dataDir,
    core::Clock& clock) {
  std::unique_ptr<ProcessProvider> provider(
      new ProcessProvider(std::move(spec), std::move(serviceName), std::move(dataDir), clock));
  if (auto ok = makePrivateDirectories(provider->instanceDir_); !ok)
    return std::unexpected(ok.error());
  if (auto ok = provider->recover(); !ok) return std::unexpected(ok.error());
  return provider;
}

std::filesystem::path ProcessProvider::logPath(const std::string& id) const {
  return instanceDir_ / (id + ".log");
}

std::filesystem::path ProcessProvider::stateFilePath() const {
  return stateFile_;
}

core::Status ProcessProvider::recover() {
  auto loaded = loadInstanceState(stateFile_);
  if (!loaded) return std::unexpected(loaded.error());
  nextIndex_ = std::max<uint64_t>(loaded->nextIndex, 1);
  for (const auto& p : loaded->instances) {
    const auto stat = readProcStat(p.pid);
    if (!isSameLiveProcess(p.pid, p.startTicks)) {
      const bool reused = stat && stat->startTicks != p.startTicks;
      const size_t leftovers = killLeftovers(p.pid, p.startTicks);
      recoveryNotes_.push_back(
          reused ? fmt::format(
                       "dropped {}: pid {} now belongs to another process (its start time differs)",
                       p.id, p.pid)
                 : fmt::format("dropped {}: pid {} is gone{}", p.id, p.pid,
                               leftovers > 0 ? fmt::format(" (killed {} process(es) it left in its "
                                                           "group)",
                                                           leftovers)
                                             : ""));
      continue;
    }
    Tracked t;
    t.instance = Instance{p.id,
                          p.host,
                          p.port,
                          p.pid,
                          InstanceState::kStarting,
                          core::WallTime(std::chrono::milliseconds(p.startedAtMs))};
    t.startTicks = p.startTicks;
    t.command = p.command;
    t.child = false;
    t.launchedAt = clock_.now();
    lastPort_ = std::max(lastPort_, p.port);
    tracked_.push_back(std::move(t));
    Tracked& added = tracked_.back();
    if (p.stopping || spec_.orphans == OrphanPolicy::kStop) {
      beginStop(added);
      recoveryNotes_.push_back(
          fmt::format("stopping {} (pid {}, port {}) left by a previous ballast{}", p.id, p.pid,
                      p.port, p.stopping ? " (it was being stopped)" : " (orphans: stop)"));
    } else {
      recoveryNotes_.push_back(fmt::format(
          "adopted {} (pid {}, port {}) left by a previous ballast", p.id, p.pid, p.port));
    }
  }
  return persist();
}

core::Status ProcessProvider::persist() {
  PersistedInstances state;
  state.nextIndex = nextIndex_;
  for (const auto& t : tracked_) {
    state.instances.push_back({t.instance.id, *t.instance.pid, t.instance.port, t.instance.host,
                               t.startTicks, t.command, epochMillis(t.instance.startedAt),
                               t.stopRequested});
  }
  return saveInstanceState(stateFile_, state);
}

ProcessProvider::Tracked* ProcessProvider::find(const std::string& id) {
  auto it = std::find_if(tracked_.begin(), tracked_.end(),
                         [&](const Tracked& t) { return t.instance.id == id; });
  return it == tracked_.end() ? nullptr : &*it;
}

void ProcessProvider::signalGroup(const Tracked& t, int sig) const {
  const pid_t pid = *t.instance.pid;
  // Our children lead their own group (setsid). An adopted pid is checked first:
  // signal its group only if it still leads one.
  bool leadsGroup = t.child;
  if (!t.child) {
    auto stat = readProcStat(pid);
    if (!stat || !isSameLiveProcess(pid, t.startTicks)) return;  // not ours any more
    leadsGroup = stat->processGroup == pid;
  }
  ::kill(leadsGroup ? -pid : pid, sig);
}

void ProcessProvider::beginStop(Tracked& t) {
  t.stopRequested = true;
  t.instance.state = InstanceState::kStopping;
  t.probe.reset();
  if (spec_.stopGracePeriod == 0) {
    signalGroup(t, SIGKILL);
    t.killed = true;
    return;
  }
  signalGroup(t, SIGTERM);
  t.killAt = clock_.now() + std::chrono::milliseconds(spec_.stopGracePeriod);
}

core::Result<Instance> ProcessProvider::start() {
  std::set<int> taken;
  for (const auto& t : tracked_) taken.insert(t.instance.port);
  auto port = pickFreePort(spec_.host, spec_.portRange, taken, lastPort_ + 1);
  if (!port) return std::unexpected(port.error());
  if (auto ok = makePrivateDirectories(instanceDir_); !ok) return std::unexpected(ok.error());

  const std::string id = fmt::format("{}-{}", serviceName_, nextIndex_);
  const std::map<std::string, std::string> values = {{"port", std::to_string(*port)},
                                                     {"instance", id}};
  // In the command line the values are shell words (quoted should they ever
  // hold a shell character); environment values are not parsed by a shell.
  const std::map<std::string, std::string> words = {{"port", std::to_string(*port)},
                                                    {"instance", shellQuote(id)}};
  SpawnRequest request;
  request.command = substitutePlaceholders(spec_.command, words);
  request.workingDirectory = spec_.workingDirectory;
  for (const auto& [key, value] : spec_.environment) {
    request.environment.emplace_back(key, substitutePlaceholders(value, values));
  }
  request.environment.emplace_back("BALLAST_SERVICE", serviceName_);
  request.environment.emplace_back("BALLAST_INSTANCE", id);
  request.environment.emplace_back("BALLAST_PORT", std::to_string(*port));
  // PORT, as many servers read it, unless the spec sets it (ballast's own PORT is withheld).
  if (!spec_.environment.contains("PORT"))
    request.environment.emplace_back("PORT", std::to_string(*port));

  const auto log = logPath(id);
  const int logFd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (logFd < 0) {
    return core::fail(
        core::ErrorCode::kInternal,
        fmt::format("could not open the instance log {}: {}", log.string(), std::strerror(errno)));
  }
  const core::WallTime startedAt = clock_.wallNow();
  logLine(logFd, fmt::format("--- ballast {}: starting {} on port {}: {}", core::isoUtc(startedAt),
                             id, *port, request.command));
  request.stdoutFd = logFd;
  request.stderrFd = logFd;
  auto pid = spawnShell(request);
  if (!pid) logLine(logFd, "--- ballast: " + pid.error().message);
  ::close(logFd);
  if (!pid) return std::unexpected(pid.error());

  ++nextIndex_;
  lastPort_ = *port;
  Tracked t;
  t.instance = Instance{id, spec_.host, *port, *pid, InstanceState::kStarting, startedAt};
  // The child is at least a zombie until we wait for it, so its stat is there.
  t.startTicks = readProcStat(*pid).value_or(telemetry::ProcStatFields{}).startTicks;
  t.command = request.command;
  t.launchedAt = clock_.now();
  tracked_.push_back(std::move(t));
  if (auto ok = persist(); !ok) {
    // An instance the record does not know could leak after a crash: undo it.
    ::kill(-*pid, SIGKILL);
    int status = 0;
    ::waitpid(*pid, &status, 0);
    tracked_.pop_back();
    return core::fail(ok.error().code, "could not record the new instance, so it was stopped: " +
                                           ok.error().message);
  }
  return tracked_.back().instance;
}

core::Status ProcessProvider::stop(const std::string& id) {
  Tracked* t = find(id);
  if (t == nullptr)
    return core::fail(core::ErrorCode::kNotFound,
                      fmt::format("no instance {} of service {}", id, serviceName_));
  if (t->stopRequested) return {};  // already on its way out
  beginStop(*t);
  return persist();
}

std::vector<Instance> ProcessProvider::instances() const {
  std::vector<Instance> out;
  out.reserve(tracked_.size());
  for (const auto& t : tracked_) out.push_back(t.instance);
  return out;
}

std::optional<std::string> ProcessProvider::collectExit(Tracked& t) {
  const pid_t pid = *t.instance.pid;
  if (t.child) {
    siginfo_t info{};
    // Peek without reaping: while the zombie holds the pid, its group id cannot
    // be reused, so the SIGKILL for members it left behind hits only them.
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0) {
      if (info.si_pid != pid) return std::nullopt;  // still running
      ::kill(-pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
      return describeWaitStatus(status);
    }
    // ECHILD: someone else reaped it (SIGCHLD ignored?): fall back to polling.
    if (isSameLiveProcess(pid, t.startTicks)) return std::nullopt;
    killLeftovers(pid, t.startTicks);
    return std::string("exited (status unknown: it was reaped elsewhere)");
  }
  if (isSameLiveProcess(pid, t.startTicks)) return std::nullopt;
  killLeftovers(pid, t.startTicks);
  return std::string("exited (status unknown: adopted from a previous ballast)");
}

void ProcessProvider::checkStartup(Tracked& t) {
  if (!t.probe) t.probe = std::make_unique<ConnectProbe>(t.instance.host, t.instance.port);
  if (t.probe->poll() == ConnectProbe::Outcome::kConnected) {
    t.instance.state = InstanceState::kRunning;
    t.probe.reset();
    return;
  }
  if (clock_.now() - t.launchedAt < std::chrono::milliseconds(spec_.startupTimeout)) return;
  t.failure = fmt::format("did not accept connections on {}:{} within {} ms", t.instance.host,
                          t.instance.port, spec_.startupTimeout);
  t.instance.state = InstanceState::kStopping;
  t.probe.reset();
  signalGroup(t, SIGKILL);
  t.killed = true;
}

std::vector<InstanceExit> ProcessProvider::reap() {
  std::vector<InstanceExit> exits;
  bool changed = false;
  const auto now = clock_.now();
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    Tracked& t = *it;
    if (t.instance.state == InstanceState::kStopping && t.killAt && !t.killed && now >= *t.killAt) {
      signalGroup(t, SIGKILL);
      t.killed = true;
    }
    auto ended = collectExit(t);
    if (!ended) {
      if (t.instance.state == InstanceState::kStarting) checkStartup(t);
      ++it;
      continue;
    }
    InstanceExit exit;
    exit.instance = t.instance;
    exit.instance.state = InstanceState::kExited;
    exit.expected = t.stopRequested;
    exit.description = t.failure.empty() ? *ended : fmt::format("{} ({})", t.failure, *ended);
    if (t.hasCgroup && cgroups_) cgroups_->remove(t.instance.id);
    // The log says how it ended, beside what it printed.
    const int logFd = ::open(logPath(t.instance.id).c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (logFd >= 0) {
      logLine(logFd, fmt::format("--- ballast {}: {} {}", core::isoUtc(clock_.wallNow()),
                                 t.instance.id, exit.description));
      ::close(logFd);
    }
    exits.push_back(std::move(exit));
    it = tracked_.erase(it);
    changed = true;
  }
  if (changed) {
    // A failed write leaves the previous record; recovery then drops the
    // instances that are gone, so nothing is lost.
    (void)persist();
  }
  return exits;
}

std::optional<InstanceUsage> ProcessProvider::usage(const std::string& id) {
  Tracked* t = find(id);
  if (t == nullptr || !isSameLiveProcess(*t->instance.pid, t->startTicks)) return std::nullopt;
  const pid_t pid = *t->instance.pid;
  const GroupUsage group = readGroupUsage(pid, pid);
  if (!group.found) return std::nullopt;
  const double ticksPerSecond = static_cast<double>(clockTicksPerSecond());
  const auto now = clock_.now();
  double cpuSeconds = 0;
  double wallSeconds = 0;
  if (t->lastCpuTicks) {
    cpuSeconds = static_cast<double>(group.cpuTicks - std::min(group.cpuTicks, *t->lastCpuTicks)) /
                 ticksPerSecond;
    wallSeconds = std::chrono::duration<double>(now - t->lastSampleAt).count();
  } else {
    // First sample: the average since the process started.
    cpuSeconds = static_cast<double>(group.cpuTicks) / ticksPerSecond;
    wallSeconds = uptimeSeconds().value_or(0) - static_cast<double>(t->startTicks) / ticksPerSecond;
  }
  t->lastCpuTicks = group.cpuTicks;
  t->lastSampleAt = now;
  InstanceUsage usage;
  usage.cpuPercent = wallSeconds > 0 ? cpuSeconds / wallSeconds * 100.0 : 0.0;
  usage.residentBytes = group.residentBytes;
  return usage;
}

core::Status ProcessProvider::resourceLimitsSupported() {
  if (cgroups_) return {};
  auto detected = CgroupLimiter::detect();
  if (!detected) return std::unexpected(detected.error());
  cgroups_ = std::move(*detected);
  return {};
}

core::Status ProcessProvider::applyResourceLimits(const std::string& id, int64_t cpuMillicores,
                                                  int64_t memoryBytes) {
  Tracked* t = find(id);
  if (t == nullptr)
    return core::fail(core::ErrorCode::kNotFound,
                      fmt::format("no instance {} of service {}", id, serviceName_));
  if (auto ok = resourceLimitsSupported(); !ok) return ok;
  const pid_t pid = *t->instance.pid;
  // The leader first, then the rest of its group (children it forked).
  std::vector<pid_t> pids = {pid};
  for (pid_t member : processGroupMembers(pid)) {
    if (member != pid) pids.push_back(member);
  }
  auto applied = cgroups_->apply(id, pids, ResourceLimits{cpuMillicores, memoryBytes});
  if (!applied) return std::unexpected(applied.error());
  t->hasCgroup = true;
  return {};
}

}  // namespace ballast::scaling
