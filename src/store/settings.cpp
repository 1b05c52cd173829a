#include "store/settings.h"

namespace ballast::store {

core::Result<std::optional<std::string>> Settings::get(const std::string& key) {
  auto stmt = db_.prepare("SELECT value FROM settings WHERE key = ?");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->bind(1, key);
  auto row = stmt->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->text(0));
}

core::Status Settings::put(const std::string& key, const std::string& value) {
  auto stmt = db_.prepare(
      "INSERT INTO settings(key, value) VALUES(?, ?) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!stmt) return std::unexpected(stmt.error());
  return stmt->bind(1, key).bind(2, value).run();
}

core::Result<std::string> Settings::getOrPut(const std::string& key, const std::string& value) {
  {
    auto stmt = db_.prepare("INSERT OR IGNORE INTO settings(key, value) VALUES(?, ?)");
    if (!stmt) return std::unexpected(stmt.error());
    if (auto s = stmt->bind(1, key).bind(2, value).run(); !s) return std::unexpected(s.error());
  }
  auto stored = get(key);
  if (!stored) return std::unexpected(stored.error());
  return stored->value_or(value);
}

}  // namespace ballast::store
