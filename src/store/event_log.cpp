#include "store/event_log.h"

namespace ballast::store {

core::Status EventLog::append(const EventRecord& event) { return append(std::vector<EventRecord>{event}); }

core::Status EventLog::append(const std::vector<EventRecord>& events) {
  if (events.empty()) return {};
  return db_.transaction([&]() -> core::Status {
    for (const auto& e : events) {
      auto insert = db_.prepare(
          "INSERT INTO events(type, service, server_id, message, level, timestamp) VALUES(?, ?, ?, ?, ?, ?)");
      if (!insert) return std::unexpected(insert.error());
      insert->bind(1, e.type).bind(2, e.service).bind(3, e.serverId).bind(4, e.message).bind(5, e.level)
          .bind(6, e.timestamp);
      if (auto s = insert->run(); !s) return s;
    }
    // Keep the newest `retention_` rows; the subquery is NULL (nothing to
    // delete) while there are fewer.
    auto prune = db_.prepare(
        "DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?)");
    if (!prune) return std::unexpected(prune.error());
    return prune->bind(1, static_cast<int64_t>(retention_)).run();
  });
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
  std::lock_guard flushing(flushMu_);
  std::vector<EventRecord> batch;
  {
    std::lock_guard lock(mu_);
    batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
  }
  if (auto s = append(batch); !s) {
    std::lock_guard lock(mu_);
    // Put them back in front of anything recorded meanwhile, within the limit.
    queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
    while (queue_.size() > retention_) queue_.pop_front();
    return std::unexpected(s.error());
  }
  return batch.size();
}

core::Result<std::vector<EventRecord>> EventLog::list(size_t limit, const std::optional<std::string>& service) {
  auto stmt = db_.prepare(service
      ? "SELECT id, type, service, server_id, message, level, timestamp FROM events WHERE service = ?2 "
        "ORDER BY id DESC LIMIT ?1"
      : "SELECT id, type, service, server_id, message, level, timestamp FROM events ORDER BY id DESC LIMIT ?1");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->bind(1, static_cast<int64_t>(limit));
  if (service) stmt->bind(2, *service);
  std::vector<EventRecord> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back({stmt->integer(0), stmt->text(1), stmt->text(2), stmt->text(3), stmt->text(4), stmt->text(5),
                   stmt->text(6)});
  }
}

}  // namespace ballast::store
