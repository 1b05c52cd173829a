#pragma once
// JSON views of services and servers, and the server body, shared by the
// load-balancer routes (the seed's shapes) and the services routes:
//
//   server:   {id, host, port, weight, status, health, connections, responseTime}
//             status: "active" | "maintenance" | "draining"
//             health: "healthy" | "unhealthy" | "ejected" | "circuit-open"
//   counters: {totalRequests, totalConnections, activeConnections,
//              averageResponseTime (ms), errorRate (0..1), retries, rejected}
//   stats:    counters + {algorithm, servers: [server...]}
//   service:  toJson(spec) + {origin, servers: [server...], stats: counters}
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
// Unknown fields are refused; every failing field is named ("/port").
struct ServerBody {
  std::string host;
  int port = 0;
  int weight = 1;
};
core::Result<ServerBody> readServerBody(const core::Json& body);

std::string serverStatus(const ServerInfo& server);
std::string serverHealth(const ServerInfo& server);
core::Json serverJson(const ServerInfo& server);
// The reply to a server's removal: the server with status "draining" (still
// finishing requests) or "removed", and its service.
core::Json removedServerJson(const proxy::RemovedServer& removed);

core::Json countersJson(const proxy::ServiceCounters& counters);
core::Json statsJson(const proxy::Service& service);
core::Json serviceJson(const proxy::Service& service, const std::string& origin);

}  // namespace ballast::api
