#include "api/health_routes.h"

#include <cmath>
#include <memory>

#include "api/health_rollup.h"
#include "core/json_reader.h"
#include "core/service_spec.h"
#include "core/time_format.h"

namespace ballast::api {

using core::Json;

namespace {

double round1(double value) {
  return std::round(value * 10.0) / 10.0;
}

int64_t uptimeSeconds(const HealthDeps& deps) {
  return std::chrono::duration_cast<std::chrono::seconds>(deps.clock.now() - deps.startedAt)
      .count();
}

Json serviceJson(const store::ServiceStatusRecord& r) {
  Json details = Json::object();
  if (auto parsed = core::parseJson(r.detailsJson); parsed && parsed->is_object())
    details = *parsed;
  return {{"service", r.name},
          {"status", r.status},
          {"responseTime", r.responseTime},
          {"details", details},
          {"timestamp", r.updatedAt}};
}

Json systemJson(const telemetry::SystemSnapshot& s) {
  Json system = {{"cpu", {{"usage", round1(s.cpuUsage)}, {"cores", s.cpuCores}}},
                 {"memory", {{"total", s.memory.total}, {"used", s.memory.used()}}}};
  if (s.disk) {
    system["disk"] = {{"total", s.disk->total},
                      {"used", s.disk->used},
                      {"free", s.disk->free},
                      {"percentage", round1(s.disk->percentage())}};
  }
  return system;
}

}  // namespace

namespace {

std::vector<PoolHealth> poolsOf(const proxy::Registry* registry) {
  std::vector<PoolHealth> pools;
  if (registry == nullptr) return pools;
  for (const auto& service : registry->list()) {
    const auto snapshot = service->snapshot();
    PoolHealth pool{service->name(), 0, snapshot->pool->servers().size()};
    for (const auto& server : snapshot->pool->servers()) {
      if (server->isEligible()) ++pool.eligible;
    }
    pools.push_back(std::move(pool));
  }
  return pools;
}

}  // namespace

core::Result<Json> healthReportJson(const HealthDeps& deps) {
  std::vector<ComponentHealth> components;
  Json list = Json::array();
  const auto pools = poolsOf(deps.registry);
  for (const auto& pool : pools) {
    list.push_back({{"service", pool.service},
                    {"status", poolStatus(pool.eligible, pool.total)},
                    {"source", "load-balancer"},
                    {"servers", {{"eligible", pool.eligible}, {"total", pool.total}}}});
  }
  auto reported = deps.services.list();
  if (reported) {
    for (const auto& s : *reported) {
      Json entry = serviceJson(s);
      entry["source"] = "reported";
      list.push_back(std::move(entry));
      components.push_back({"reported service " + s.name, s.status, ""});
    }
  } else {
    components.push_back({"store", "unhealthy", reported.error().message});
  }
  Json cache = deps.cache ? deps.cache() : Json();
  if (cache.is_object() && cache.contains("status") && cache["status"].is_string()) {
    components.push_back({"cache", cache["status"].get<std::string>(),
                          cache.contains("reason") && cache["reason"].is_string()
                              ? cache["reason"].get<std::string>()
                              : ""});
  }
  const HealthVerdict verdict = rollUpHealth(pools, components);
  Json data = {{"status", verdict.status},
               {"reasons", verdict.reasons},
               {"timestamp", core::isoUtc(deps.clock.wallNow())},
               {"services", list},
               {"system", systemJson(deps.system.snapshot())},
               {"uptime", uptimeSeconds(deps)}};
  if (!cache.is_null()) data["cache"] = cache;
  return data;
}

void registerHealthRoutes(AdminApi& api, HealthDeps deps) {
  auto shared = std::make_shared<HealthDeps>(std::move(deps));

  api.add("GET", "/health", std::nullopt, [shared](RequestContext&) -> core::Result<Reply> {
    return Reply{.data = {{"status", "ok"},
                          {"draining", shared->draining()},
                          {"uptime", uptimeSeconds(*shared)},
                          {"version", shared->version}}};
  });

  api.add("GET", "/ready", std::nullopt, [shared](RequestContext&) -> core::Result<Reply> {
    if (shared->draining()) return core::fail(core::ErrorCode::kUnavailable, "Not ready: draining");
    if (shared->ready && !shared->ready())
      return core::fail(core::ErrorCode::kUnavailable, "Not ready: starting");
    return Reply{.data = {{"status", "ready"}, {"uptime", uptimeSeconds(*shared)}}};
  });

  api.add("GET", "/api/infrastructure/health", security::Role::kViewer,
          [shared](RequestContext&) -> core::Result<Reply> {
            auto report = healthReportJson(*shared);
            if (!report) return std::unexpected(report.error());
            return Reply{.data = std::move(*report)};
          });

  api.add("POST", "/api/infrastructure/services/:name/status", security::Role::kOperator,
          [shared](RequestContext& ctx) -> core::Result<Reply> {
            const auto& name = ctx.param("name");
            core::JsonReader v(ctx.body);
            if (!core::isValidServiceName(name)) {
              v.addError("name",
                         "service names are 1-64 characters of letters, digits, '-', '_' and '.'");
            }
            auto status = v.string(
                "status", {.required = true, .oneOf = {"healthy", "degraded", "unhealthy"}});
            auto responseTime = v.number("responseTime", {.min = 0, .max = 3.6e6});
            const Json* details = v.rawObject("details", false);
            v.any("service", false);  // the seed's record repeats the name; accepted, ignored
            v.any("timestamp", false);
            v.any("dependencies", false);
            v.rejectUnknown();
            if (auto ok = v.result(); !ok) return std::unexpected(ok.error());
            store::ServiceStatusRecord record{name, *status, responseTime.value_or(0),
                                              details ? details->dump() : "{}",
                                              core::isoUtc(shared->clock.wallNow())};
            if (auto saved = shared->services.upsert(record); !saved)
              return std::unexpected(saved.error());
            return Reply{.status = 200, .data = serviceJson(record)};
          });
}

}  // namespace ballast::api
