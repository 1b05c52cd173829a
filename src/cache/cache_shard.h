#pragma once
// CacheShard holds one shard of MemoryCache: the entries whose key hash falls in
// it, their TTLs, and the eviction policy that keeps it within its entry and byte
// limits.
//
// W-TinyLFU (Einziger, Friedman, Manes; the policy of Caffeine):
//   a new entry goes to the front of the window, an LRU of ~1% of maxEntries;
//   when the window overflows, its LRU entry becomes a candidate for the main
//   segmented LRU and enters its probation segment; while the shard is then over
//   its limits, the candidate duels main's victim (probation's LRU entry, else
//   protected's): the one the frequency sketch has seen less often is evicted, a
//   tie goes against the candidate. So a one-off scan cannot push out entries
//   that are read again and again.
//   A hit in probation promotes the entry to protected (80% of main); protected's
//   overflow is demoted back to the front of probation.
//   Byte pressure without a window overflow (a big value, an update that grew)
//   evicts main's victims, then the window's LRU entry.
// kLru keeps every entry in the window and evicts from its LRU end.
// The entry being written is never its own write's victim.
//
// Invariants between calls: entries <= maxEntries and bytes <= maxBytes;
// window_.size() <= windowMax_; protected_.size() <= protectedMax_; index_ maps
// exactly the nodes of the three lists; expiries_ holds exactly the nodes with a
// finite expiry; counters_.entries/bytes are the sums over the nodes.
//
// Thread-safety: none. MemoryCache guards each shard with its own mutex.

#include <cstdint>
#include <initializer_list>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cache/cache_types.h"
#include "cache/frequency_sketch.h"
#include "core/clock.h"

namespace ballast::cache {

// A key with its precomputed hash (the cache hashes once per call).
struct KeyRef {
  std::string_view key;
  uint64_t hash;
};

struct ShardLimits {
  size_t maxEntries = 1;  // REQUIRES: >= 1
  size_t maxBytes = 0;    // budget for entries as charged by chargeOf()
  EvictionPolicy policy = EvictionPolicy::kTinyLfu;
};

struct ShardCounters {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;    // removed to make room
  uint64_t expirations = 0;  // removed because their TTL ran out (lazily or by a sweep)
  size_t entries = 0;
  size_t bytes = 0;  // sum of chargeOf() over the entries
};

class CacheShard {
 public:
  // Expiry of an entry that never expires.
  static constexpr core::MonoTime kNever = core::MonoTime::max();

  explicit CacheShard(const ShardLimits& limits);
  CacheShard(const CacheShard&) = delete;
  CacheShard& operator=(const CacheShard&) = delete;

  // The bytes an entry counts against the budget: key, value and an estimate of
  // the bookkeeping around them.
  static size_t chargeOf(size_t keyBytes, size_t valueBytes);

  // A read: counts a hit or a miss, feeds the frequency sketch and refreshes the
  // entry's recency. An expired entry is removed, counted as an expiration, and
  // the read is a miss.
  std::optional<Entry> get(const KeyRef& key, core::MonoTime now);
  // Reads without touching counters, recency or the sketch; expired entries look
  // absent.
  std::optional<Entry> peek(const KeyRef& key, core::MonoTime now) const;
  // Inserts or replaces, then evicts until within limits.
  // REQUIRES: chargeOf(key, value) <= limits.maxBytes.
  void set(const KeyRef& key, std::string value, core::MonoTime expiry, core::Millis computeTime);
  // False when the key was absent.
  bool erase(const KeyRef& key);
  // Drops every entry and the sketch's history; the counters of hits, misses,
  // evictions and expirations are kept.
  void clear();
  // Removes up to `limit` entries whose expiry is at or before `now`, soonest
  // first. Returns how many.
  size_t sweepExpired(core::MonoTime now, size_t limit);

  const ShardCounters& counters() const { return counters_; }
  const ShardLimits& limits() const { return limits_; }

 private:
  enum class Segment : uint8_t { kWindow, kProbation, kProtected };
  struct Node;
  using ExpiryIndex = std::multimap<core::MonoTime, Node*>;
  struct Node {
    std::string key;
    std::string value;
    uint64_t hash;
    core::MonoTime expiry;
    core::Millis computeTime;
    size_t charge;
    Segment segment;
    ExpiryIndex::iterator expiryPos;  // valid when expiry != kNever
  };
  using NodeList = std::list<Node>;
  using NodeIt = NodeList::iterator;
  struct KeyRefHash {
    size_t operator()(const KeyRef& k) const { return static_cast<size_t>(k.hash); }
  };
  struct KeyRefEqual {
    bool operator()(const KeyRef& a, const KeyRef& b) const { return a.key == b.key; }
  };

  bool tinyLfu() const { return limits_.policy == EvictionPolicy::kTinyLfu; }
  bool overLimits() const;
  NodeList& listOf(Segment segment);
  // Moves the entry to the front of its segment; promotes probation entries.
  void recordAccess(NodeIt it);
  void setExpiry(Node& node, core::MonoTime expiry);
  // Evicts until within limits, sparing `keep`.
  void evictOverflow(const Node* keep);
  // Moves the window's LRU entry into main, or evicts it if it loses its duel.
  void admitWindowCandidate(const Node* keep);
  // The LRU-most node of `lists`, in order, that is neither `a` nor `b`.
  std::optional<NodeIt> victim(std::initializer_list<NodeList*> lists, const Node* a,
                               const Node* b);
  void remove(NodeIt it);
  static Entry toEntry(const Node& node, core::MonoTime now);

  const ShardLimits limits_;
  size_t windowMax_;
  size_t protectedMax_;
  FrequencySketch sketch_;
  NodeList window_;
  NodeList probation_;
  NodeList protected_;
  std::unordered_map<KeyRef, NodeIt, KeyRefHash, KeyRefEqual> index_;
  ExpiryIndex expiries_;
  ShardCounters counters_;
};

}  // namespace ballast::cache
