#pragma once
// Cluster endpoints:
//   GET  /api/infrastructure/cluster         viewer: master and worker pids, generation, threads,
//                                            restarts, uptime, last reload
//   POST /api/infrastructure/cluster/reload  admin: validate the configuration, then ask the
//                                            master to start a new worker generation (202)

#include <functional>
#include <optional>
#include <string>

#include "api/admin_api.h"
#include "core/clock.h"
#include "core/error.h"

namespace ballast::api {

struct ClusterView {
  std::optional<int> masterPid;  // none: running without a master (cluster.enabled=false)
  int workerPid = 0;
  int generation = 1;
  int threads = 1;
  int restarts = 0;
  std::string lastReloadAt;
  std::string lastReloadOutcome;
};

struct ClusterDeps {
  std::function<ClusterView()> view;  // read on every request (restarts and reloads change)
  const core::Clock& clock;
  core::MonoTime startedAt;
  // Loads and validates the configuration the next generation would use.
  std::function<core::Status()> validateConfig;
  // Asks the master to reload (signals it).
  std::function<core::Status()> requestReload;
};

void registerClusterRoutes(AdminApi& api, ClusterDeps deps);
// The view as JSON.
core::Json clusterJson(const ClusterView& view, int64_t uptimeSeconds);
// The body of GET /api/infrastructure/cluster now (also the dashboard's `cluster`).
core::Json clusterReportJson(const ClusterDeps& deps);

}  // namespace ballast::api
