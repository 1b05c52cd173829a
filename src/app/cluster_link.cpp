#include "app/cluster_link.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/json.h"
#include "telemetry/system_stats.h"

namespace ballast::app {

namespace {
std::string envOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value ? value : fallback;
}
}  // namespace

ClusterLink ClusterLink::fromEnvironment() {
  ClusterLink link;
  if (const char* master = std::getenv(kEnvMasterPid)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(master));
    // Only the master that is our parent counts (not one inherited by accident).
    if (pid > 0 && pid == ::getppid()) link.masterPid = pid;
  }
  link.generation = std::atoi(envOr(kEnvGeneration, "1").c_str());
  link.restarts = std::atoi(envOr(kEnvRestarts, "0").c_str());
  link.controlFd = link.masterPid ? std::atoi(envOr(kEnvControlFd, "-1").c_str()) : -1;
  link.lastReloadAt = envOr(kEnvLastReloadAt, "");
  link.lastReloadOutcome = envOr(kEnvLastReloadOutcome, "");
  return link;
}

void writeClusterState(const std::string& dataDir, int generation, int restarts, const std::string& lastReloadAt,
                       const std::string& lastReloadOutcome) {
  const core::Json state = {{"generation", generation},
                            {"restarts", restarts},
                            {"lastReloadAt", lastReloadAt},
                            {"lastReloadOutcome", lastReloadOutcome}};
  const auto path = std::filesystem::path(dataDir) / kClusterStateFile;
  const auto temporary = path.string() + ".tmp";
  std::error_code ec;
  std::filesystem::create_directories(dataDir, ec);
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << state.dump();
    if (!out) return;
  }
  std::filesystem::rename(temporary, path, ec);
}

void ClusterLink::refreshFromState(const std::string& dataDir) {
  if (!masterPid) return;
  auto state = core::parseJson(
      telemetry::readSmallFile((std::filesystem::path(dataDir) / kClusterStateFile).string()));
  if (!state || !state->is_object()) return;
  restarts = state->value("restarts", restarts);
  lastReloadAt = state->value("lastReloadAt", lastReloadAt);
  lastReloadOutcome = state->value("lastReloadOutcome", lastReloadOutcome);
}

void ClusterLink::notifyReady() const {
  if (controlFd < 0) return;
  const ssize_t ignored = ::write(controlFd, kReadyMessage, sizeof(kReadyMessage) - 1);
  (void)ignored;
  ::close(controlFd);
}

}  // namespace ballast::app
