#pragma once
// The audit trail's writer: every mutating admin call becomes a record (who,
// role, from where, what, on which resource, outcome, request id, time),
// hash-chained to the one before (audit_chain.h) and stored.
//
// record() only stamps the time and queues — cheap enough for the I/O
// threads, which call it before the response leaves, so every acknowledged
// mutation is queued. flush() numbers, chains and writes the queue in one
// transaction (the daemon's upkeep every 250 ms, and once more at shutdown
// after the I/O threads stopped, so a clean shutdown loses nothing). The
// queue is never dropped: on a failed write it stays and the next flush
// retries. Each flush continues the chain from the head as stored, so a new
// worker (or two overlapping generations) keep one chain.
//
// Thread-safety: every method may be called from any thread.

#include <deque>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "store/audit_repo.h"

namespace ballast::security {

struct AuditEntry {
  std::string actor;      // subject, "apikey:<id>", "anonymous" or "-" (no valid credentials)
  std::string actorName;  // API key name
  std::string role;       // "" when none
  std::string source;
  std::string method;
  std::string path;
  std::string target;
  int status = 0;
  std::string requestId;
};

class AuditTrail {
 public:
  static constexpr size_t kDefaultRetention = 100000;

  // REQUIRES: retention > 0.
  AuditTrail(store::AuditRepository& repo, const core::Clock& clock, size_t retention = kDefaultRetention)
      : repo_(repo), clock_(clock), retention_(retention) {}

  void record(AuditEntry entry);
  // Writes every queued record; returns how many.
  core::Result<size_t> flush();
  size_t queued() const;

 private:
  store::AuditRepository& repo_;
  const core::Clock& clock_;
  const size_t retention_;
  mutable std::mutex mu_;
  std::deque<store::AuditRow> queue_;  // guarded by mu_; id and hash unset
  std::mutex writeMu_;                 // one flush at a time, so the queue's order is the chain's
};

}  // namespace ballast::security
