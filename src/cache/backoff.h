#pragma once
// Backoff gives the delays between reconnection attempts: `initial`, then
// doubling per failed attempt, capped at `max`, each spread by +/- `jitter`
// (a fraction) so that nodes which lost Redis together do not return in step.
//
// Thread-safety: none; one owner (a reconnecting thread) uses it.

#include "core/clock.h"
#include "core/random.h"

namespace ballast::cache {

class Backoff {
 public:
  // REQUIRES: 0 < initial <= max; 0 <= jitter < 1.
  Backoff(core::Millis initial, core::Millis max, core::Random& random, double jitter = 0.2);

  // The delay before the next attempt; each call counts one more failure.
  core::Millis next();
  // After a success: the next delay is `initial` again.
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  core::Millis initial_;
  core::Millis max_;
  core::Random& random_;
  double jitter_;
  int failures_ = 0;
};

}  // namespace ballast::cache
