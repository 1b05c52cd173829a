#include "api/loadbalancer_routes.h"

#include "api/service_views.h"
#include "core/json_reader.h"

namespace ballast::api {

void registerLoadBalancerRoutes(AdminApi& api, proxy::Catalog& catalog) {
  const std::string base = "/api/infrastructure/loadbalancer";
  const std::string defaultService(proxy::kDefaultServiceName);

  api.add("GET", base + "/stats", security::Role::kViewer, [&catalog, defaultService](RequestContext&) -> core::Result<Reply> {
    auto service = catalog.registry().find(defaultService);
    if (!service) return core::fail(core::ErrorCode::kUnavailable, "The default service is not loaded yet");
    return Reply{.data = statsJson(*service)};
  });

  api.add("POST", base + "/servers", security::Role::kAdmin, [&catalog, defaultService](RequestContext& ctx) -> core::Result<Reply> {
    auto body = readServerBody(ctx.body);
    if (!body) return std::unexpected(body.error());
    auto added = catalog.addServer(defaultService, body->host, body->port, body->weight);
    if (!added) return std::unexpected(added.error());
    return Reply{.status = 201, .data = serverJson(*added)};
  });

  api.add("DELETE", base + "/servers/:serverId", security::Role::kAdmin, [&catalog](RequestContext& ctx) -> core::Result<Reply> {
    auto removed = catalog.removeServer(ctx.param("serverId"));
    if (!removed) return std::unexpected(removed.error());
    return Reply{.data = removedServerJson(*removed)};
  });

  api.add("PUT", base + "/servers/:serverId/maintenance", security::Role::kOperator,
          [&catalog](RequestContext& ctx) -> core::Result<Reply> {
            core::JsonReader v(ctx.body);
            auto maintenance = v.boolean("maintenance", true);
            v.rejectUnknown();
            if (auto ok = v.result(); !ok) return std::unexpected(ok.error());
            auto server = catalog.setMaintenance(ctx.param("serverId"), *maintenance);
            if (!server) return std::unexpected(server.error());
            return Reply{.data = serverJson(*server)};
          });
}

}  // namespace ballast::api
