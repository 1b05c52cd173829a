#pragma once
// GET /api/infrastructure/audit (admin): the audit trail, newest first, with
// filters (actor, method, pathPrefix, outcome, since, until) and cursor paging.

#include "api/admin_api.h"
#include "security/audit_trail.h"
#include "store/audit_repo.h"

namespace ballast::api {

void registerAuditRoutes(AdminApi& api, security::AuditTrail& trail, store::AuditRepository& repo);

}  // namespace ballast::api
