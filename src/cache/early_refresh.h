#pragma once
// Probabilistic early expiration ("XFetch": Vattani, Chierichetti, Lowenstein,
// "Optimal Probabilistic Cache Stampede Prevention", VLDB 2015).
//
// Each reader of a cached value refreshes it early when
//     now - computeTime * beta * ln(rand()) >= expiry,   rand() uniform in (0, 1]
// i.e. with probability exp(-remainingTtl / (computeTime * beta)). The chance
// rises smoothly as expiry nears, so for a hot key one reader recomputes shortly
// before it expires instead of every reader at once just after.

#include "core/clock.h"
#include "core/random.h"

namespace ballast::cache {

// Why getOrSet runs its loader: the key was missing, or XFetch chose this
// reader to refresh a present value before it expires.
enum class LoadReason { kMiss, kEarlyRefresh };

// True when this reader should recompute the value now. `remainingTtl` <= 0
// always refreshes; `computeTime` <= 0 never refreshes early. `beta` > 1 favours
// earlier refreshes, < 1 later ones; 1 is the paper's optimum.
bool shouldRefreshEarly(core::Millis remainingTtl, core::Millis computeTime, double beta,
                        core::Random& random);

}  // namespace ballast::cache
