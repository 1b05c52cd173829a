#pragma once
// API keys for service-to-service calls, under /api/infrastructure/auth/api-keys
// (admin only): made (the key is in the reply once), listed (never with the
// secret), revoked (refused from the next request on).

#include "api/admin_api.h"
#include "security/api_keys.h"

namespace ballast::api {

void registerAuthRoutes(AdminApi& api, security::ApiKeys& keys);

core::Json apiKeyJson(const security::ApiKeyInfo& info);

}  // namespace ballast::api
