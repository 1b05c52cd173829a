#pragma once
// The load balancer's runtime state in the store: services (their spec as the
// JSON of core::toJson(ServiceSpec)) and their servers, with ids, weights and
// maintenance flags. proxy::Catalog is the only writer; it validates before
// calling here, so this layer only enforces what the schema does: a server's
// service must exist, and host:port is unique within a service (kConflict).
// Deleting a service deletes its servers.
//
// Thread-safety: as Database (every call takes the connection's mutex); callers
// that need several calls to be atomic use db().transaction().

#include <optional>
#include <string>
#include <vector>

#include "store/database.h"

namespace ballast::store {

struct ServiceRecord {
  std::string name;
  std::string specJson;   // core::toJson(ServiceSpec).dump()
  std::string origin;     // "config" (from the file) | "api"
  std::string updatedAt;  // ISO 8601 UTC
};

struct ServerRecord {
  std::string id;
  std::string service;
  std::string host;
  int port = 0;
  int weight = 1;
  bool maintenance = false;
  std::string createdAt;  // ISO 8601 UTC
  std::string registrationJson = "{}";  // tags, metadata, check (proxy::ServerRegistration)
};

class ServicesRepository {
 public:
  explicit ServicesRepository(Database& db) : db_(db) {}
  Database& db() { return db_; }

  // Creates or replaces the service row; its servers stay.
  core::Status upsertService(const ServiceRecord& record);
  // False when no service had that name. Its servers go with it.
  core::Result<bool> deleteService(const std::string& name);
  core::Result<std::optional<ServiceRecord>> findService(const std::string& name);
  core::Result<std::vector<ServiceRecord>> listServices();  // by name

  // kConflict when the id is taken or host:port is already in the service;
  // kInternal when the service does not exist (a caller bug).
  core::Status addServer(const ServerRecord& record);
  // False when no server had that id.
  core::Result<bool> removeServer(const std::string& id);
  core::Result<std::optional<ServerRecord>> findServer(const std::string& id);
  core::Result<std::optional<ServerRecord>> findServerByAddress(const std::string& service,
                                                                const std::string& host, int port);
  // Every server, by service then creation order.
  core::Result<std::vector<ServerRecord>> listServers();
  core::Result<std::vector<ServerRecord>> listServers(const std::string& service);
  // False when no server had that id.
  core::Result<bool> setMaintenance(const std::string& id, bool maintenance);
  core::Result<bool> setWeight(const std::string& id, int weight);

 private:
  core::Result<std::vector<ServerRecord>> queryServers(const char* where, const std::string* service);
  core::Result<std::optional<ServerRecord>> queryOneServer(Statement& stmt);
  core::Result<bool> updateServer(const char* sql, const std::string& id, int64_t value);

  Database& db_;
};

}  // namespace ballast::store
