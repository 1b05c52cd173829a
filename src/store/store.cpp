#include "store/store.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>

namespace ballast::store {

const std::vector<Migration>& schemaMigrations() {
  static const std::vector<Migration> migrations = {
      {1, R"(
        CREATE TABLE settings (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
        CREATE TABLE service_status (
          name          TEXT PRIMARY KEY,
          status        TEXT NOT NULL,
          response_time REAL NOT NULL DEFAULT 0,
          details       TEXT NOT NULL DEFAULT '{}',
          updated_at    TEXT NOT NULL
        );
      )"},
  };
  return migrations;
}

core::Result<std::unique_ptr<Store>> Store::open(const std::string& dataDir) {
  std::error_code ec;
  std::filesystem::create_directories(dataDir, ec);
  if (ec) {
    return core::fail(core::ErrorCode::kInternal,
                      fmt::format("cannot create data directory {}: {}", dataDir, ec.message()));
  }
  ::chmod(dataDir.c_str(), 0700);
  const std::string path = (std::filesystem::path(dataDir) / "ballast.db").string();
  const mode_t previous = ::umask(0077);  // the file holds secrets: owner only
  auto db = Database::open(path);
  ::umask(previous);
  if (!db) return std::unexpected(db.error());
  if (auto s = (*db)->migrate(schemaMigrations()); !s) return std::unexpected(s.error());
  return std::unique_ptr<Store>(new Store(std::move(*db), path));
}

}  // namespace ballast::store
