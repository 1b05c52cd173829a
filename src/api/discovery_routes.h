#pragma once
// Service discovery on the services endpoints (Consul-like):
//   GET /api/infrastructure/services/:name/servers[?healthy=true]     viewer
//       [server + {tags, metadata, check}...]; healthy=true keeps only the
//       ones that pass (active and healthy, as Consul's ?passing); 404 unknown
//   PUT /api/infrastructure/services/:name/servers/:serverId/heartbeat operator
//       a ttl-checked server passes for its ttl -> 200 the server;
//       404 unknown server, 409 no ttl check
// Registration itself is POST .../servers (services_routes.h).
//
// Thread-safety: the handlers may run on any thread.

#include "api/admin_api.h"
#include "proxy/catalog.h"

namespace ballast::api {

// `catalog` must outlive `api`. Called by registerServicesRoutes().
void registerDiscoveryRoutes(AdminApi& api, proxy::Catalog& catalog);

}  // namespace ballast::api
