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
// Thread-safety: every method may be called from any thread.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"

namespace ballast::store {

struct EventRecord {
  int64_t id = 0;         // assigned by the store; increasing
  std::string type;       // "server", "service", "health", "circuit", ...
  std::string service;    // empty for daemon-wide events
  std::string serverId;   // empty unless it concerns one server
  std::string message;
  std::string level;      // "info" | "warning" | "error"
  std::string timestamp;  // ISO 8601 UTC, set by the caller
};

class EventLog {
 public:
  static constexpr size_t kDefaultRetention = 10000;

  // REQUIRES: retention > 0.
  explicit EventLog(Database& db, size_t retention = kDefaultRetention) : db_(db), retention_(retention) {}

  core::Status append(const EventRecord& event);
  core::Status append(const std::vector<EventRecord>& events);

  void record(EventRecord event);
  // Writes every queued event; returns how many. On failure they stay queued.
  core::Result<size_t> flush();
  size_t queued() const;

  // Newest first; at most `limit`; only `service`'s when given.
  core::Result<std::vector<EventRecord>> list(size_t limit,
                                              const std::optional<std::string>& service = std::nullopt);
  size_t retention() const { return retention_; }

 private:
  Database& db_;
  const size_t retention_;
  mutable std::mutex mu_;
  std::deque<EventRecord> queue_;  // guarded by mu_
  std::mutex flushMu_;             // one flush at a time, so order is kept
};

}  // namespace ballast::store
