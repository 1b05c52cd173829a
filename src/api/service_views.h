#pragma once
// JSON views of services and servers, and the server body, shared by the
// load-balancer routes (the seed's shapes) and the services routes:
//
//   server:   {id, host, port, weight, status, health, connections, responseTime}
//             status: "active" | "maintenance" | "draining"
//             health: "healthy" | "unhealthy" | "ejected" | "circuit-open"
//   counters: {totalRequests, totalConnections, activeConnections,
//              averageResponseTime (ms), errorRate (0..1), retries, rejected}
//   stats:    counters + {algorithm, servers: [server + latency...]}
//   service:  toJson(spec) + {origin, servers: [server + latency...], stats: counters}
//   latency:  {p50, p95, p99 (ms, over the last minute; null before any response), samples}
//
// Thread-safety: pure functions over the Registry's thread-safe reads.

#include <ballast/load_balancer.h>

#include <string>

#include "core/error.h"
#include "core/json.h"
#include "proxy/catalog.h"
#include "proxy/service.h"

namespace ballast::api {

// The body of "add a server": {host, port, weight?}; weight defaults to 1.
// With `withRegistration`, also tags, metadata and check
// (proxy/server_registration.h). Unknown fields are refused; every failing
// field is named ("/port", "/tags/0").
struct ServerBody {
  std::string host;
  int port = 0;
  int weight = 1;
  proxy::ServerRegistration registration;
};
core::Result<ServerBody> readServerBody(const core::Json& body, bool withRegistration = false);

std::string serverStatus(const ServerInfo& server);
std::string serverHealth(const ServerInfo& server);
core::Json serverJson(const ServerInfo& server);
// serverJson plus the registration's {tags, metadata, check}.
core::Json registeredServerJson(const ServerInfo& server,
                                const proxy::ServerRegistration& registration);
// The reply to a server's removal: the server with status "draining" (still
// finishing requests) or "removed", and its service.
core::Json removedServerJson(const proxy::RemovedServer& removed);

core::Json countersJson(const proxy::ServiceCounters& counters);
core::Json statsJson(const proxy::Service& service);
// `revealProvider` false (viewers, operators): the provider's commands,
// environment values and credential paths read "[redacted]".
core::Json serviceJson(const proxy::Service& service, const std::string& origin,
                       bool revealProvider);

// A provider object as a viewer or operator may see it: commands (command,
// scaleOut, scaleIn, list), environment values, and paths that lead to
// credentials or code (tokenFile, caFile, kubeconfig, workingDirectory)
// replaced by "[redacted]"; keys and everything else kept.
core::Json redactedProvider(const core::Json& provider);
// {name, algorithm, healthyServers, totalServers}: one line of the dashboard.
core::Json serviceSummaryJson(const proxy::Service& service);
// The dashboard's `loadBalancer`: stats of "default" (when loaded) + services: [summary...].
core::Json loadBalancerOverviewJson(const proxy::Registry& registry);

}  // namespace ballast::api
