#pragma once
// The seed's load-balancer endpoints. They work on the service named
// "default" (the one that takes every request no route matches):
//   GET    /api/infrastructure/loadbalancer/stats                          viewer
//          {totalRequests, totalConnections, activeConnections, averageResponseTime,
//           errorRate, algorithm, servers: [...]} (+ retries, rejected)
//   POST   /api/infrastructure/loadbalancer/servers                        admin
//          {host, port, weight?} -> 201 the new server; 400 naming the field; 409 same host:port
//   DELETE /api/infrastructure/loadbalancer/servers/:serverId              admin
//          drains first -> 200 the server, status "draining" or "removed"; 404 unknown
//   PUT    /api/infrastructure/loadbalancer/servers/:serverId/maintenance  operator
//          {maintenance: bool} -> 200 the server; 404 unknown
// Server ids are the same everywhere, so DELETE and maintenance accept the id
// of a server of any service. Shapes: service_views.h.
//
// Thread-safety: the handlers may run on any thread (Catalog and Registry are
// thread-safe).

#include "api/admin_api.h"
#include "proxy/catalog.h"

namespace ballast::api {

// `catalog` must outlive `api`.
void registerLoadBalancerRoutes(AdminApi& api, proxy::Catalog& catalog);

}  // namespace ballast::api
