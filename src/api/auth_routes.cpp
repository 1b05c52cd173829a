#include "api/auth_routes.h"

#include "core/json_reader.h"

namespace ballast::api {

core::Json apiKeyJson(const security::ApiKeyInfo& info) {
  return {{"id", info.id},
          {"name", info.name},
          {"role", security::roleName(info.role)},
          {"createdAt", info.createdAt},
          {"lastUsedAt", info.lastUsedAt.empty() ? core::Json(nullptr) : core::Json(info.lastUsedAt)}};
}

void registerAuthRoutes(AdminApi& api, security::ApiKeys& keys) {
  const std::string base = "/api/infrastructure/auth/api-keys";
  using security::Role;

  api.add("POST", base, Role::kAdmin, [&keys](RequestContext& ctx) -> core::Result<Reply> {
    core::JsonReader r(ctx.body);
    auto name = r.string("name", {.required = true, .minLength = 1, .maxLength = 64});
    auto role = r.string("role", {.required = true, .oneOf = {"viewer", "operator", "admin"}});
    r.rejectUnknown();
    if (auto ok = r.result(); !ok) return std::unexpected(ok.error());
    auto issued = keys.create(*name, *security::parseRole(*role));
    if (!issued) return std::unexpected(issued.error());
    core::Json data = apiKeyJson(issued->info);
    data["key"] = issued->key;  // shown this once; only its hash is kept
    return Reply{.status = 201, .data = std::move(data)};
  });

  api.add("GET", base, Role::kAdmin, [&keys](RequestContext&) -> core::Result<Reply> {
    core::Json list = core::Json::array();
    for (const auto& info : keys.list()) list.push_back(apiKeyJson(info));
    return Reply{.data = std::move(list)};
  });

  api.add("DELETE", base + "/:id", Role::kAdmin, [&keys](RequestContext& ctx) -> core::Result<Reply> {
    if (auto ok = keys.revoke(ctx.param("id")); !ok) return std::unexpected(ok.error());
    return Reply{.data = core::Json{{"id", ctx.param("id")}, {"revoked", true}}};
  });
}

}  // namespace ballast::api
