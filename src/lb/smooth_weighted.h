#pragma once
// "weighted": nginx's smooth weighted round-robin. On every pick each
// candidate's current weight grows by its effective weight (slow start
// included); the largest current weight wins and gives back the sum of the
// effective weights. Over any cycle every server gets exactly its share, and
// the picks are interleaved: weights 5,1,1 give a a b a c a a.
//
// Thread-safety: pick() takes a per-balancer mutex around one O(n) pass over
// plain doubles. A lock-free alternative (precomputing the cycle and walking it
// with an atomic index) cannot follow slow start or eligibility changes, and the
// critical section is a few nanoseconds per server, so the mutex is the simpler
// correct choice. Use "round-robin" or "random" where contention matters.

#include <mutex>
#include <vector>

#include "lb/balancer.h"

namespace ballast::lb {

class SmoothWeightedBalancer final : public Balancer {
 public:
  SmoothWeightedBalancer(ServerList servers, core::Clock& clock);

  ServerState* pick(const PickContext& ctx) const override;
  Algorithm algorithm() const override { return Algorithm::kWeighted; }

 private:
  core::Clock& clock_;
  mutable std::mutex mu_;
  mutable std::vector<double> current_;  // guarded by mu_; one per server, in list order
};

}  // namespace ballast::lb
