#pragma once
// The audit trail's hash chain. Each record's hash is
//   SHA-256( previous record's hash (hex) || "\n" || canonical content )
// where the canonical content is a JSON array of every stored field but the
// hash, the record id included — so editing a record changes its hash,
// deleting or reordering one breaks the link of the next, and the head kept
// in the settings (store/audit_repo.h) shows a cut-off tail. The first record
// chains from the genesis hash (64 zeros) or, after retention pruned older
// records, from the anchor.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/audit_repo.h"

namespace ballast::security {

inline const std::string kAuditGenesisHash(64, '0');

std::string auditCanonical(const store::AuditRow& row);
std::string auditHash(std::string_view previousHash, const store::AuditRow& row);

struct AuditChainReport {
  bool intact = true;
  size_t records = 0;     // records checked
  int64_t badId = 0;      // the first bad record (0 when the problem is not one record)
  std::string problem;    // what is wrong, when not intact
};

// Walks the stored chain from its anchor to its head.
core::Result<AuditChainReport> verifyAuditChain(store::AuditRepository& repo);

}  // namespace ballast::security
