#pragma once
// Envoy-style circuit breaking by counted resources (resource_manager_impl.h):
// each service may hold at most N connections, pending requests, requests and
// retries at once. A request that cannot acquire a resource fails fast (503)
// instead of queuing behind an overloaded service.
//
// Thread-safety: lock-free. tryAcquire() is a compare-and-swap loop, so the
// count never exceeds the limit (Envoy checks canCreate() and then inc()s, which
// lets concurrent callers overshoot; a CAS costs the same and does not). What
// remains racy, as in Envoy: remaining() and isOpen() are snapshots that may be
// stale by the time they are read, and lowering the limit with setMax() does
// not take back resources already held — the count drains down to the new
// limit as they are released.

#include <atomic>
#include <cstdint>

namespace ballast::health {

// Adds one to `counter` if it is below `limit`, atomically; false otherwise.
bool tryIncrementBelow(std::atomic<uint64_t>& counter, uint64_t limit);

class ResourceLimit {
 public:
  explicit ResourceLimit(uint64_t max) : max_(max) {}
  ResourceLimit(const ResourceLimit&) = delete;
  ResourceLimit& operator=(const ResourceLimit&) = delete;

  // Takes one unit; false (and nothing taken) when all are in use.
  bool tryAcquire() { return tryIncrementBelow(current_, max()); }
  // Gives back one unit. REQUIRES: a successful tryAcquire() not yet released.
  void release() { current_.fetch_sub(1, std::memory_order_relaxed); }

  uint64_t current() const { return current_.load(std::memory_order_relaxed); }
  uint64_t max() const { return max_.load(std::memory_order_relaxed); }
  void setMax(uint64_t max) { max_.store(max, std::memory_order_relaxed); }
  // Units left; 0 when exhausted (Envoy's remaining_* gauge).
  uint64_t remaining() const;
  // True when exhausted: the breaker for this resource is open (Envoy's cx_open etc.).
  bool isOpen() const { return current() >= max(); }

 private:
  std::atomic<uint64_t> current_{0};
  std::atomic<uint64_t> max_;
};

// Holds one unit of a ResourceLimit and releases it when destroyed. Move-only.
class ResourcePermit {
 public:
  ResourcePermit() = default;
  // A permit holding one unit of `limit`, or an empty one when it is exhausted.
  static ResourcePermit tryAcquire(ResourceLimit& limit);

  ResourcePermit(ResourcePermit&& other) noexcept : limit_(other.limit_) { other.limit_ = nullptr; }
  ResourcePermit& operator=(ResourcePermit&& other) noexcept;
  ResourcePermit(const ResourcePermit&) = delete;
  ResourcePermit& operator=(const ResourcePermit&) = delete;
  ~ResourcePermit() { release(); }

  explicit operator bool() const { return limit_ != nullptr; }
  // Releases the unit now; later calls do nothing.
  void release();

 private:
  explicit ResourcePermit(ResourceLimit* limit) : limit_(limit) {}
  ResourceLimit* limit_ = nullptr;
};

struct ResourceLimitsConfig {
  uint64_t maxConnections = 1024;      // upstream connections (Envoy's default)
  uint64_t maxPendingRequests = 1024;  // requests waiting for a connection
  uint64_t maxRequests = 1024;         // requests in flight
  uint64_t maxRetries = 3;             // retries in flight; see also RetryBudget
};

// The four limits of one service.
struct ServiceResourceLimits {
  explicit ServiceResourceLimits(const ResourceLimitsConfig& config = {})
      : connections(config.maxConnections),
        pendingRequests(config.maxPendingRequests),
        requests(config.maxRequests),
        retries(config.maxRetries) {}

  ResourceLimit connections;
  ResourceLimit pendingRequests;
  ResourceLimit requests;
  ResourceLimit retries;
};

}  // namespace ballast::health
