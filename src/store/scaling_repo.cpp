#include "store/scaling_repo.h"

namespace ballast::store {

core::Status ScalingRepository::putPolicy(const ScalingPolicyRecord& record) {
  auto stmt = db_.prepare(
      "INSERT INTO scaling_policies(service, policy, updated_at) VALUES(?, ?, ?) "
      "ON CONFLICT(service) DO UPDATE SET policy = excluded.policy, updated_at = "
      "excluded.updated_at");
  if (!stmt) return std::unexpected(stmt.error());
  return stmt->bind(1, record.service).bind(2, record.policyJson).bind(3, record.updatedAt).run();
}

core::Result<bool> ScalingRepository::deletePolicy(const std::string& service) {
  auto stmt = db_.prepare("DELETE FROM scaling_policies WHERE service = ?");
  if (!stmt) return std::unexpected(stmt.error());
  if (auto s = stmt->bind(1, service).run(); !s) return std::unexpected(s.error());
  return stmt->changes() > 0;
}

core::Result<std::vector<ScalingPolicyRecord>> ScalingRepository::listPolicies() {
  auto stmt =
      db_.prepare("SELECT service, policy, updated_at FROM scaling_policies ORDER BY service");
  if (!stmt) return std::unexpected(stmt.error());
  std::vector<ScalingPolicyRecord> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back({stmt->text(0), stmt->text(1), stmt->text(2)});
  }
}

core::Status ScalingRepository::putOverride(const ScalingOverrideRecord& record) {
  auto stmt = db_.prepare(
      "INSERT INTO scaling_overrides(service, instances, reason, until, forced, set_at) VALUES(?, "
      "?, ?, ?, ?, ?) "
      "ON CONFLICT(service) DO UPDATE SET instances = excluded.instances, reason = "
      "excluded.reason, "
      "until = excluded.until, forced = excluded.forced, set_at = excluded.set_at");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->bind(1, record.service)
      .bind(2, static_cast<int64_t>(record.instances))
      .bind(3, record.reason);
  if (record.until)
    stmt->bind(4, *record.until);
  else
    stmt->bindNull(4);
  return stmt->bind(5, static_cast<int64_t>(record.forced)).bind(6, record.setAt).run();
}

core::Result<bool> ScalingRepository::deleteOverride(const std::string& service) {
  auto stmt = db_.prepare("DELETE FROM scaling_overrides WHERE service = ?");
  if (!stmt) return std::unexpected(stmt.error());
  if (auto s = stmt->bind(1, service).run(); !s) return std::unexpected(s.error());
  return stmt->changes() > 0;
}

core::Result<std::vector<ScalingOverrideRecord>> ScalingRepository::listOverrides() {
  auto stmt = db_.prepare(
      "SELECT service, instances, reason, until, forced, set_at FROM scaling_overrides ORDER BY "
      "service");
  if (!stmt) return std::unexpected(stmt.error());
  std::vector<ScalingOverrideRecord> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back({stmt->text(0), static_cast<int>(stmt->integer(1)), stmt->text(2),
                   stmt->isNull(3) ? std::nullopt : std::optional<std::string>(stmt->text(3)),
                   stmt->integer(4) != 0, stmt->text(5)});
  }
}

core::Result<ScalingEventRecord> ScalingRepository::appendEvent(ScalingEventRecord event) {
  auto written = db_.transaction([&]() -> core::Status {
    auto insert = db_.prepare(
        "INSERT INTO scaling_events(service, type, trigger_name, from_count, to_count, reason, "
        "success, timestamp) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!insert) return std::unexpected(insert.error());
    insert->bind(1, event.service)
        .bind(2, event.type)
        .bind(3, event.trigger)
        .bind(4, static_cast<int64_t>(event.from))
        .bind(5, static_cast<int64_t>(event.to))
        .bind(6, event.reason)
        .bind(7, static_cast<int64_t>(event.success))
        .bind(8, event.timestamp);
    auto row = insert->step();
    if (!row) return std::unexpected(row.error());
    if (!*row)
      return core::fail(core::ErrorCode::kInternal,
                        "store: the scaling event insert returned no id");
    event.id = insert->integer(0);
    if (auto s = insert->run(); !s) return s;
    // Keeps the newest eventRetention_ rows (the subquery is NULL while there are fewer).
    auto prune = db_.prepare(
        "DELETE FROM scaling_events WHERE id <= "
        "(SELECT id FROM scaling_events ORDER BY id DESC LIMIT 1 OFFSET ?)");
    if (!prune) return std::unexpected(prune.error());
    return prune->bind(1, static_cast<int64_t>(eventRetention_)).run();
  });
  if (!written) return std::unexpected(written.error());
  return event;
}

core::Result<std::vector<ScalingEventRecord>> ScalingRepository::listEvents(
    size_t limit, const std::optional<std::string>& service) {
  auto stmt = db_.prepare(std::string("SELECT id, service, type, trigger_name, from_count, "
                                      "to_count, reason, success, timestamp FROM scaling_events ") +
                          (service ? "WHERE service = ? " : "") + "ORDER BY id DESC LIMIT ?");
  if (!stmt) return std::unexpected(stmt.error());
  int index = 1;
  if (service) stmt->bind(index++, *service);
  stmt->bind(index, static_cast<int64_t>(limit));
  std::vector<ScalingEventRecord> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back({stmt->integer(0), stmt->text(1), stmt->text(2), stmt->text(3),
                   static_cast<int>(stmt->integer(4)), static_cast<int>(stmt->integer(5)),
                   stmt->text(6), stmt->text(8), stmt->integer(7) != 0});
  }
}

}  // namespace ballast::store
