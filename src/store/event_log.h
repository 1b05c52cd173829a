#pragma once
// The stored event log: what happened to services and servers (added, removed,
// draining, health changes, ejections, breakers), newest kept, oldest pruned
// beyond a retention limit.
//
// Two ways in:
//   append()  writes at once (one transaction) and prunes;
//   record()  only queues — cheap enough for I/O threads — and flush() writes
//             the queue in one transaction (the daemon's control loop calls
//             it periodically and at shutdown). The queue holds at most
//             `retention` events; beyond that the oldest queued are dropped.
//
// One way out besides reading: the written listener (setWrittenListener) sees
// every batch once it is committed, with the ids the store gave it, in id
// order — the daemon streams events from there, so a streamed event is always
// one GET /events can return, under the same id.
//
// Thread-safety: every method may be called from any thread.

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"

namespace ballast::store {

struct EventRecord {
  int64_t id = 0;        // assigned by the store; increasing
  std::string type;      // "server", "service", "health", "circuit", ...
  std::string service;   // empty for daemon-wide events
  std::string serverId;  // empty unless it concerns one server
  std::string message;
  std::string level;      // "info" | "warning" | "error"
  std::string timestamp;  // ISO 8601 UTC, set by the caller
};

// Which events query() returns. The filters are ANDed; empty ones match all.
struct EventQuery {
  std::optional<std::string> type;
  std::optional<std::string> service;
  std::optional<std::string> level;
  std::optional<std::string> since;  // ISO 8601 UTC as isoUtc() writes it; timestamp >= since
  std::optional<int64_t> beforeId;   // id < beforeId (paging newest first)
  std::optional<int64_t> afterId;    // id > afterId (resuming a stream)
  size_t offset = 0;
  size_t limit = 100;
  bool oldestFirst = false;  // default: newest first

  // Whether `event` passes the filters (type, service, level, since, ids);
  // offset and limit do not apply.
  bool matches(const EventRecord& event) const;
};

class EventLog {
 public:
  static constexpr size_t kDefaultRetention = 10000;
  // Sees each committed batch (ids set, ascending). Called with the write
  // lock held, so batches arrive in order: it must be quick and must not
  // write to this log.
  using WrittenListener = std::function<void(const std::vector<EventRecord>&)>;

  // REQUIRES: retention > 0.
  explicit EventLog(Database& db, size_t retention = kDefaultRetention)
      : db_(db), retention_(retention) {}

  core::Status append(const EventRecord& event);
  core::Status append(const std::vector<EventRecord>& events);
  // REQUIRES: called before the log is shared between threads.
  void setWrittenListener(WrittenListener listener) { written_ = std::move(listener); }

  void record(EventRecord event);
  // Writes every queued event; returns how many. On failure they stay queued.
  core::Result<size_t> flush();
  size_t queued() const;

  // Newest first; at most `limit`; only `service`'s when given.
  core::Result<std::vector<EventRecord>> list(
      size_t limit, const std::optional<std::string>& service = std::nullopt);
  // The stored events `query` selects (queued ones are not yet stored).
  core::Result<std::vector<EventRecord>> query(const EventQuery& query);
  size_t retention() const { return retention_; }

 private:
  // Inserts `events`, setting their ids, and prunes. REQUIRES: writeMu_ held.
  core::Status write(std::vector<EventRecord>& events);

  Database& db_;
  const size_t retention_;
  WrittenListener written_;
  mutable std::mutex mu_;
  std::deque<EventRecord> queue_;  // guarded by mu_
  std::mutex writeMu_;             // one write at a time, so ids and the listener keep order
};

}  // namespace ballast::store
