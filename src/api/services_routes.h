#pragma once
// Proxied services and their servers (ballast's addition to the seed's API):
//   GET    /api/infrastructure/services                           viewer
//          [service...]; a service is its spec (as in the YAML file) plus
//          origin ("config" | "api"), servers and stats (service_views.h)
//   GET    /api/infrastructure/services/:name                     viewer   404 unknown
//   PUT    /api/infrastructure/services/:name                     admin
//          body: the spec's fields as in the YAML file (name optional, must
//          match the path; no servers) -> 201 created | 200 replaced; servers stay
//   DELETE /api/infrastructure/services/:name                     admin    404 unknown; 409 "default"
//   POST   /api/infrastructure/services/:name/servers             admin
//          {host, port, weight?, tags?, metadata?, check?} -> 201 the server
//          with its registration (the service is created from the defaults
//          when missing); 409 same host:port
//   DELETE /api/infrastructure/services/:name/servers/:serverId   admin
//          drains first -> 200; 404 when the server is not in that service
// (POST /api/infrastructure/services/:name/status is health_routes.h's; the
// discovery routes of discovery_routes.h are registered from here too.)
//
// Thread-safety: the handlers may run on any thread.

#include "api/admin_api.h"
#include "proxy/catalog.h"

namespace ballast::api {

// `catalog` must outlive `api`.
void registerServicesRoutes(AdminApi& api, proxy::Catalog& catalog);

}  // namespace ballast::api
