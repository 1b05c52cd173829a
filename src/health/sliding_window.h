#pragma once
// The sliding window of call outcomes a circuit breaker decides on
// (resilience4j's): COUNT_BASED keeps the last `size` calls, TIME_BASED the
// calls of the last `size` seconds in one bucket per second. Both are a ring of
// `size` buckets with running totals, so recording and reading are O(1)
// (amortized, for time: a jump of k seconds clears min(k, size) buckets).
//
// Thread-safety: none; CircuitBreaker guards it with its mutex.

#include <cstdint>
#include <vector>

namespace ballast::health {

struct WindowTotals {
  int64_t calls = 0;
  int64_t failed = 0;
  int64_t slow = 0;

  double failureRatePercent() const { return calls == 0 ? 0.0 : 100.0 * failed / calls; }
  double slowCallRatePercent() const { return calls == 0 ? 0.0 : 100.0 * slow / calls; }
};

class SlidingWindow {
 public:
  enum class Kind { kCountBased, kTimeBased };

  // `size` is calls (count-based) or seconds (time-based); below 1 is taken as 1.
  SlidingWindow(Kind kind, int size);

  Kind kind() const { return kind_; }
  int size() const { return static_cast<int>(buckets_.size()); }

  // Records one call made at `nowSeconds` (any monotonic seconds count; only
  // time-based windows read it).
  void record(bool failed, bool slow, int64_t nowSeconds);
  // The totals over the window as of `nowSeconds`.
  WindowTotals totals(int64_t nowSeconds);
  void clear();

 private:
  // Moves the window's head to `key`, clearing the buckets it passes.
  void advanceTo(int64_t key);

  const Kind kind_;
  std::vector<WindowTotals> buckets_;  // bucket for key k at k % size
  WindowTotals totals_;                // sum of buckets_
  int64_t head_ = -1;                  // newest key in the window; -1 before the first
  int64_t nextCall_ = 0;               // count-based: the key of the next call
};

}  // namespace ballast::health
