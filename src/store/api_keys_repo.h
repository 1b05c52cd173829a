#pragma once
// Stored API keys (migration 5): id, name, role, the SHA-256 of the secret
// part (hex) — never the secret itself — and when each was made and last used.
// security/api_keys.h holds the logic; this is only the table.

#include <optional>
#include <string>
#include <vector>

#include "store/database.h"

namespace ballast::store {

struct ApiKeyRow {
  std::string id;
  std::string name;
  std::string role;        // "viewer" | "operator" | "admin"
  std::string secretHash;  // hex SHA-256 of the secret part
  std::string createdAt;   // ISO 8601 UTC
  std::string lastUsedAt;  // ISO 8601 UTC; empty when never used
};

class ApiKeysRepository {
 public:
  explicit ApiKeysRepository(Database& db) : db_(db) {}
  core::Status insert(const ApiKeyRow& row);
  // False when no key has `id`.
  core::Result<bool> remove(const std::string& id);
  core::Result<std::vector<ApiKeyRow>> list();
  // Sets last_used_at for each (id, time) in one transaction; ids no longer
  // stored are skipped.
  core::Status touch(const std::vector<std::pair<std::string, std::string>>& used);

 private:
  Database& db_;
};

}  // namespace ballast::store
