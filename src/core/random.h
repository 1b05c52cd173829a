#pragma once
// Randomness comes in through constructors, like time (see clock.h), so that
// balancing, jitter and sampling are reproducible in tests.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ballast::core {

class Random {
 public:
  virtual ~Random() = default;
  // A uniformly distributed 64-bit value.
  virtual uint64_t next() = 0;
  // Uniform in [0, bound); bound must be > 0.
  uint64_t below(uint64_t bound);
  // Uniform in [0, 1).
  double unit();
};

// xoshiro256** seeded from the OS; each thread gets its own state, so one
// instance may be shared by all threads without a lock.
class FastRandom final : public Random {
 public:
  uint64_t next() override;
  static FastRandom& instance();
};

// Deterministic: splitmix64 from a fixed seed. For tests.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  uint64_t next() override;

 private:
  uint64_t state_;
};

// Cryptographically secure bytes from the OS (getrandom). For secrets and ids.
std::vector<uint8_t> secureRandomBytes(size_t count);

}  // namespace ballast::core
