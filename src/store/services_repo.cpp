#include "store/services_repo.h"

#include <fmt/format.h>

namespace ballast::store {

namespace {

constexpr const char* kServerColumns = "id, service, host, port, weight, maintenance, created_at, registration";

ServerRecord serverFrom(const Statement& s) {
  return {s.text(0), s.text(1), s.text(2), static_cast<int>(s.integer(3)), static_cast<int>(s.integer(4)),
          s.integer(5) != 0, s.text(6), s.text(7)};
}

}  // namespace

core::Status ServicesRepository::upsertService(const ServiceRecord& r) {
  auto stmt = db_.prepare(
      "INSERT INTO services(name, spec, origin, updated_at) VALUES(?, ?, ?, ?) "
      "ON CONFLICT(name) DO UPDATE SET spec = excluded.spec, origin = excluded.origin, "
      "updated_at = excluded.updated_at");
  if (!stmt) return std::unexpected(stmt.error());
  return stmt->bind(1, r.name).bind(2, r.specJson).bind(3, r.origin).bind(4, r.updatedAt).run();
}

core::Result<bool> ServicesRepository::deleteService(const std::string& name) {
  auto stmt = db_.prepare("DELETE FROM services WHERE name = ?");
  if (!stmt) return std::unexpected(stmt.error());
  if (auto s = stmt->bind(1, name).run(); !s) return std::unexpected(s.error());
  return stmt->changes() > 0;
}

core::Result<std::optional<ServiceRecord>> ServicesRepository::findService(const std::string& name) {
  auto stmt = db_.prepare("SELECT name, spec, origin, updated_at FROM services WHERE name = ?");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->bind(1, name);
  auto row = stmt->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<ServiceRecord>();
  return std::optional<ServiceRecord>(ServiceRecord{stmt->text(0), stmt->text(1), stmt->text(2), stmt->text(3)});
}

core::Result<std::vector<ServiceRecord>> ServicesRepository::listServices() {
  auto stmt = db_.prepare("SELECT name, spec, origin, updated_at FROM services ORDER BY name");
  if (!stmt) return std::unexpected(stmt.error());
  std::vector<ServiceRecord> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back({stmt->text(0), stmt->text(1), stmt->text(2), stmt->text(3)});
  }
}

core::Status ServicesRepository::addServer(const ServerRecord& r) {
  auto stmt = db_.prepare(fmt::format(
      "INSERT INTO servers({}) VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", kServerColumns));
  if (!stmt) return std::unexpected(stmt.error());
  stmt->bind(1, r.id).bind(2, r.service).bind(3, r.host).bind(4, int64_t{r.port}).bind(5, int64_t{r.weight})
      .bind(6, int64_t{r.maintenance ? 1 : 0}).bind(7, r.createdAt).bind(8, r.registrationJson);
  if (auto s = stmt->run(); !s) return s;
  if (stmt->changes() == 0) {
    return core::fail(core::ErrorCode::kConflict,
                      fmt::format("server id {} or {}:{} already exists in {}", r.id, r.host, r.port, r.service));
  }
  return {};
}

core::Result<bool> ServicesRepository::removeServer(const std::string& id) {
  auto stmt = db_.prepare("DELETE FROM servers WHERE id = ?");
  if (!stmt) return std::unexpected(stmt.error());
  if (auto s = stmt->bind(1, id).run(); !s) return std::unexpected(s.error());
  return stmt->changes() > 0;
}

core::Result<std::optional<ServerRecord>> ServicesRepository::queryOneServer(Statement& stmt) {
  auto row = stmt.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<ServerRecord>();
  return std::optional<ServerRecord>(serverFrom(stmt));
}

core::Result<std::optional<ServerRecord>> ServicesRepository::findServer(const std::string& id) {
  auto stmt = db_.prepare(fmt::format("SELECT {} FROM servers WHERE id = ?", kServerColumns));
  if (!stmt) return std::unexpected(stmt.error());
  stmt->bind(1, id);
  return queryOneServer(*stmt);
}

core::Result<std::optional<ServerRecord>> ServicesRepository::findServerByAddress(const std::string& service,
                                                                                 const std::string& host,
                                                                                 int port) {
  auto stmt = db_.prepare(
      fmt::format("SELECT {} FROM servers WHERE service = ? AND host = ? AND port = ?", kServerColumns));
  if (!stmt) return std::unexpected(stmt.error());
  stmt->bind(1, service).bind(2, host).bind(3, int64_t{port});
  return queryOneServer(*stmt);
}

core::Result<std::vector<ServerRecord>> ServicesRepository::queryServers(const char* where,
                                                                        const std::string* service) {
  auto stmt = db_.prepare(
      fmt::format("SELECT {} FROM servers {} ORDER BY service, created_at, rowid", kServerColumns, where));
  if (!stmt) return std::unexpected(stmt.error());
  if (service != nullptr) stmt->bind(1, *service);
  std::vector<ServerRecord> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back(serverFrom(*stmt));
  }
}

core::Result<std::vector<ServerRecord>> ServicesRepository::listServers() { return queryServers("", nullptr); }

core::Result<std::vector<ServerRecord>> ServicesRepository::listServers(const std::string& service) {
  return queryServers("WHERE service = ?", &service);
}

core::Result<bool> ServicesRepository::updateServer(const char* sql, const std::string& id, int64_t value) {
  auto stmt = db_.prepare(sql);
  if (!stmt) return std::unexpected(stmt.error());
  if (auto s = stmt->bind(1, value).bind(2, id).run(); !s) return std::unexpected(s.error());
  return stmt->changes() > 0;
}

core::Result<bool> ServicesRepository::setMaintenance(const std::string& id, bool maintenance) {
  return updateServer("UPDATE servers SET maintenance = ? WHERE id = ?", id, maintenance ? 1 : 0);
}

core::Result<bool> ServicesRepository::setWeight(const std::string& id, int weight) {
  return updateServer("UPDATE servers SET weight = ? WHERE id = ?", id, weight);
}

}  // namespace ballast::store
