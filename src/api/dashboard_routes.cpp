#include "api/dashboard_routes.h"

#include <memory>

#include "api/status_page.h"

namespace ballast::api {

using core::Json;

namespace {

Json scalingJson() {
  return {{"events", Json::array()},
          {"services", Json::array()},
          {"note", "Auto-scaling is not built yet; this section stays empty until it is."}};
}

Json alertsJson(const DashboardDeps& deps) {
  if (deps.alerts) return deps.alerts();
  return {{"active", Json::array()}};
}

}  // namespace

core::Result<Json> dashboardJson(const DashboardDeps& deps) {
  auto health = deps.health();
  if (!health) return std::unexpected(health.error());
  return Json{{"health", std::move(*health)},
              {"cluster", deps.cluster ? deps.cluster() : Json(nullptr)},
              {"loadBalancer", deps.loadBalancer ? deps.loadBalancer() : Json(nullptr)},
              {"cache", deps.cache ? deps.cache() : Json(nullptr)},
              {"scaling", deps.scaling ? deps.scaling() : scalingJson()},
              {"alerts", alertsJson(deps)}};
}

void registerDashboardRoutes(AdminApi& api, DashboardDeps deps) {
  auto shared = std::make_shared<DashboardDeps>(std::move(deps));

  api.add("GET", "/api/infrastructure/dashboard", security::Role::kViewer,
          [shared](RequestContext&) -> core::Result<Reply> {
            auto data = dashboardJson(*shared);
            if (!data) return std::unexpected(data.error());
            return Reply{.data = std::move(*data)};
          });

  api.add("GET", "/status", std::nullopt, [shared](RequestContext&) -> core::Result<Reply> {
    auto data = dashboardJson(*shared);
    if (!data) return std::unexpected(data.error());
    return Reply{.rawBody = renderStatusPage(*data, shared->version),
                 .contentType = "text/html; charset=utf-8"};
  });
}

}  // namespace ballast::api
