#include "api/service_views.h"

#include <algorithm>
#include <cmath>

#include "core/json_reader.h"
#include "core/service_spec.h"

namespace ballast::api {

using core::Json;

namespace {

double roundTo(double value, double scale) {
  return std::round(value * scale) / scale;
}

// Response-time quantiles over the last minute, in ms (null before any response).
Json latencyJson(const lb::ServerState& state, core::MonoTime now) {
  const auto recent = state.responseTimes().window(now);
  auto ms = [&](double q) -> Json {
    const auto micros = recent.quantileMicros(q);
    return micros ? Json(roundTo(*micros / 1000.0, 1000)) : Json(nullptr);
  };
  return {{"p50", ms(0.5)}, {"p95", ms(0.95)}, {"p99", ms(0.99)}, {"samples", recent.count}};
}

// The servers of a stats or service view: serverJson plus `latency`.
Json serversJson(const proxy::Service& service) {
  const core::MonoTime now =
      core::SystemClock::instance().now();  // the data plane's recording clock
  Json servers = Json::array();
  for (const auto& s : service.balancer().servers()) {
    Json server = serverJson(s);
    if (auto state = service.balancer().state(s.id)) server["latency"] = latencyJson(*state, now);
    servers.push_back(std::move(server));
  }
  return servers;
}

}  // namespace

core::Result<ServerBody> readServerBody(const Json& body, bool withRegistration) {
  core::JsonReader v(body);
  auto host = v.string("host", {.required = true, .minLength = 1, .maxLength = 253});
  if (host && !core::isValidHost(*host)) v.addError("host", "must be a host name or IP address");
  auto port = v.integer("port", {.required = true, .min = 1, .max = 65535});
  auto weight = v.integer("weight", {.min = 0, .max = 1000});
  auto registration = withRegistration ? proxy::readRegistration(v) : proxy::ServerRegistration{};
  v.rejectUnknown();
  if (auto ok = v.result(); !ok) return std::unexpected(ok.error());
  return ServerBody{*host, static_cast<int>(*port), static_cast<int>(weight.value_or(1)),
                    std::move(registration)};
}

std::string serverStatus(const ServerInfo& s) {
  if (s.draining) return "draining";
  if (s.maintenance) return "maintenance";
  return "active";
}

std::string serverHealth(const ServerInfo& s) {
  if (!s.healthy) return "unhealthy";
  if (s.ejected) return "ejected";
  if (s.circuitOpen) return "circuit-open";
  return "healthy";
}

Json serverJson(const ServerInfo& s) {
  return {{"id", s.id},
          {"host", s.host},
          {"port", s.port},
          {"weight", s.weight},
          {"status", serverStatus(s)},
          {"health", serverHealth(s)},
          {"connections", std::max<int64_t>(0, s.connections)},
          {"responseTime", roundTo(s.responseTime, 10)}};
}

Json registeredServerJson(const ServerInfo& server, const proxy::ServerRegistration& registration) {
  Json out = serverJson(server);
  out.update(proxy::toJson(registration));
  return out;
}

Json removedServerJson(const proxy::RemovedServer& removed) {
  Json out = serverJson(removed.server);
  out["status"] = removed.draining ? "draining" : "removed";
  out["service"] = removed.service;
  return out;
}

namespace {

// ballast's counters beyond the seed's, placed after the seed's fields.
void addExtraCounters(Json& out, const proxy::ServiceCounters& c) {
  const auto relaxed = std::memory_order_relaxed;
  out["retries"] = c.retries.load(relaxed);
  out["rejected"] =
      c.noServer.load(relaxed) + c.limited.load(relaxed) + c.circuitRejected.load(relaxed);
}

Json seedCounters(const proxy::ServiceCounters& c) {
  const auto relaxed = std::memory_order_relaxed;
  const uint64_t requests = c.requests.load(relaxed);
  const uint64_t responses = c.responses.load(relaxed);
  const double average = responses == 0 ? 0.0
                                        : static_cast<double>(c.responseMicros.load(relaxed)) /
                                              static_cast<double>(responses) / 1000.0;
  const double errorRate = requests == 0
                               ? 0.0
                               : std::min(1.0, static_cast<double>(c.errors.load(relaxed)) /
                                                   static_cast<double>(requests));
  return {{"totalRequests", requests},
          {"totalConnections", c.connections.load(relaxed)},
          {"activeConnections", std::max<int64_t>(0, c.activeRequests.load(relaxed))},
          {"averageResponseTime", roundTo(average, 10)},
          {"errorRate", roundTo(errorRate, 10000)}};
}

}  // namespace

Json countersJson(const proxy::ServiceCounters& counters) {
  Json out = seedCounters(counters);
  addExtraCounters(out, counters);
  return out;
}

Json statsJson(const proxy::Service& service) {
  Json out = seedCounters(service.counters());
  out["algorithm"] = service.spec()->algorithm;
  out["servers"] = serversJson(service);
  addExtraCounters(out, service.counters());
  return out;
}

Json redactedProvider(const Json& provider) {
  if (!provider.is_object()) return provider;
  static constexpr std::string_view kSecretFields[] = {"command",    "scaleOut",        "scaleIn",
                                                       "list",       "tokenFile",       "caFile",
                                                       "kubeconfig", "workingDirectory"};
  Json out = provider;
  for (auto field : kSecretFields) {
    auto it = out.find(std::string(field));
    if (it != out.end() && !it->is_null()) *it = "[redacted]";
  }
  if (auto env = out.find("environment"); env != out.end() && env->is_object()) {
    for (auto& [key, value] : env->items()) value = "[redacted]";
  }
  return out;
}

Json serviceJson(const proxy::Service& service, const std::string& origin, bool revealProvider) {
  Json out = core::toJson(*service.spec());
  if (!revealProvider && out.contains("provider"))
    out["provider"] = redactedProvider(out["provider"]);
  out["origin"] = origin;
  out["servers"] = serversJson(service);
  out["stats"] = countersJson(service.counters());
  return out;
}

Json serviceSummaryJson(const proxy::Service& service) {
  const auto servers = service.balancer().servers();
  const auto healthy = std::count_if(servers.begin(), servers.end(), [](const ServerInfo& s) {
    return serverHealth(s) == "healthy";
  });
  return {{"name", service.name()},
          {"algorithm", service.spec()->algorithm},
          {"healthyServers", healthy},
          {"totalServers", servers.size()}};
}

Json loadBalancerOverviewJson(const proxy::Registry& registry) {
  Json out = Json::object();
  if (auto fallback = registry.find(proxy::kDefaultServiceName)) out = statsJson(*fallback);
  Json services = Json::array();
  for (const auto& service : registry.list()) services.push_back(serviceSummaryJson(*service));
  out["services"] = std::move(services);
  return out;
}

}  // namespace ballast::api
