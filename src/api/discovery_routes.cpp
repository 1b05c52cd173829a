#include "api/discovery_routes.h"

#include <fmt/format.h>

#include "api/query_reader.h"
#include "api/service_views.h"

namespace ballast::api {

namespace {

bool passes(const ServerInfo& server) {
  return serverStatus(server) == "active" && serverHealth(server) == "healthy";
}

}  // namespace

void registerDiscoveryRoutes(AdminApi& api, proxy::Catalog& catalog) {
  const std::string servers = "/api/infrastructure/services/:name/servers";

  api.add("GET", servers, security::Role::kViewer, [&catalog](RequestContext& ctx) -> core::Result<Reply> {
    QueryReader q(ctx.request.query);
    auto healthy = q.string("healthy", {.oneOf = {"true", "false"}});
    q.rejectUnknown();
    if (auto s = q.result(); !s) return std::unexpected(s.error());
    const auto& name = ctx.param("name");
    auto service = catalog.registry().find(name);
    if (!service) return core::fail(core::ErrorCode::kNotFound, fmt::format("Service {} not found", name));
    const bool onlyPassing = healthy == "true";
    core::Json list = core::Json::array();
    for (const auto& server : service->balancer().servers()) {
      if (onlyPassing && !passes(server)) continue;
      list.push_back(registeredServerJson(server, catalog.registration(server.id)));
    }
    return Reply{.data = list};
  });

  api.add("PUT", servers + "/:serverId/heartbeat", security::Role::kOperator,
          [&catalog](RequestContext& ctx) -> core::Result<Reply> {
            auto server = catalog.heartbeat(ctx.param("name"), ctx.param("serverId"));
            if (!server) return std::unexpected(server.error());
            return Reply{.data = registeredServerJson(*server, catalog.registration(server->id))};
          });
}

}  // namespace ballast::api
