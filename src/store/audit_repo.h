#pragma once
// The stored audit trail (migration 6): one row per mutating admin call, plus
// two settings rows that make the hash chain checkable end to end:
//   audit.head   {"id","hash"} of the newest record (so a cut-off tail shows);
//   audit.anchor {"id","hash"} of the newest record retention removed (the
//                chain of the oldest kept record starts from it).
// The chain itself (what is hashed) is security/audit_chain.h; this is only
// the table. Rows are written with ids chosen by the caller, in order.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"

namespace ballast::store {

struct AuditRow {
  int64_t id = 0;
  std::string time;       // ISO 8601 UTC
  std::string actor;      // token subject, "apikey:<id>", "anonymous", or "-" (no valid credentials)
  std::string actorName;  // the API key's name; empty otherwise
  std::string role;       // "viewer" | "operator" | "admin" | "" (none)
  std::string source;     // client address
  std::string method;
  std::string path;
  std::string target;     // the resource the path names ("web", "web/srv-1"); empty when none
  int status = 0;         // the response status
  std::string requestId;
  std::string hash;       // hex SHA-256 chaining this row to the one before
};

// A position in the chain: a record id and its hash (id 0: before the first).
struct AuditLink {
  int64_t id = 0;
  std::string hash;
};

// Which rows query() returns, newest first; filters are ANDed.
struct AuditQuery {
  std::optional<std::string> actor;       // exact
  std::optional<std::string> method;      // exact, upper case
  std::optional<std::string> pathPrefix;
  std::optional<int> status;              // exact status
  std::optional<bool> failed;             // true: status >= 400; false: status < 400
  std::optional<std::string> since;       // time >= since
  std::optional<std::string> until;       // time < until
  std::optional<int64_t> beforeId;        // id < beforeId (the paging cursor)
  size_t limit = 100;
};

class AuditRepository {
 public:
  explicit AuditRepository(Database& db) : db_(db) {}

  // The chain's head and anchor as last stored (nullopt: none yet).
  core::Result<std::optional<AuditLink>> head();
  core::Result<std::optional<AuditLink>> anchor();

  // Sets each row's id and hash given the stored head (nullopt: none yet).
  using Chainer = std::function<void(const std::optional<AuditLink>& head, std::vector<AuditRow>& rows)>;

  // In one transaction — which also excludes other processes, so a draining
  // and a new worker generation cannot fork the chain: reads the head, lets
  // `chain` number and hash `rows`, inserts them, records the last as the
  // head, and when more than `retention` rows are kept removes the oldest,
  // recording the newest removed as the anchor.
  core::Status append(std::vector<AuditRow>& rows, size_t retention, const Chainer& chain);

  core::Result<std::vector<AuditRow>> query(const AuditQuery& query);
  // Calls `visit` for every stored row in id order; stops when it returns false.
  core::Status walk(const std::function<bool(const AuditRow&)>& visit);

 private:
  Database& db_;
};

}  // namespace ballast::store
