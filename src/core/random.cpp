#include "core/random.h"

#include <sys/random.h>

#include <array>
#include <stdexcept>

namespace ballast::core {

namespace {
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

struct Xoshiro {
  std::array<uint64_t, 4> s{};
  Xoshiro() {
    uint64_t seed = 0;
    auto bytes = secureRandomBytes(sizeof(seed));
    for (uint8_t b : bytes) seed = (seed << 8) | b;
    for (auto& word : s) word = splitmix64(seed);
  }
  uint64_t next() {
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};
}  // namespace

uint64_t Random::below(uint64_t bound) {
  // Lemire's multiply-shift; the tiny bias is irrelevant for balancing.
  __extension__ using Wide = unsigned __int128;
  return static_cast<uint64_t>((static_cast<Wide>(next()) * bound) >> 64);
}

double Random::unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

uint64_t FastRandom::next() {
  thread_local Xoshiro state;
  return state.next();
}

FastRandom& FastRandom::instance() {
  static FastRandom random;
  return random;
}

uint64_t SeededRandom::next() { return splitmix64(state_); }

std::vector<uint8_t> secureRandomBytes(size_t count) {
  std::vector<uint8_t> out(count);
  size_t filled = 0;
  while (filled < count) {
    const ssize_t n = getrandom(out.data() + filled, count - filled, 0);
    if (n < 0) throw std::runtime_error("getrandom failed");
    filled += static_cast<size_t>(n);
  }
  return out;
}

}  // namespace ballast::core
