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
      // The load balancer's runtime state (services_repo.h) and the event log
      // (event_log.h). A server belongs to one service and goes with it.
      {2, R"(
        CREATE TABLE services (
          name       TEXT PRIMARY KEY,
          spec       TEXT NOT NULL,
          origin     TEXT NOT NULL DEFAULT 'api',
          updated_at TEXT NOT NULL
        );
        CREATE TABLE servers (
          id          TEXT PRIMARY KEY,
          service     TEXT NOT NULL REFERENCES services(name) ON DELETE CASCADE,
          host        TEXT NOT NULL,
          port        INTEGER NOT NULL,
          weight      INTEGER NOT NULL DEFAULT 1,
          maintenance INTEGER NOT NULL DEFAULT 0,
          created_at  TEXT NOT NULL,
          UNIQUE(service, host, port)
        );
        CREATE TABLE events (
          id        INTEGER PRIMARY KEY AUTOINCREMENT,
          type      TEXT NOT NULL,
          service   TEXT NOT NULL DEFAULT '',
          server_id TEXT NOT NULL DEFAULT '',
          message   TEXT NOT NULL,
          level     TEXT NOT NULL,
          timestamp TEXT NOT NULL
        );
      )"},
      {3, R"(
        -- Health and breaker verdicts, so a new worker generation starts where the last one was.
        CREATE TABLE server_runtime_state (
          id           TEXT PRIMARY KEY,
          healthy      INTEGER NOT NULL DEFAULT 1,
          circuit_open INTEGER NOT NULL DEFAULT 0
        );
      )"},
      {4, R"(
        -- Service discovery: a server's tags, metadata and own check, as JSON
        -- (proxy::toJson(ServerRegistration)).
        ALTER TABLE servers ADD COLUMN registration TEXT NOT NULL DEFAULT '{}';
      )"},
      {5, R"(
        -- API keys (store/api_keys_repo.h): only the SHA-256 of the secret part is kept.
        CREATE TABLE api_keys (
          id           TEXT PRIMARY KEY,
          name         TEXT NOT NULL,
          role         TEXT NOT NULL,
          secret_hash  TEXT NOT NULL,
          created_at   TEXT NOT NULL,
          last_used_at TEXT
        );
      )"},
      {6, R"(
        -- The audit trail (store/audit_repo.h): one row per mutating admin call,
        -- each hash-chained to the one before (security/audit_chain.h).
        CREATE TABLE audit_log (
          id          INTEGER PRIMARY KEY,
          time        TEXT NOT NULL,
          actor       TEXT NOT NULL,
          actor_name  TEXT NOT NULL,
          role        TEXT NOT NULL,
          source      TEXT NOT NULL,
          method      TEXT NOT NULL,
          path        TEXT NOT NULL,
          target      TEXT NOT NULL,
          status      INTEGER NOT NULL,
          request_id  TEXT NOT NULL,
          hash        TEXT NOT NULL
        );
        CREATE INDEX audit_log_time ON audit_log(time);
      )"},
      {7, R"(
        -- The autoscaler (store/scaling_repo.h): policies set through the API,
        -- manual overrides, and scaling events (pruned beyond a retention limit).
        CREATE TABLE scaling_policies (
          service    TEXT PRIMARY KEY,
          policy     TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        CREATE TABLE scaling_overrides (
          service   TEXT PRIMARY KEY,
          instances INTEGER NOT NULL,
          reason    TEXT NOT NULL,
          until     TEXT,
          forced    INTEGER NOT NULL DEFAULT 0,
          set_at    TEXT NOT NULL
        );
        CREATE TABLE scaling_events (
          id           INTEGER PRIMARY KEY AUTOINCREMENT,
          service      TEXT NOT NULL,
          type         TEXT NOT NULL,
          trigger_name TEXT NOT NULL,
          from_count   INTEGER NOT NULL,
          to_count     INTEGER NOT NULL,
          reason       TEXT NOT NULL,
          success      INTEGER NOT NULL,
          timestamp    TEXT NOT NULL
        );
      )"},
      {8, R"(
        -- Alert rules added through the API (store/alert_rules_repo.h), as the
        -- JSON body that adds them; restored at start on top of the built-in
        -- and configuration-file rules.
        CREATE TABLE alert_rules (
          id         TEXT PRIMARY KEY,
          rule       TEXT NOT NULL,
          created_at TEXT NOT NULL
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
