#include "lb/pool.h"

#include "lb/sticky.h"

namespace ballast::lb {

Pool::Pool(Algorithm algorithm, ServerList servers, core::Clock& clock, core::Random& random)
    : balancer_(makeBalancer(algorithm, std::move(servers), clock, random)) {
  for (const auto& server : balancer_->servers()) {
    byId_.emplace(server->id(), server.get());
    bySticky_.emplace(stickyHash(server->id()), server.get());
  }
}

ServerState* Pool::find(std::string_view id) const {
  const auto it = byId_.find(id);
  return it == byId_.end() ? nullptr : it->second;
}

ServerState* Pool::findSticky(std::string_view cookieValue) const {
  const auto hash = parseStickyCookie(cookieValue);
  if (!hash) return nullptr;
  const auto it = bySticky_.find(*hash);
  if (it == bySticky_.end() || !it->second->isEligible()) return nullptr;
  return it->second;
}

size_t Pool::eligibleCount() const {
  size_t count = 0;
  for (const auto& server : servers()) {
    if (server->isEligible()) ++count;
  }
  return count;
}

}  // namespace ballast::lb
