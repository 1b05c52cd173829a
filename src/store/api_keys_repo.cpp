#include "store/api_keys_repo.h"

namespace ballast::store {

core::Status ApiKeysRepository::insert(const ApiKeyRow& row) {
  auto stmt = db_.prepare(
      "INSERT INTO api_keys(id, name, role, secret_hash, created_at) VALUES(?, ?, ?, ?, ?)");
  if (!stmt) return std::unexpected(stmt.error());
  return stmt->bind(1, row.id).bind(2, row.name).bind(3, row.role).bind(4, row.secretHash).bind(5, row.createdAt).run();
}

core::Result<bool> ApiKeysRepository::remove(const std::string& id) {
  auto stmt = db_.prepare("DELETE FROM api_keys WHERE id = ?");
  if (!stmt) return std::unexpected(stmt.error());
  if (auto ran = stmt->bind(1, id).run(); !ran) return std::unexpected(ran.error());
  return stmt->changes() > 0;
}

core::Result<std::vector<ApiKeyRow>> ApiKeysRepository::list() {
  auto stmt = db_.prepare(
      "SELECT id, name, role, secret_hash, created_at, COALESCE(last_used_at, '') FROM api_keys ORDER BY created_at, id");
  if (!stmt) return std::unexpected(stmt.error());
  std::vector<ApiKeyRow> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back({stmt->text(0), stmt->text(1), stmt->text(2), stmt->text(3), stmt->text(4), stmt->text(5)});
  }
  return out;
}

core::Status ApiKeysRepository::touch(const std::vector<std::pair<std::string, std::string>>& used) {
  if (used.empty()) return {};
  return db_.transaction([&]() -> core::Status {
    for (const auto& [id, at] : used) {
      auto stmt = db_.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?");
      if (!stmt) return std::unexpected(stmt.error());
      if (auto ran = stmt->bind(1, at).bind(2, id).run(); !ran) return ran;
    }
    return {};
  });
}

}  // namespace ballast::store
