#pragma once
// The link between a worker and the master that started it, passed through the
// worker's environment (see master.cpp): who the master is, this worker's
// generation, restarts so far, the last reload, and a pipe on which the worker
// says it is ready to serve.

#include <sys/types.h>

#include <optional>
#include <string>

namespace ballast::app {

// Environment variable names shared by master and worker.
inline constexpr const char* kEnvMasterPid = "BALLAST_MASTER_PID";
inline constexpr const char* kEnvGeneration = "BALLAST_GENERATION";
inline constexpr const char* kEnvRestarts = "BALLAST_RESTARTS";
inline constexpr const char* kEnvControlFd = "BALLAST_CONTROL_FD";
inline constexpr const char* kEnvLastReloadAt = "BALLAST_LAST_RELOAD_AT";
inline constexpr const char* kEnvLastReloadOutcome = "BALLAST_LAST_RELOAD_OUTCOME";
// The file in the data directory where the master keeps restarts and reloads.
inline constexpr const char* kClusterStateFile = "cluster.json";
// Writes it atomically (master side).
void writeClusterState(const std::string& dataDir, int generation, int restarts, const std::string& lastReloadAt,
                       const std::string& lastReloadOutcome);
// The message a worker writes on its control pipe once it serves.
inline constexpr char kReadyMessage[] = "ready\n";

struct ClusterLink {
  std::optional<pid_t> masterPid;  // none when running without a master
  int generation = 1;
  int restarts = 0;
  int controlFd = -1;
  std::string lastReloadAt;       // ISO 8601; empty before the first reload
  std::string lastReloadOutcome;  // "succeeded" | "failed: ..." | empty

  static ClusterLink fromEnvironment();
  // Restarts and the last reload as the master last wrote them to
  // `<dataDir>/cluster.json` (they change after this worker started).
  void refreshFromState(const std::string& dataDir);
  // Tells the master this worker is serving (no-op without a master).
  void notifyReady() const;
};

}  // namespace ballast::app
