#pragma once
// A ratio of two monotonic counters over a trailing window (e.g. 5xx/requests
// over the last minute): record() cumulative readings, ratio() compares the
// newest with the oldest reading still inside the window.
//
// Thread-safety: none (the control thread owns it).

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

#include "core/clock.h"

namespace ballast::alerts {

class CounterWindow {
 public:
  explicit CounterWindow(std::chrono::milliseconds window) : window_(window) {}
  void record(core::MonoTime at, uint64_t numerator, uint64_t denominator);
  // Percent (0..100) of numerator growth over denominator growth;
  // nullopt when the denominator did not grow inside the window.
  std::optional<double> percent() const;

 private:
  struct Reading {
    core::MonoTime at;
    uint64_t numerator;
    uint64_t denominator;
  };
  std::chrono::milliseconds window_;
  std::deque<Reading> readings_;
};

}  // namespace ballast::alerts
