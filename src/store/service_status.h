#pragma once
// Health reports of services registered with the seed's
// registerService(name, status) form; listed by GET /api/infrastructure/health.

#include <string>
#include <vector>

#include "store/database.h"

namespace ballast::store {

struct ServiceStatusRecord {
  std::string name;
  std::string status;        // healthy | degraded | unhealthy
  double responseTime = 0;   // ms
  std::string detailsJson;   // a JSON object, as given
  std::string updatedAt;     // ISO 8601 UTC
};

class ServiceStatusRepository {
 public:
  explicit ServiceStatusRepository(Database& db) : db_(db) {}
  core::Status upsert(const ServiceStatusRecord& record);
  core::Result<std::vector<ServiceStatusRecord>> list();
  // False when no service had that name.
  core::Result<bool> remove(const std::string& name);

 private:
  Database& db_;
};

}  // namespace ballast::store
