#pragma once
// Lets a repeated log message through at most once per interval and counts
// the ones it held back, so a flood of refused connections or requests cannot
// flood the log (or the disk) while the operator still learns how many there
// were.
//
//   static telemetry::LogThrottle throttle;
//   if (auto held = throttle.admit(nowMillis)) spdlog::warn("... ({} more held back)", *held);
//
// Thread-safety: admit() may be called from any thread (lock-free).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace ballast::telemetry {

class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::milliseconds interval = std::chrono::seconds(1))
      : intervalMillis_(interval.count()) {}

  // At `nowMillis` (any monotonic clock): the number of messages held back
  // since the last one let through, when this one may be logged; nullopt when
  // it is held back.
  std::optional<uint64_t> admit(int64_t nowMillis) {
    int64_t last = lastMillis_.load(std::memory_order_relaxed);
    if (nowMillis - last >= intervalMillis_ &&
        lastMillis_.compare_exchange_strong(last, nowMillis, std::memory_order_relaxed)) {
      return held_.exchange(0, std::memory_order_relaxed);
    }
    held_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }

  // admit() at the steady clock's now.
  std::optional<uint64_t> admit() {
    return admit(std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now().time_since_epoch())
                     .count());
  }

 private:
  const int64_t intervalMillis_;
  std::atomic<int64_t> lastMillis_{INT64_MIN / 2};
  std::atomic<uint64_t> held_{0};
};

}  // namespace ballast::telemetry
