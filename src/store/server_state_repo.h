#pragma once
// What the health checks and breakers last concluded about each server, kept
// so that a restarted or reloaded worker starts where the previous one was
// (instead of trusting every server again until checks catch up).

#include <string>
#include <vector>

#include "store/database.h"

namespace ballast::store {

struct ServerRuntimeState {
  std::string id;
  bool healthy = true;
  bool circuitOpen = false;
};

class ServerStateRepository {
 public:
  explicit ServerStateRepository(Database& db) : db_(db) {}
  // Writes all of `states` in one transaction.
  core::Status save(const std::vector<ServerRuntimeState>& states);
  core::Result<std::vector<ServerRuntimeState>> list();

 private:
  Database& db_;
};

}  // namespace ballast::store
