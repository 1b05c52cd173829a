#include "lb/least_connections.h"

#include "lb/candidates.h"

namespace ballast::lb {

LeastConnectionsBalancer::LeastConnectionsBalancer(ServerList servers, core::Clock& clock,
                                                   core::Random& random)
    : Balancer(std::move(servers)), clock_(clock), random_(random) {}

ServerState* LeastConnectionsBalancer::pick(const PickContext& ctx) const {
  const core::MonoTime now = clock_.now();
  ServerState* best = nullptr;
  double bestLoad = 0;    // (active + 1) of best
  double bestWeight = 1;  // effective weight of best
  uint64_t ties = 0;
  for (const auto& entry : servers_) {
    ServerState& server = *entry;
    if (!detail::isCandidate(server, ctx.exclude)) continue;
    const double weight = server.effectiveWeight(now);
    if (weight <= 0) continue;
    const double load = static_cast<double>(server.activeConnections() + 1);
    // load / weight < bestLoad / bestWeight, without dividing (exact on integers).
    const double lhs = load * bestWeight;
    const double rhs = bestLoad * weight;
    if (best == nullptr || lhs < rhs) {
      best = &server;
      bestLoad = load;
      bestWeight = weight;
      ties = 1;
    } else if (lhs == rhs && random_.below(++ties) == 0) {
      best = &server;  // reservoir sampling: each tied server wins with 1/ties
      bestLoad = load;
      bestWeight = weight;
    }
  }
  return best;
}

}  // namespace ballast::lb
