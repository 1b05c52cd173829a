#include "lb/balancer.h"

#include <utility>

#include "lb/hash.h"
#include "lb/least_connections.h"
#include "lb/maglev.h"
#include "lb/round_robin.h"
#include "lb/smooth_weighted.h"
#include "lb/two_choices.h"

namespace ballast::lb {

uint64_t hashKey(std::string_view clientKey) {
  return hash64(clientKey);
}

std::unique_ptr<Balancer> makeBalancer(Algorithm algorithm, ServerList servers, core::Clock& clock,
                                       core::Random& random) {
  switch (algorithm) {
    case Algorithm::kRoundRobin:
      return std::make_unique<RoundRobinBalancer>(std::move(servers), random);
    case Algorithm::kWeighted:
      return std::make_unique<SmoothWeightedBalancer>(std::move(servers), clock);
    case Algorithm::kLeastConnections:
      return std::make_unique<LeastConnectionsBalancer>(std::move(servers), clock, random);
    case Algorithm::kIpHash:
      return std::make_unique<MaglevBalancer>(std::move(servers), random);
    case Algorithm::kRandom:
      return std::make_unique<TwoChoicesBalancer>(std::move(servers), random,
                                                  TwoChoicesBalancer::Cost::kConnections);
    case Algorithm::kLeastResponseTime:
      return std::make_unique<TwoChoicesBalancer>(std::move(servers), random,
                                                  TwoChoicesBalancer::Cost::kLatency);
  }
  std::unreachable();
}

}  // namespace ballast::lb
