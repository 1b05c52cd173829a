#include "api/profiling_routes.h"

#include <fmt/format.h>

#include <cmath>

#include "core/clock.h"

namespace ballast::api {

namespace {

// {p50, p95, p99 (ms, 3 decimals; null without samples), samples}.
core::Json quantilesJson(const telemetry::LatencyWindow& window, core::MonoTime now) {
  const auto recent = window.window(now);
  auto ms = [&](double q) -> core::Json {
    const auto micros = recent.quantileMicros(q);
    return micros ? core::Json(std::round(*micros) / 1000.0) : core::Json(nullptr);
  };
  return {{"p50", ms(0.5)}, {"p95", ms(0.95)}, {"p99", ms(0.99)}, {"samples", recent.count}};
}

}  // namespace

void registerProfilingRoutes(AdminApi& api, const proxy::Registry& registry, const std::vector<RouteTiming>& routes) {
  api.add("GET", "/api/infrastructure/profiling", security::Role::kViewer,
          [&registry, &routes](RequestContext&) -> core::Result<Reply> {
            const core::MonoTime now = core::SystemClock::instance().now();  // the recorders' clock
            core::Json servers = core::Json::array();
            for (const auto& service : registry.list()) {
              const auto snapshot = service->snapshot();
              for (const auto& server : snapshot->pool->servers()) {
                core::Json entry{{"service", service->name()},
                                 {"server", server->id()},
                                 {"address", fmt::format("{}:{}", server->host(), server->port())}};
                entry.update(quantilesJson(server->responseTimes(), now));
                servers.push_back(std::move(entry));
              }
            }
            core::Json byRoute = core::Json::array();
            for (const auto& route : routes) {
              if (route.latency->totalCount() == 0) continue;
              core::Json entry{{"method", route.method}, {"route", route.pattern}};
              entry.update(quantilesJson(*route.latency, now));
              entry["total"] = route.latency->totalCount();
              byRoute.push_back(std::move(entry));
            }
            return Reply{.data = {{"window", "last minute"}, {"servers", std::move(servers)},
                                  {"routes", std::move(byRoute)}}};
          });
}

}  // namespace ballast::api
