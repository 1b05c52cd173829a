#include "api/cluster_routes.h"

#include <memory>

namespace ballast::api {

core::Json clusterJson(const ClusterView& view, int64_t uptimeSeconds) {
  core::Json lastReload = nullptr;
  if (!view.lastReloadAt.empty()) {
    lastReload = {{"time", view.lastReloadAt}, {"outcome", view.lastReloadOutcome}};
  }
  return {{"mode", view.masterPid ? "master-worker" : "single-process"},
          {"masterPid", view.masterPid ? core::Json(*view.masterPid) : core::Json(nullptr)},
          {"workerPid", view.workerPid},
          {"generation", view.generation},
          {"threads", view.threads},
          {"restarts", view.restarts},
          {"uptime", uptimeSeconds},
          {"lastReload", lastReload}};
}

core::Json clusterReportJson(const ClusterDeps& deps) {
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(deps.clock.now() - deps.startedAt).count();
  return clusterJson(deps.view(), uptime);
}

void registerClusterRoutes(AdminApi& api, ClusterDeps deps) {
  auto shared = std::make_shared<ClusterDeps>(std::move(deps));
  api.add("GET", "/api/infrastructure/cluster", security::Role::kViewer,
          [shared](RequestContext&) -> core::Result<Reply> {
            return Reply{.data = clusterReportJson(*shared)};
          });
  api.add("POST", "/api/infrastructure/cluster/reload", security::Role::kAdmin,
          [shared](RequestContext&) -> core::Result<Reply> {
            if (!shared->view().masterPid) {
              return core::fail(core::ErrorCode::kConflict,
                                "Reload needs a master process (cluster.enabled: true); this ballast runs alone");
            }
            if (auto valid = shared->validateConfig(); !valid) {
              auto error = valid.error();
              error.message = "The new configuration is invalid; the running worker stays: " + error.message;
              return std::unexpected(error);
            }
            if (auto sent = shared->requestReload(); !sent) return std::unexpected(sent.error());
            return Reply{.status = 202,
                         .data = {{"status", "reloading"},
                                  {"message", "A new worker generation starts; the current one drains once it is ready"}}};
          });
}

}  // namespace ballast::api
