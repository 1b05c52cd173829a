#pragma once
// "round-robin": each server in list order, one after the other, ignoring
// weights (a weight of 0 still takes the server out). A skipped turn — the
// server is not eligible or is the excluded one — goes to a uniformly random
// candidate, so the next server in the list does not get a double share.
//
// Thread-safety: lock-free; the turn is one shared atomic counter.

#include <atomic>

#include "lb/balancer.h"

namespace ballast::lb {

class RoundRobinBalancer final : public Balancer {
 public:
  RoundRobinBalancer(ServerList servers, core::Random& random);

  ServerState* pick(const PickContext& ctx) const override;
  Algorithm algorithm() const override { return Algorithm::kRoundRobin; }

 private:
  core::Random& random_;
  mutable std::atomic<uint64_t> next_{0};
};

}  // namespace ballast::lb
