#pragma once
// Requests refused with 429, by class of route: counted where the decision is
// made, read by GET /metrics as ballast_rate_limited_total{class}. Declared
// once (no lookup by name per request).
//
// Thread-safety: atomics; any thread.

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace ballast::security {

enum class RateClass { kAdminRead = 0, kAdminWrite = 1, kProxy = 2 };

class RateLimitCounters {
 public:
  static constexpr size_t kClasses = 3;

  void record(RateClass c) {
    counts_[static_cast<size_t>(c)].fetch_add(1, std::memory_order_relaxed);
  }
  uint64_t count(RateClass c) const {
    return counts_[static_cast<size_t>(c)].load(std::memory_order_relaxed);
  }
  static std::string_view label(RateClass c) {
    switch (c) {
      case RateClass::kAdminRead:
        return "admin_read";
      case RateClass::kAdminWrite:
        return "admin_write";
      case RateClass::kProxy:
        return "proxy";
    }
    return "unknown";
  }

 private:
  std::array<std::atomic<uint64_t>, kClasses> counts_{};
};

}  // namespace ballast::security
