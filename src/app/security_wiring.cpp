#include "app/security_wiring.h"

#include <spdlog/spdlog.h>

#include "api/audit_routes.h"
#include "api/auth_routes.h"
#include "app/bootstrap.h"
#include "security/jwt_setup.h"

namespace ballast::app {

void SecurityParts::attach(api::AdminApi& api) {
  if (apiKeys) {
    api.setApiKeys(apiKeys.get());
    api::registerAuthRoutes(api, *apiKeys);
  }
  if (audit) {
    api.setAuditTrail(audit.get());
    api::registerAuditRoutes(api, *audit, *auditRepo);
  }
}

void SecurityParts::upkeep() {
  if (audit) {
    if (auto s = audit->flush(); !s) spdlog::warn("audit trail: {} (kept queued, retried)", s.error().message);
  }
  if (apiKeys) {
    if (auto s = apiKeys->persistLastUsed(); !s) spdlog::warn("API keys: {}", s.error().message);
  }
}

core::Result<std::unique_ptr<SecurityParts>> makeSecurityParts(const core::Config& cfg, store::Store& store,
                                                               const core::Clock& clock) {
  auto parts = std::make_unique<SecurityParts>();
  parts->auditRepo = std::make_unique<store::AuditRepository>(store.db());
  if (cfg.security.audit.enabled) {
    parts->audit = std::make_unique<security::AuditTrail>(*parts->auditRepo, clock,
                                                          static_cast<size_t>(cfg.security.audit.maxRecords));
  }
  if (!cfg.security.auth.enabled) {
    spdlog::warn("AUTHENTICATION IS DISABLED (AUTH_ENABLED=false): anyone who reaches {}:{} is admin",
                 cfg.server.host, cfg.server.port);
    return parts;
  }
  auto secret = resolveJwtSecret(cfg, store);
  if (!secret) return std::unexpected(secret.error());
  auto verifier = security::makeJwtVerifier(cfg.security.auth.jwt, *secret, clock);
  if (!verifier) return std::unexpected(verifier.error());
  parts->verifier = std::move(*verifier);
  parts->apiKeysRepo = std::make_unique<store::ApiKeysRepository>(store.db());
  parts->apiKeys = std::make_unique<security::ApiKeys>(*parts->apiKeysRepo, clock);
  if (auto loaded = parts->apiKeys->load(); !loaded) return std::unexpected(loaded.error());
  spdlog::info("authentication on: bearer tokens {}{}; API keys ({} stored)",
               security::describeKeys(parts->verifier->keys()),
               cfg.secrets.jwtSecret.empty() ? "" : ", HS256 secret from JWT_SECRET",
               parts->apiKeys->list().size());
  return parts;
}

}  // namespace ballast::app
