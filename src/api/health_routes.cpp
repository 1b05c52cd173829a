#include "api/health_routes.h"

#include <cmath>
#include <memory>

#include "core/json_reader.h"
#include "core/service_spec.h"
#include "core/time_format.h"

namespace ballast::api {

using core::Json;

namespace {

double round1(double value) { return std::round(value * 10.0) / 10.0; }

int64_t uptimeSeconds(const HealthDeps& deps) {
  return std::chrono::duration_cast<std::chrono::seconds>(deps.clock.now() - deps.startedAt).count();
}

Json serviceJson(const store::ServiceStatusRecord& r) {
  Json details = Json::object();
  if (auto parsed = core::parseJson(r.detailsJson); parsed && parsed->is_object()) details = *parsed;
  return {{"service", r.name}, {"status", r.status}, {"responseTime", r.responseTime},
          {"details", details}, {"timestamp", r.updatedAt}};
}

Json systemJson(const telemetry::SystemSnapshot& s) {
  Json system = {{"cpu", {{"usage", round1(s.cpuUsage)}, {"cores", s.cpuCores}}},
                 {"memory", {{"total", s.memory.total}, {"used", s.memory.used()}}}};
  if (s.disk) {
    system["disk"] = {{"total", s.disk->total}, {"used", s.disk->used},
                      {"free", s.disk->free}, {"percentage", round1(s.disk->percentage())}};
  }
  return system;
}

}  // namespace

std::string overallStatus(const std::vector<store::ServiceStatusRecord>& services) {
  size_t healthy = 0, unhealthy = 0;
  for (const auto& s : services) {
    if (s.status == "healthy") ++healthy;
    if (s.status == "unhealthy") ++unhealthy;
  }
  if (healthy == services.size()) return "healthy";
  if (unhealthy == services.size()) return "unhealthy";
  return "degraded";
}

core::Result<Json> healthReportJson(const HealthDeps& deps) {
  auto services = deps.services.list();
  if (!services) return std::unexpected(services.error());
  Json list = Json::array();
  for (const auto& s : *services) list.push_back(serviceJson(s));
  Json data = {{"status", overallStatus(*services)},
               {"timestamp", core::isoUtc(deps.clock.wallNow())},
               {"services", list},
               {"system", systemJson(deps.system.snapshot())},
               {"uptime", uptimeSeconds(deps)}};
  if (deps.cache) data["cache"] = deps.cache();
  return data;
}

void registerHealthRoutes(AdminApi& api, HealthDeps deps) {
  auto shared = std::make_shared<HealthDeps>(std::move(deps));

  api.add("GET", "/health", std::nullopt, [shared](RequestContext&) -> core::Result<Reply> {
    if (shared->draining()) return core::fail(core::ErrorCode::kUnavailable, "Draining: shutting down");
    return Reply{.data = {{"status", "ok"}, {"uptime", uptimeSeconds(*shared)},
                          {"version", shared->version}}};
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
              v.addError("name", "service names are 1-64 characters of letters, digits, '-', '_' and '.'");
            }
            auto status = v.string("status", {.required = true, .oneOf = {"healthy", "degraded", "unhealthy"}});
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
            if (auto saved = shared->services.upsert(record); !saved) return std::unexpected(saved.error());
            return Reply{.status = 200, .data = serviceJson(record)};
          });
}

}  // namespace ballast::api
