#pragma once
// The worker's authentication and audit parts — bearer token verification
// (security.auth.jwt), API keys and the audit trail — built from the
// configuration and the store, attached to the admin API, and kept up by the
// daemon's upkeep.

#include <memory>

#include "api/admin_api.h"
#include "core/clock.h"
#include "core/config.h"
#include "security/api_keys.h"
#include "security/audit_trail.h"
#include "security/jwt.h"
#include "store/api_keys_repo.h"
#include "store/audit_repo.h"
#include "store/store.h"

namespace ballast::app {

struct SecurityParts {
  std::unique_ptr<security::JwtVerifier> verifier;  // null when authentication is off
  std::unique_ptr<store::ApiKeysRepository> apiKeysRepo;
  std::unique_ptr<security::ApiKeys> apiKeys;       // null when authentication is off
  std::unique_ptr<store::AuditRepository> auditRepo;
  std::unique_ptr<security::AuditTrail> audit;      // null when security.audit.enabled is false

  // Hands API keys and the audit trail to `api` and registers their routes.
  void attach(api::AdminApi& api);
  // Writes queued audit records and API key last-use times (the 250 ms
  // upkeep, and once more at shutdown once no request is in flight).
  void upkeep();
};

// Logs what it set up; an error names what is wrong (a key file, the store).
core::Result<std::unique_ptr<SecurityParts>> makeSecurityParts(const core::Config& config, store::Store& store,
                                                               const core::Clock& clock);

}  // namespace ballast::app
