#pragma once
// The power of two choices: draw two different candidates uniformly at random
// and send the request to the cheaper one. Nearly as even as a full
// least-loaded scan, O(1), lock-free, and without the herd effect of every
// thread choosing the same least-loaded server.
//
// Two costs, one per algorithm:
//   "random"              fewer active connections wins.
//   "least-response-time" lower EWMA latency x (active + 1) wins (the "peak EWMA"
//                         idea of Finagle and Envoy); a server with no latency
//                         sample yet wins over a measured one, so new servers get
//                         measured; between two unmeasured ones, fewer
//                         connections wins.
// Weights are not used beyond weight 0 meaning "never".
//
// Thread-safety: lock-free; as safe as the Random passed in.

#include "lb/balancer.h"

namespace ballast::lb {

class TwoChoicesBalancer final : public Balancer {
 public:
  enum class Cost { kConnections, kLatency };

  TwoChoicesBalancer(ServerList servers, core::Random& random, Cost cost);

  ServerState* pick(const PickContext& ctx) const override;
  Algorithm algorithm() const override;

 private:
  // The better of the two by cost_; `first` on a tie (it is random already).
  ServerState* better(ServerState* first, ServerState* second) const;

  core::Random& random_;
  const Cost cost_;
};

}  // namespace ballast::lb
