#pragma once
// The deadline of a request body, with Apache mod_reqtimeout's semantics
// (`body=timeout,MinRate=rate`): the body must arrive within `timeout` of the
// moment it may start (the end of the head, or 100 Continue sent), and every
// byte received extends that by 1/minRate seconds. So a client sending at
// least `minRate` bytes a second is never cut off, and one that trickles a
// few bytes a second cannot hold a request slot for ever. minRate 0: the
// whole body within `timeout`.
//
// Pure value type over caller-supplied milliseconds; not thread-safe.

#include <chrono>
#include <cstdint>

namespace ballast::core {

struct BodyTimeouts {
  std::chrono::milliseconds timeout{20000};  // server.limits.bodyTimeout
  uint32_t minRate = 500;                    // server.limits.bodyMinRate, bytes/s; 0 = no extension
};

class BodyDeadline {
 public:
  BodyDeadline(const BodyTimeouts& limits, int64_t startMillis)
      : base_(startMillis + limits.timeout.count()), minRate_(limits.minRate) {}

  // `bytes` more of the body arrived.
  void received(uint64_t bytes) { received_ += bytes; }

  // When the body (or the next part of it) must have arrived, in the clock
  // of `startMillis`. Computed from the total so that rounding never adds up.
  int64_t at() const {
    if (minRate_ == 0) return base_;
    return base_ + static_cast<int64_t>(received_ * 1000 / minRate_);
  }

 private:
  int64_t base_;
  uint32_t minRate_;
  uint64_t received_ = 0;
};

}  // namespace ballast::core
