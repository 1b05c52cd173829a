#pragma once
// Alert rules added through the admin API, kept so they come back after a
// restart or reload (on top of the built-in and configuration-file rules).
// Each is stored as the JSON body that would add it again (api::storedRuleJson).
//
// Thread-safety: as Database (every call takes the connection's mutex).

#include <string>
#include <vector>

#include "store/database.h"

namespace ballast::store {

struct AlertRuleRecord {
  std::string id;
  std::string ruleJson;
  std::string createdAt;  // ISO 8601 UTC
};

class AlertRulesRepository {
 public:
  explicit AlertRulesRepository(Database& db) : db_(db) {}

  // kConflict when the id is stored already.
  core::Status add(const AlertRuleRecord& record);
  // False when no rule had that id.
  core::Result<bool> remove(const std::string& id);
  // In the order they were added.
  core::Result<std::vector<AlertRuleRecord>> list();

 private:
  Database& db_;
};

}  // namespace ballast::store
