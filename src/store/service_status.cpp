#include "store/service_status.h"

namespace ballast::store {

core::Status ServiceStatusRepository::upsert(const ServiceStatusRecord& r) {
  auto stmt = db_.prepare(
      "INSERT INTO service_status(name, status, response_time, details, updated_at) "
      "VALUES(?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET status = excluded.status, "
      "response_time = excluded.response_time, details = excluded.details, "
      "updated_at = excluded.updated_at");
  if (!stmt) return std::unexpected(stmt.error());
  return stmt->bind(1, r.name).bind(2, r.status).bind(3, r.responseTime).bind(4, r.detailsJson)
      .bind(5, r.updatedAt).run();
}

core::Result<std::vector<ServiceStatusRecord>> ServiceStatusRepository::list() {
  auto stmt = db_.prepare(
      "SELECT name, status, response_time, details, updated_at FROM service_status ORDER BY name");
  if (!stmt) return std::unexpected(stmt.error());
  std::vector<ServiceStatusRecord> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back({stmt->text(0), stmt->text(1), stmt->real(2), stmt->text(3), stmt->text(4)});
  }
  return out;
}

core::Result<bool> ServiceStatusRepository::remove(const std::string& name) {
  auto stmt = db_.prepare("DELETE FROM service_status WHERE name = ?");
  if (!stmt) return std::unexpected(stmt.error());
  if (auto s = stmt->bind(1, name).run(); !s) return std::unexpected(s.error());
  return stmt->changes() > 0;
}

}  // namespace ballast::store
