#pragma once
// A stable 64-bit hash for balancing keys, Maglev permutations and sticky
// cookies. Stable means the same on every node, build and release (unlike
// std::hash), so several ballast nodes route a key the same way and a sticky
// cookie survives a restart. Not cryptographic: do not use it for secrets.

#include <cstdint>
#include <string_view>

namespace ballast::lb {

// MurmurHash64A over the bytes of `data`, read little-endian.
uint64_t hash64(std::string_view data, uint64_t seed = 0);

// Mixes one 64-bit value into a well-spread one (MurmurHash3's fmix64). Used to
// derive a fresh hash from a previous one.
uint64_t mix64(uint64_t value);

}  // namespace ballast::lb
