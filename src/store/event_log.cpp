#include "store/event_log.h"

namespace ballast::store {

namespace {

constexpr std::string_view kColumns =
    "SELECT id, type, service, server_id, message, level, timestamp FROM events";

core::Result<std::vector<EventRecord>> readRows(Statement& stmt) {
  std::vector<EventRecord> out;
  for (;;) {
    auto row = stmt.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back({stmt.integer(0), stmt.text(1), stmt.text(2), stmt.text(3), stmt.text(4),
                   stmt.text(5), stmt.text(6)});
  }
}

}  // namespace

bool EventQuery::matches(const EventRecord& e) const {
  return (!type || e.type == *type) && (!service || e.service == *service) &&
         (!level || e.level == *level) && (!since || e.timestamp >= *since) &&
         (!beforeId || e.id < *beforeId) && (!afterId || e.id > *afterId);
}

core::Status EventLog::append(const EventRecord& event) {
  return append(std::vector<EventRecord>{event});
}

core::Status EventLog::append(const std::vector<EventRecord>& events) {
  std::vector<EventRecord> batch = events;
  std::lock_guard writing(writeMu_);
  return write(batch);
}

core::Status EventLog::write(std::vector<EventRecord>& events) {
  if (events.empty()) return {};
  auto written = db_.transaction([&]() -> core::Status {
    for (auto& e : events) {
      auto insert = db_.prepare(
          "INSERT INTO events(type, service, server_id, message, level, timestamp) VALUES(?, ?, ?, "
          "?, ?, ?) "
          "RETURNING id");
      if (!insert) return std::unexpected(insert.error());
      insert->bind(1, e.type)
          .bind(2, e.service)
          .bind(3, e.serverId)
          .bind(4, e.message)
          .bind(5, e.level)
          .bind(6, e.timestamp);
      auto row = insert->step();
      if (!row) return std::unexpected(row.error());
      if (!*row)
        return core::fail(core::ErrorCode::kInternal, "store: the event insert returned no id");
      e.id = insert->integer(0);
      if (auto s = insert->run(); !s) return s;  // finishes the statement
    }
    // Keep the newest `retention_` rows; the subquery is NULL (nothing to
    // delete) while there are fewer.
    auto prune = db_.prepare(
        "DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?)");
    if (!prune) return std::unexpected(prune.error());
    return prune->bind(1, static_cast<int64_t>(retention_)).run();
  });
  if (written && written_) written_(events);
  return written;
}

void EventLog::record(EventRecord event) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(event));
  while (queue_.size() > retention_) queue_.pop_front();
}

size_t EventLog::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

core::Result<size_t> EventLog::flush() {
  std::lock_guard writing(writeMu_);
  std::vector<EventRecord> batch;
  {
    std::lock_guard lock(mu_);
    batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
  }
  if (auto s = write(batch); !s) {
    std::lock_guard lock(mu_);
    // Put them back in front of anything recorded meanwhile, within the limit.
    queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()),
                  std::make_move_iterator(batch.end()));
    while (queue_.size() > retention_) queue_.pop_front();
    return std::unexpected(s.error());
  }
  return batch.size();
}

core::Result<std::vector<EventRecord>> EventLog::list(size_t limit,
                                                      const std::optional<std::string>& service) {
  EventQuery q;
  q.limit = limit;
  q.service = service;
  return query(q);
}

core::Result<std::vector<EventRecord>> EventLog::query(const EventQuery& q) {
  // Numbered parameters, so each filter binds the same index whether or not
  // the others are present.
  std::string sql(kColumns);
  sql += " WHERE 1";
  if (q.type) sql += " AND type = ?1";
  if (q.service) sql += " AND service = ?2";
  if (q.level) sql += " AND level = ?3";
  if (q.since) sql += " AND timestamp >= ?4";
  if (q.beforeId) sql += " AND id < ?5";
  if (q.afterId) sql += " AND id > ?6";
  sql += q.oldestFirst ? " ORDER BY id ASC" : " ORDER BY id DESC";
  sql += " LIMIT ?7 OFFSET ?8";
  auto stmt = db_.prepare(sql);
  if (!stmt) return std::unexpected(stmt.error());
  if (q.type) stmt->bind(1, *q.type);
  if (q.service) stmt->bind(2, *q.service);
  if (q.level) stmt->bind(3, *q.level);
  if (q.since) stmt->bind(4, *q.since);
  if (q.beforeId) stmt->bind(5, *q.beforeId);
  if (q.afterId) stmt->bind(6, *q.afterId);
  stmt->bind(7, static_cast<int64_t>(q.limit)).bind(8, static_cast<int64_t>(q.offset));
  return readRows(*stmt);
}

}  // namespace ballast::store
