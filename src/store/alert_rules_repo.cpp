#include "store/alert_rules_repo.h"

#include <fmt/format.h>

namespace ballast::store {

core::Status AlertRulesRepository::add(const AlertRuleRecord& record) {
  auto stmt = db_.prepare("INSERT OR IGNORE INTO alert_rules(id, rule, created_at) VALUES(?, ?, ?)");
  if (!stmt) return std::unexpected(stmt.error());
  if (auto s = stmt->bind(1, record.id).bind(2, record.ruleJson).bind(3, record.createdAt).run(); !s) return s;
  if (stmt->changes() == 0) {
    return core::fail(core::ErrorCode::kConflict, fmt::format("A rule with id '{}' is stored already", record.id));
  }
  return {};
}

core::Result<bool> AlertRulesRepository::remove(const std::string& id) {
  auto stmt = db_.prepare("DELETE FROM alert_rules WHERE id = ?");
  if (!stmt) return std::unexpected(stmt.error());
  if (auto s = stmt->bind(1, id).run(); !s) return std::unexpected(s.error());
  return stmt->changes() > 0;
}

core::Result<std::vector<AlertRuleRecord>> AlertRulesRepository::list() {
  auto stmt = db_.prepare("SELECT id, rule, created_at FROM alert_rules ORDER BY rowid");
  if (!stmt) return std::unexpected(stmt.error());
  std::vector<AlertRuleRecord> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back({stmt->text(0), stmt->text(1), stmt->text(2)});
  }
  return out;
}

}  // namespace ballast::store
