#include "cache/backoff.h"

#include <algorithm>
#include <cmath>

namespace ballast::cache {

Backoff::Backoff(core::Millis initial, core::Millis max, core::Random& random, double jitter)
    : initial_(initial), max_(max), random_(random), jitter_(jitter) {}

core::Millis Backoff::next() {
  const double base = std::min(static_cast<double>(initial_.count()) * std::exp2(std::min(failures_, 30)),
                               static_cast<double>(max_.count()));
  ++failures_;
  const double spread = 1.0 + jitter_ * (2.0 * random_.unit() - 1.0);
  return core::Millis{std::max<int64_t>(1, std::llround(base * spread))};
}

}  // namespace ballast::cache
