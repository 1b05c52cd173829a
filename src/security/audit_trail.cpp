#include "security/audit_trail.h"

#include "core/time_format.h"
#include "security/audit_chain.h"

namespace ballast::security {

void AuditTrail::record(AuditEntry e) {
  store::AuditRow row{0, core::isoUtc(clock_.wallNow()), std::move(e.actor), std::move(e.actorName), std::move(e.role),
                      std::move(e.source), std::move(e.method), std::move(e.path), std::move(e.target), e.status,
                      std::move(e.requestId), ""};
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(row));
}

core::Result<size_t> AuditTrail::flush() {
  std::lock_guard writeLock(writeMu_);
  std::vector<store::AuditRow> batch;
  {
    std::lock_guard lock(mu_);
    batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
  }
  if (batch.empty()) return 0;
  // Numbered and chained inside the write transaction, from the head as
  // stored: right across worker restarts and overlapping generations.
  auto s = repo_.append(batch, retention_, [](const std::optional<store::AuditLink>& head,
                                              std::vector<store::AuditRow>& rows) {
    store::AuditLink link = head.value_or(store::AuditLink{0, kAuditGenesisHash});
    for (auto& row : rows) {
      row.id = link.id + 1;
      row.hash = auditHash(link.hash, row);
      link = {row.id, row.hash};
    }
  });
  if (!s) {
    // Put them back in front, in order: the next flush retries.
    std::lock_guard lock(mu_);
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
    return std::unexpected(s.error());
  }
  return batch.size();
}

size_t AuditTrail::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace ballast::security
