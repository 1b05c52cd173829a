#include "cache/early_refresh.h"

#include <cmath>

namespace ballast::cache {

bool shouldRefreshEarly(core::Millis remainingTtl, core::Millis computeTime, double beta,
                        core::Random& random) {
  if (remainingTtl <= core::Millis{0}) return true;
  if (computeTime <= core::Millis{0} || beta <= 0) return false;
  const double draw = 1.0 - random.unit();  // (0, 1], so the log is finite
  const double gap = -static_cast<double>(computeTime.count()) * beta * std::log(draw);
  return gap >= static_cast<double>(remainingTtl.count());
}

}  // namespace ballast::cache
