#include "api/services_routes.h"

#include <fmt/format.h>

#include "api/discovery_routes.h"
#include "api/service_views.h"
#include "core/service_spec.h"

namespace ballast::api {

namespace {

// Only admins see a provider's commands, environment values and credential paths.
bool revealsProviders(const RequestContext& ctx) {
  return ctx.identity.role == security::Role::kAdmin;
}

core::Result<Reply> describe(proxy::Catalog& catalog, const RequestContext& ctx, int status = 200) {
  const auto& name = ctx.param("name");
  auto service = catalog.registry().find(name);
  if (!service)
    return core::fail(core::ErrorCode::kNotFound, fmt::format("Service {} not found", name));
  return Reply{.status = status,
               .data = serviceJson(*service, catalog.origin(name), revealsProviders(ctx))};
}

// The PUT body as a spec: every problem at once, including a name that
// differs from the path's.
core::Result<core::ServiceSpec> readSpec(const proxy::Catalog& catalog, const RequestContext& ctx) {
  const auto& name = ctx.param("name");
  auto spec = core::parseServiceSpec(ctx.body, catalog.defaults(), core::PathStyle::kJsonPointer,
                                     "", false);
  core::Error error =
      spec ? core::Error{core::ErrorCode::kValidation, "Request validation failed", {}}
           : spec.error();
  if (ctx.body.is_object()) {
    auto given = ctx.body.find("name");
    if (given != ctx.body.end() && given->is_string() && given->get<std::string>() != name) {
      error.details.push_back({"/name", fmt::format("must match the name in the path ({})", name)});
    }
  }
  if (!error.details.empty()) return std::unexpected(error);
  return spec;
}

}  // namespace

void registerServicesRoutes(AdminApi& api, proxy::Catalog& catalog) {
  const std::string base = "/api/infrastructure/services";

  api.add("GET", base, security::Role::kViewer,
          [&catalog](RequestContext& ctx) -> core::Result<Reply> {
            core::Json list = core::Json::array();
            for (const auto& service : catalog.registry().list()) {
              list.push_back(
                  serviceJson(*service, catalog.origin(service->name()), revealsProviders(ctx)));
            }
            return Reply{.data = list};
          });

  api.add("GET", base + "/:name", security::Role::kViewer,
          [&catalog](RequestContext& ctx) { return describe(catalog, ctx); });

  api.add("PUT", base + "/:name", security::Role::kAdmin,
          [&catalog](RequestContext& ctx) -> core::Result<Reply> {
            auto spec = readSpec(catalog, ctx);
            if (!spec) return std::unexpected(spec.error());
            auto created = catalog.putService(ctx.param("name"), std::move(*spec));
            if (!created) return std::unexpected(created.error());
            return describe(catalog, ctx, *created ? 201 : 200);
          });

  api.add("DELETE", base + "/:name", security::Role::kAdmin,
          [&catalog](RequestContext& ctx) -> core::Result<Reply> {
            if (auto s = catalog.deleteService(ctx.param("name")); !s)
              return std::unexpected(s.error());
            return Reply{.data = {{"name", ctx.param("name")}, {"deleted", true}}};
          });

  api.add("POST", base + "/:name/servers", security::Role::kAdmin,
          [&catalog](RequestContext& ctx) -> core::Result<Reply> {
            auto body = readServerBody(ctx.body, true);
            if (!body) return std::unexpected(body.error());
            auto added = catalog.addServer(ctx.param("name"), body->host, body->port, body->weight,
                                           proxy::Catalog::IfMissing::kCreate, body->registration);
            if (!added) return std::unexpected(added.error());
            core::Json data = registeredServerJson(*added, body->registration);
            data["service"] = ctx.param("name");
            return Reply{.status = 201, .data = data};
          });

  api.add("DELETE", base + "/:name/servers/:serverId", security::Role::kAdmin,
          [&catalog](RequestContext& ctx) -> core::Result<Reply> {
            auto removed = catalog.removeServer(ctx.param("serverId"), ctx.param("name"));
            if (!removed) return std::unexpected(removed.error());
            return Reply{.data = removedServerJson(*removed)};
          });

  registerDiscoveryRoutes(api, catalog);
}

}  // namespace ballast::api
