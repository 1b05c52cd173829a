#pragma once
// Helpers shared by the balancer implementations: which servers may be picked
// and how to choose among them uniformly without allocating.
// Internal to lb/. Thread-safety: as safe as the Random passed in.

#include <cstdint>

#include "core/random.h"
#include "lb/balancer.h"

namespace ballast::lb::detail {

// True when `server` is eligible and is not `exclude`.
inline bool isCandidate(const ServerState& server, const ServerState* exclude) {
  return &server != exclude && server.isEligible();
}

// The candidate at position selector % (number of candidates), counting in list
// order, skipping `exclude` and `alsoExclude`; nullptr when there are none.
// Deterministic in `selector`. O(n).
ServerState* nthCandidate(const ServerList& servers, uint64_t selector, const ServerState* exclude,
                          const ServerState* alsoExclude = nullptr);

// A uniformly random candidate other than `exclude` and `alsoExclude`; nullptr
// when there is none. A few random probes first (O(1) when most servers are
// candidates), then an exact O(n) draw, so the result is uniform either way.
ServerState* randomCandidate(const ServerList& servers, core::Random& random,
                             const ServerState* exclude, const ServerState* alsoExclude = nullptr);

}  // namespace ballast::lb::detail
