#include "cache/frequency_sketch.h"

#include <algorithm>
#include <array>
#include <bit>

namespace ballast::cache {

namespace {

constexpr std::array<uint64_t, 4> kSeeds = {0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL,
                                            0x165667b19e3779f9ULL, 0xd6e8feb86659fd93ULL};
// The low bit of every nibble, and every nibble without its high bit.
constexpr uint64_t kOneInEachNibble = 0x1111111111111111ULL;
constexpr uint64_t kLowThreeBits = 0x7777777777777777ULL;

// The splitmix64 finaliser: every input bit affects every output bit.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

FrequencySketch::FrequencySketch(size_t capacity) {
  const size_t words = std::bit_ceil(std::max<size_t>(capacity, 8));
  table_.assign(words, 0);
  mask_ = words - 1;
  sampleSize_ = 10 * std::max<size_t>(capacity, 1);
}

FrequencySketch::Slot FrequencySketch::slotOf(uint64_t hash, int row) const {
  const uint64_t h = mix(hash + kSeeds[static_cast<size_t>(row)]);
  // Low bits pick the word, the top 4 bits the nibble within it.
  return {static_cast<size_t>(h & mask_), static_cast<unsigned>(h >> 60) * 4};
}

void FrequencySketch::increment(uint64_t hash) {
  bool added = false;
  for (int row = 0; row < kDepth; ++row) {
    const Slot slot = slotOf(hash, row);
    uint64_t& word = table_[slot.word];
    if (((word >> slot.shift) & 0xF) != kMaxFrequency) {
      word += uint64_t{1} << slot.shift;
      added = true;
    }
  }
  // Saturated keys do not advance the aging clock (as in Caffeine).
  if (added && ++additions_ >= sampleSize_) age();
}

int FrequencySketch::frequency(uint64_t hash) const {
  int estimate = kMaxFrequency;
  for (int row = 0; row < kDepth; ++row) {
    const Slot slot = slotOf(hash, row);
    estimate = std::min(estimate, static_cast<int>((table_[slot.word] >> slot.shift) & 0xF));
  }
  return estimate;
}

void FrequencySketch::age() {
  size_t odd = 0;
  for (uint64_t& word : table_) {
    odd += static_cast<size_t>(std::popcount(word & kOneInEachNibble));
    word = (word >> 1) & kLowThreeBits;
  }
  // Halving drops the odd counters' low bits; take their share out of the count
  // so the next halving comes after sampleSize / 2 fresh increments or so.
  additions_ = (additions_ - std::min(additions_, odd / kDepth)) / 2;
}

void FrequencySketch::clear() {
  std::fill(table_.begin(), table_.end(), 0);
  additions_ = 0;
}

}  // namespace ballast::cache
