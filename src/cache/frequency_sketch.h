#pragma once
// FrequencySketch estimates how often a key was seen recently. It is the TinyLFU
// filter behind MemoryCache's admission policy (after the design of Caffeine's
// FrequencySketch and the TinyLFU paper, Einziger/Friedman/Manes 2017).
//
// A count-min sketch with 4-bit counters: each key maps to 4 counters (one per
// hash seed) packed 16 to a 64-bit word; the estimate is the smallest of the 4
// and saturates at 15. After `sampleSize()` increments every counter is halved,
// so popularity from long ago fades ("reset" in the paper). There is no
// doorkeeper bloom filter: one-hit wonders cost a counter increment, not space.
//
// Keys are given as 64-bit hashes; the sketch re-mixes them, so any decent hash
// (std::hash) will do.
//
// Thread-safety: none. The owner (one cache shard) serialises access.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ballast::cache {

class FrequencySketch {
 public:
  static constexpr int kMaxFrequency = 15;

  // `capacity` is the number of entries the cache holds. It sizes the table
  // (about 16 counters per entry) and the aging period (10 x capacity).
  explicit FrequencySketch(size_t capacity);

  // Counts one more occurrence of `hash`.
  void increment(uint64_t hash);
  // The estimated recent occurrences of `hash`, 0..kMaxFrequency.
  int frequency(uint64_t hash) const;
  // Forgets everything.
  void clear();

  // Increments between two halvings.
  size_t sampleSize() const { return sampleSize_; }
  // Increments counted since the last halving (adjusted for the halving).
  size_t additions() const { return additions_; }

 private:
  static constexpr int kDepth = 4;

  // Index of the word and shift of the nibble holding counter `row` of `hash`.
  struct Slot {
    size_t word;
    unsigned shift;
  };
  Slot slotOf(uint64_t hash, int row) const;
  // Halves every counter.
  void age();

  std::vector<uint64_t> table_;
  uint64_t mask_;
  size_t sampleSize_;
  size_t additions_ = 0;
};

}  // namespace ballast::cache
