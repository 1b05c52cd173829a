#include "store/audit_repo.h"

#include "core/json.h"
#include "store/settings.h"

namespace ballast::store {

namespace {

constexpr const char* kHeadKey = "audit.head";
constexpr const char* kAnchorKey = "audit.anchor";
constexpr const char* kColumns =
    "id, time, actor, actor_name, role, source, method, path, target, status, request_id, hash";

AuditRow rowFrom(const Statement& s) {
  return {s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6),
          s.text(7),    s.text(8), static_cast<int>(s.integer(9)), s.text(10), s.text(11)};
}

core::Result<std::optional<AuditLink>> readLink(Database& db, const char* key) {
  auto value = Settings(db).get(key);
  if (!value) return std::unexpected(value.error());
  if (!*value) return std::optional<AuditLink>();
  auto json = core::parseJson(**value);
  if (!json || !json->is_object() || !(*json)["id"].is_number_integer() || !(*json)["hash"].is_string()) {
    return core::fail(core::ErrorCode::kInternal, std::string("settings row ") + key + " is malformed");
  }
  return std::optional<AuditLink>(AuditLink{(*json)["id"].get<int64_t>(), (*json)["hash"].get<std::string>()});
}

core::Status writeLink(Database& db, const char* key, const AuditLink& link) {
  return Settings(db).put(key, core::Json{{"id", link.id}, {"hash", link.hash}}.dump());
}

}  // namespace

core::Result<std::optional<AuditLink>> AuditRepository::head() { return readLink(db_, kHeadKey); }
core::Result<std::optional<AuditLink>> AuditRepository::anchor() { return readLink(db_, kAnchorKey); }

core::Status AuditRepository::append(std::vector<AuditRow>& rows, size_t retention, const Chainer& chain) {
  if (rows.empty()) return {};
  return db_.transaction([&]() -> core::Status {
    auto stored = head();
    if (!stored) return std::unexpected(stored.error());
    chain(*stored, rows);
    for (const auto& r : rows) {
      auto stmt = db_.prepare(std::string("INSERT INTO audit_log(") + kColumns +
                              ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      if (!stmt) return std::unexpected(stmt.error());
      auto ran = stmt->bind(1, r.id).bind(2, r.time).bind(3, r.actor).bind(4, r.actorName).bind(5, r.role)
                     .bind(6, r.source).bind(7, r.method).bind(8, r.path).bind(9, r.target)
                     .bind(10, static_cast<int64_t>(r.status)).bind(11, r.requestId).bind(12, r.hash).run();
      if (!ran) return ran;
    }
    if (auto s = writeLink(db_, kHeadKey, {rows.back().id, rows.back().hash}); !s) return s;
    // The newest row beyond the `retention` newest: it and all older go, and
    // its hash becomes the anchor the oldest kept row chains from.
    AuditLink anchor;
    {
      auto cut = db_.prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1 OFFSET ?");
      if (!cut) return std::unexpected(cut.error());
      cut->bind(1, static_cast<int64_t>(retention));
      auto found = cut->step();
      if (!found) return std::unexpected(found.error());
      if (!*found) return {};
      anchor = {cut->integer(0), cut->text(1)};
    }
    auto prune = db_.prepare("DELETE FROM audit_log WHERE id <= ?");
    if (!prune) return std::unexpected(prune.error());
    if (auto s = prune->bind(1, anchor.id).run(); !s) return s;
    return writeLink(db_, kAnchorKey, anchor);
  });
}

core::Result<std::vector<AuditRow>> AuditRepository::query(const AuditQuery& q) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM audit_log WHERE 1";
  if (q.actor) sql += " AND actor = ?1";
  if (q.method) sql += " AND method = ?2";
  if (q.pathPrefix) sql += " AND substr(path, 1, length(?3)) = ?3";
  if (q.status) sql += " AND status = ?4";
  if (q.failed) sql += *q.failed ? " AND status >= 400" : " AND status < 400";
  if (q.since) sql += " AND time >= ?5";
  if (q.until) sql += " AND time < ?6";
  if (q.beforeId) sql += " AND id < ?7";
  sql += " ORDER BY id DESC LIMIT ?8";
  auto stmt = db_.prepare(sql);
  if (!stmt) return std::unexpected(stmt.error());
  if (q.actor) stmt->bind(1, *q.actor);
  if (q.method) stmt->bind(2, *q.method);
  if (q.pathPrefix) stmt->bind(3, *q.pathPrefix);
  if (q.status) stmt->bind(4, static_cast<int64_t>(*q.status));
  if (q.since) stmt->bind(5, *q.since);
  if (q.until) stmt->bind(6, *q.until);
  if (q.beforeId) stmt->bind(7, *q.beforeId);
  stmt->bind(8, static_cast<int64_t>(q.limit));
  std::vector<AuditRow> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(rowFrom(*stmt));
  }
  return out;
}

core::Status AuditRepository::walk(const std::function<bool(const AuditRow&)>& visit) {
  auto stmt = db_.prepare(std::string("SELECT ") + kColumns + " FROM audit_log ORDER BY id");
  if (!stmt) return std::unexpected(stmt.error());
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row || !visit(rowFrom(*stmt))) return {};
  }
}

}  // namespace ballast::store
