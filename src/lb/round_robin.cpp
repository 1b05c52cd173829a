#include "lb/round_robin.h"

#include "lb/candidates.h"

namespace ballast::lb {

RoundRobinBalancer::RoundRobinBalancer(ServerList servers, core::Random& random)
    : Balancer(std::move(servers)), random_(random) {}

ServerState* RoundRobinBalancer::pick(const PickContext& ctx) const {
  if (servers_.empty()) return nullptr;
  const uint64_t turn = next_.fetch_add(1, std::memory_order_relaxed);
  ServerState* server = servers_[turn % servers_.size()].get();
  if (detail::isCandidate(*server, ctx.exclude)) return server;
  return detail::randomCandidate(servers_, random_, ctx.exclude);
}

}  // namespace ballast::lb
