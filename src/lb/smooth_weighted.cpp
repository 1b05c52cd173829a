#include "lb/smooth_weighted.h"

#include "lb/candidates.h"

namespace ballast::lb {

SmoothWeightedBalancer::SmoothWeightedBalancer(ServerList servers, core::Clock& clock)
    : Balancer(std::move(servers)), clock_(clock), current_(servers_.size(), 0.0) {}

ServerState* SmoothWeightedBalancer::pick(const PickContext& ctx) const {
  const core::MonoTime now = clock_.now();
  std::lock_guard lock(mu_);
  double total = 0;
  size_t best = servers_.size();
  for (size_t i = 0; i < servers_.size(); ++i) {
    const ServerState& server = *servers_[i];
    if (!detail::isCandidate(server, ctx.exclude)) continue;
    const double weight = server.effectiveWeight(now);
    current_[i] += weight;
    total += weight;
    if (best == servers_.size() || current_[i] > current_[best]) best = i;
  }
  if (best == servers_.size()) return nullptr;
  current_[best] -= total;
  return servers_[best].get();
}

}  // namespace ballast::lb
