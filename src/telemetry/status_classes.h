#pragma once
// Responses counted by HTTP status class (1xx..5xx): five relaxed atomics, so
// the data plane records a status with one fetch_add — no lookup, no lock.
// Statuses outside 100..599 are not counted.
//
// Thread-safety: every method may be called from any thread.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ballast::telemetry {

class StatusClassCounters {
 public:
  static constexpr size_t kClasses = 5;

  void record(int status) {
    if (status < 100 || status > 599) return;
    counts_[static_cast<size_t>(status / 100 - 1)].fetch_add(1, std::memory_order_relaxed);
  }

  // REQUIRES: index < kClasses (0 is 1xx).
  uint64_t count(size_t index) const { return counts_[index].load(std::memory_order_relaxed); }

  // "1xx".."5xx". REQUIRES: index < kClasses.
  static std::string_view label(size_t index) {
    static constexpr std::array<std::string_view, kClasses> kLabels{"1xx", "2xx", "3xx", "4xx",
                                                                    "5xx"};
    return kLabels[index];
  }

 private:
  std::array<std::atomic<uint64_t>, kClasses> counts_{};
};

}  // namespace ballast::telemetry
