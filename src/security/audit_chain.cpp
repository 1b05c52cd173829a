#include "security/audit_chain.h"

#include <fmt/format.h>

#include "core/json.h"
#include "security/sha256.h"

namespace ballast::security {

std::string auditCanonical(const store::AuditRow& r) {
  return core::Json::array({r.id, r.time, r.actor, r.actorName, r.role, r.source, r.method, r.path, r.target,
                            r.status, r.requestId})
      .dump();
}

std::string auditHash(std::string_view previousHash, const store::AuditRow& row) {
  std::string input(previousHash);
  input += '\n';
  input += auditCanonical(row);
  return sha256Hex(input);
}

core::Result<AuditChainReport> verifyAuditChain(store::AuditRepository& repo) {
  auto anchor = repo.anchor();
  if (!anchor) return std::unexpected(anchor.error());
  auto head = repo.head();
  if (!head) return std::unexpected(head.error());
  store::AuditLink previous = anchor->value_or(store::AuditLink{0, kAuditGenesisHash});
  AuditChainReport report;
  auto fail = [&report](int64_t id, std::string problem) {
    report.intact = false;
    report.badId = id;
    report.problem = std::move(problem);
    return false;
  };
  auto walked = repo.walk([&](const store::AuditRow& row) {
    if (row.id != previous.id + 1) {
      return fail(row.id, fmt::format("does not follow record {} (a record was deleted, inserted or reordered)",
                                      previous.id));
    }
    if (auditHash(previous.hash, row) != row.hash) {
      return fail(row.id, "its content does not match its hash (the record was edited, or the one before it)");
    }
    ++report.records;
    previous = {row.id, row.hash};
    return true;
  });
  if (!walked) return std::unexpected(walked.error());
  if (!report.intact) return report;
  const store::AuditLink expected = head->value_or(store::AuditLink{0, kAuditGenesisHash});
  if (expected.id != previous.id || expected.hash != previous.hash) {
    report.intact = false;
    report.badId = expected.id;
    report.problem = fmt::format("the chain ends at record {} but its head is record {} (records were removed "
                                 "from the end, or the head was changed)",
                                 previous.id, expected.id);
  }
  return report;
}

}  // namespace ballast::security
