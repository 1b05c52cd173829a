#pragma once
// "least-connections": the candidate with the smallest
// (activeConnections + 1) / effectiveWeight, like nginx's least_conn with
// weights. The +1 makes an idle pool honour the weights too (a weight-3 server
// takes the first connections before a weight-1 one). Ties are broken uniformly
// at random, so an idle pool spreads its load instead of piling onto the first
// server.
//
// Thread-safety: lock-free; one O(n) pass over atomics. Two concurrent picks may
// both choose the same least-loaded server, as in every proxy that does this.

#include "lb/balancer.h"

namespace ballast::lb {

class LeastConnectionsBalancer final : public Balancer {
 public:
  LeastConnectionsBalancer(ServerList servers, core::Clock& clock, core::Random& random);

  ServerState* pick(const PickContext& ctx) const override;
  Algorithm algorithm() const override { return Algorithm::kLeastConnections; }

 private:
  core::Clock& clock_;
  core::Random& random_;
};

}  // namespace ballast::lb
