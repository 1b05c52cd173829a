#include "lb/two_choices.h"

#include "lb/candidates.h"

namespace ballast::lb {

namespace {
// Latency cost; -1 for a server without a sample so that it sorts first.
double latencyCost(const ServerState& server) {
  const auto ewma = server.ewmaLatencyMicros();
  if (!ewma) return -1.0;
  return *ewma * static_cast<double>(server.activeConnections() + 1);
}
}  // namespace

TwoChoicesBalancer::TwoChoicesBalancer(ServerList servers, core::Random& random, Cost cost)
    : Balancer(std::move(servers)), random_(random), cost_(cost) {}

Algorithm TwoChoicesBalancer::algorithm() const {
  return cost_ == Cost::kConnections ? Algorithm::kRandom : Algorithm::kLeastResponseTime;
}

ServerState* TwoChoicesBalancer::pick(const PickContext& ctx) const {
  ServerState* first = detail::randomCandidate(servers_, random_, ctx.exclude);
  if (first == nullptr) return nullptr;
  ServerState* second = detail::randomCandidate(servers_, random_, ctx.exclude, first);
  if (second == nullptr) return first;
  return better(first, second);
}

ServerState* TwoChoicesBalancer::better(ServerState* first, ServerState* second) const {
  if (cost_ == Cost::kLatency) {
    const double a = latencyCost(*first);
    const double b = latencyCost(*second);
    if (a != b) return a < b ? first : second;
  }
  return second->activeConnections() < first->activeConnections() ? second : first;
}

}  // namespace ballast::lb
