#include "lb/maglev.h"

#include <algorithm>

#include "lb/candidates.h"
#include "lb/hash.h"

namespace ballast::lb {

namespace {
constexpr uint32_t kEmptySlot = UINT32_MAX;
// Seeds for the two hashes that define a server's permutation of the slots.
constexpr uint64_t kOffsetSeed = 0x6d61676c65766f66ULL;
constexpr uint64_t kSkipSeed = 0x6d61676c6576736bULL;
constexpr uint64_t kRehashStep = 0x9e3779b97f4a7c15ULL;

// A server's progress through its permutation while the table is filled.
struct Filler {
  uint32_t index;       // into servers
  uint64_t offset;      // first slot
  uint64_t skip;        // distance between slots, in [1, size - 1]
  uint64_t next = 0;    // position in the permutation
  double weight;        // weight / max weight, in (0, 1]
  double target = 0.0;  // the server takes a turn once iteration * weight reaches it
};
}  // namespace

MaglevBalancer::MaglevBalancer(ServerList servers, core::Random& random, uint64_t tableSize)
    : Balancer(std::move(servers)), random_(random) {
  build(tableSize);
}

void MaglevBalancer::build(uint64_t tableSize) {
  int maxWeight = 0;
  for (const auto& server : servers_) maxWeight = std::max(maxWeight, server->weight());
  if (maxWeight == 0) return;

  std::vector<Filler> fillers;
  for (uint32_t i = 0; i < servers_.size(); ++i) {
    const ServerState& server = *servers_[i];
    if (server.weight() <= 0) continue;
    fillers.push_back(Filler{
        .index = i,
        .offset = hash64(server.id(), kOffsetSeed) % tableSize,
        .skip = hash64(server.id(), kSkipSeed) % (tableSize - 1) + 1,
        .weight = static_cast<double>(server.weight()) / maxWeight,
    });
  }

  // Weighted turns as in Envoy: the heaviest server fills a slot on every
  // iteration, one of a third its weight on every third.
  table_.assign(tableSize, kEmptySlot);
  uint64_t filled = 0;
  for (uint64_t iteration = 1; filled < tableSize; ++iteration) {
    for (Filler& filler : fillers) {
      if (filled == tableSize) break;
      if (static_cast<double>(iteration) * filler.weight < filler.target) continue;
      filler.target += 1.0;
      uint64_t slot = (filler.offset + filler.skip * filler.next) % tableSize;
      while (table_[slot] != kEmptySlot) {
        ++filler.next;
        slot = (filler.offset + filler.skip * filler.next) % tableSize;
      }
      table_[slot] = filler.index;
      ++filler.next;
      ++filled;
    }
  }
}

ServerState* MaglevBalancer::pick(const PickContext& ctx) const {
  if (table_.empty()) return nullptr;
  if (!ctx.hashKey) return detail::randomCandidate(servers_, random_, ctx.exclude);
  uint64_t hash = mix64(*ctx.hashKey);
  for (int attempt = 0; attempt < kMaxRehash; ++attempt) {
    ServerState* server = servers_[table_[hash % table_.size()]].get();
    if (detail::isCandidate(*server, ctx.exclude)) return server;
    hash = mix64(hash + kRehashStep);
  }
  return detail::nthCandidate(servers_, *ctx.hashKey, ctx.exclude);
}

std::vector<uint64_t> MaglevBalancer::slotCounts() const {
  std::vector<uint64_t> counts(servers_.size(), 0);
  for (uint32_t index : table_) ++counts[index];
  return counts;
}

}  // namespace ballast::lb
