#pragma once
// The selector stage of the request path: which server a request goes to,
// and whether it may go to another after a failure. The sticky server first,
// then the service's algorithm (never the server that just failed), each
// candidate's circuit-breaker permit, and the one retry a request may take
// within the service's retry budget. No sockets and no I/O: the forwarder
// reports what happened and asks again.
//
//   UpstreamSelector selector(*snapshot, counters, pinned, hashKey);
//   for (auto choice = selector.next();; choice = selector.next()) {
//     if (!choice.server) answer(choice.refusal);   // 503 or 502 / 504
//     ... connect; on failure: selector.failed(why, timedOut) and loop ...
//   }
//
// Thread-safety: one per request, on that request's thread. The snapshot and
// counters it refers to outlive it.

#include <optional>
#include <string>

#include "core/error.h"
#include "proxy/service.h"

namespace ballast::proxy {

class UpstreamSelector {
 public:
  struct Refusal {
    core::ErrorCode code = core::ErrorCode::kUnavailable;
    std::string message;
  };
  // `server` set: try it (its breaker permit is taken; see OutcomeRecorder).
  // Else `refusal` is what to answer.
  struct Choice {
    const ServerRuntime* server = nullptr;
    Refusal refusal;
  };

  // `pinned`: the sticky server (already checked as fit), or nullptr.
  UpstreamSelector(const ServiceSnapshot& snapshot, ServiceCounters& counters,
                   const lb::ServerState* pinned, std::optional<uint64_t> hashKey);

  // The next server to try: the first, or another after failed(). Breakers
  // that refuse are passed over, each costing the one retry.
  Choice next();

  // The server last chosen failed (no connection, a reset before any
  // response byte). Unless mayRetry() then takes the request's one retry,
  // next() refuses: 502, or 504 when `timedOut`, with `why`.
  void failed(std::string why, bool timedOut);
  // Takes the one retry a request may have, when the service's retry budget
  // allows it; next() then offers another server than the failed one.
  bool mayRetry();

  bool retried() const { return retried_; }

 private:
  Choice refuse();

  const ServiceSnapshot& snapshot_;
  ServiceCounters& counters_;
  const lb::ServerState* sticky_;
  std::optional<uint64_t> hashKey_;
  const lb::ServerState* current_ = nullptr;
  const lb::ServerState* excluded_ = nullptr;
  bool retried_ = false;
  bool refusePending_ = false;  // failed() without a retry taken since
  bool lastTimedOut_ = false;
  std::string failure_;
};

}  // namespace ballast::proxy
