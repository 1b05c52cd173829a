#pragma once
// Envoy's retry budget: retries in flight may be at most budgetPercent of the
// service's active requests (in flight plus pending), but never fewer than
// minRetryConcurrency. Unlike a fixed max-retries limit it scales with the
// traffic, and it stops a retry storm from multiplying the load on a service
// that is already failing.
//
// Usage: if (budget.tryAcquire(activeRequests)) { retry...; budget.release(); }
// where activeRequests comes from the service's counters (e.g.
// ServiceResourceLimits::requests.current() + pendingRequests.current()); a
// retry counts there as a request too.
//
// Thread-safety: lock-free (a compare-and-swap loop). The activeRequests the
// caller passes is a snapshot, so the budget follows the load with a small lag.

#include <atomic>
#include <cstdint>

namespace ballast::health {

struct RetryBudgetConfig {
  // Retries in flight allowed, in percent of active requests (Envoy: 20).
  double budgetPercent = 20.0;
  // Retries in flight always allowed, however few requests are active (Envoy: 3).
  uint64_t minRetryConcurrency = 3;
};

class RetryBudget {
 public:
  explicit RetryBudget(RetryBudgetConfig config = {});
  RetryBudget(const RetryBudget&) = delete;
  RetryBudget& operator=(const RetryBudget&) = delete;

  // Starts a retry when the budget allows one at `activeRequests`; false when
  // the retry should not be made.
  bool tryAcquire(uint64_t activeRequests);
  // The retry ended. REQUIRES: a successful tryAcquire() not yet released.
  void release() { active_.fetch_sub(1, std::memory_order_relaxed); }

  // Retries allowed in flight at `activeRequests`:
  // max(minRetryConcurrency, floor(budgetPercent% of activeRequests)).
  uint64_t allowedRetries(uint64_t activeRequests) const;
  uint64_t activeRetries() const { return active_.load(std::memory_order_relaxed); }
  const RetryBudgetConfig& config() const { return config_; }

 private:
  const RetryBudgetConfig config_;
  std::atomic<uint64_t> active_{0};
};

}  // namespace ballast::health
