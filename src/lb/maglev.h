#pragma once
// "ip-hash": consistent hashing with Maglev (Eisenbud et al., NSDI 2016), as in
// Envoy. Every server fills slots of a prime-sized lookup table along its own
// pseudo-random permutation, in turns proportional to its weight; a key is
// served by the server in slot key % size. Removing one of N servers moves
// about 1/N of the keys (plus a little churn), and the table is built once per
// server list, here in the constructor (about a millisecond for 65537 slots).
//
// Servers that are temporarily not eligible stay in the table. A key whose
// slot names one is rehashed to another slot, so only that server's keys move,
// and they come back when it does. After kMaxRehash misses (almost everything
// is down) the key falls to the (key % candidates)-th candidate, still
// deterministic. Weights are read at construction: rebuild to change them.
//
// Thread-safety: the table is immutable after construction; pick() is
// lock-free (it uses Random only when the context carries no key).

#include <cstdint>
#include <vector>

#include "lb/balancer.h"

namespace ballast::lb {

class MaglevBalancer final : public Balancer {
 public:
  // Prime; keeps each server's share within ~1% for pools up to a few hundred.
  static constexpr uint64_t kDefaultTableSize = 65537;
  static constexpr int kMaxRehash = 16;

  // REQUIRES: tableSize is prime and larger than the number of servers.
  MaglevBalancer(ServerList servers, core::Random& random, uint64_t tableSize = kDefaultTableSize);

  ServerState* pick(const PickContext& ctx) const override;
  Algorithm algorithm() const override { return Algorithm::kIpHash; }

  // Slots per server index (for tests and diagnostics).
  std::vector<uint64_t> slotCounts() const;

 private:
  void build(uint64_t tableSize);

  core::Random& random_;
  std::vector<uint32_t> table_;  // slot -> index into servers_; empty when no weight > 0
};

}  // namespace ballast::lb
