#pragma once
// The balancing interface: pick one server for a request out of one pool
// snapshot. A Balancer is built for a fixed server list (see makeBalancer) and
// does its per-list preparation once — the Maglev table, the smooth-WRR state —
// so pick() does no allocation and, except for "weighted", takes no lock.
//
// Candidates are the servers that are eligible at the moment of the pick
// (ServerState::isEligible: healthy, not in maintenance, not draining, not
// ejected, weight > 0). Those are atomic flags, so health changes need no new
// balancer; adding or removing a server, or changing a weight under ip-hash,
// does (see Pool).
//
// Thread-safety: pick() may be called from any number of threads at once.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "lb/algorithm.h"
#include "lb/server.h"

namespace ballast::lb {

using ServerList = std::vector<ServerPtr>;

struct PickContext {
  // Affinity key for ip-hash, usually hashKey(client address). Other algorithms
  // ignore it; ip-hash without a key picks at random.
  std::optional<uint64_t> hashKey{};
  // A server not to pick, e.g. the one a retry moves away from; nullptr for none.
  const ServerState* exclude = nullptr;
};

// The affinity key for a client address or any other string.
uint64_t hashKey(std::string_view clientKey);

class Balancer {
 public:
  virtual ~Balancer() = default;

  // An eligible server other than ctx.exclude, or nullptr when there is none
  // (empty pool, nothing eligible, or only the excluded server left). The
  // pointer stays valid while this balancer lives; call shared_from_this() on it
  // to keep the server longer.
  virtual ServerState* pick(const PickContext& ctx) const = 0;

  virtual Algorithm algorithm() const = 0;
  const ServerList& servers() const { return servers_; }

 protected:
  explicit Balancer(ServerList servers) : servers_(std::move(servers)) {}
  const ServerList servers_;
};

// A balancer for `algorithm` over `servers`. `clock` gives slow start its time;
// `random` breaks ties and makes the random choices.
// REQUIRES: no null or duplicate servers; `clock` and `random` outlive the
// balancer, and `random` is safe to share between the threads that call
// pick() (FastRandom is; SeededRandom is for single-threaded tests).
std::unique_ptr<Balancer> makeBalancer(Algorithm algorithm, ServerList servers, core::Clock& clock,
                                       core::Random& random);

}  // namespace ballast::lb
