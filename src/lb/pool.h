#pragma once
// One service's servers as an immutable snapshot, with the balancer built for
// them. The owner (the service registry) builds a new Pool whenever the set of
// servers changes — or a weight, for ip-hash — and publishes it with
// std::atomic<std::shared_ptr<const Pool>> (RCU style); a request keeps the
// snapshot it started with. Health, maintenance, drain and ejection are flags
// on ServerState and take effect on the next pick without a rebuild.
//
// Thread-safety: immutable after construction; every method may be called from
// any thread.

#include <cstddef>
#include <memory>
#include <string_view>
#include <unordered_map>

#include "lb/balancer.h"

namespace ballast::lb {

class Pool {
 public:
  // REQUIRES: as for makeBalancer(): unique, non-null servers; `clock` and
  // `random` outlive the pool.
  Pool(Algorithm algorithm, ServerList servers, core::Clock& clock, core::Random& random);

  static std::shared_ptr<const Pool> create(Algorithm algorithm, ServerList servers,
                                            core::Clock& clock, core::Random& random) {
    return std::make_shared<const Pool>(algorithm, std::move(servers), clock, random);
  }

  // See Balancer::pick(). The pointer is valid while this pool lives.
  ServerState* pick(const PickContext& ctx) const { return balancer_->pick(ctx); }

  // The server with this id, eligible or not; nullptr when unknown.
  ServerState* find(std::string_view id) const;
  // The server a sticky cookie value names when it is eligible now; nullptr
  // otherwise (malformed, unknown, or not eligible: pick another server and
  // issue a new cookie).
  ServerState* findSticky(std::string_view cookieValue) const;

  Algorithm algorithm() const { return balancer_->algorithm(); }
  const ServerList& servers() const { return balancer_->servers(); }
  size_t size() const { return servers().size(); }
  // How many servers are eligible right now (an O(n) snapshot).
  size_t eligibleCount() const;

 private:
  std::unique_ptr<Balancer> balancer_;
  std::unordered_map<std::string_view, ServerState*> byId_;  // views into ServerState::id()
  std::unordered_map<uint64_t, ServerState*> bySticky_;
};

}  // namespace ballast::lb
