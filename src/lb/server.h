#pragma once
// One upstream server of a service, as the balancers see it. Identity (id,
// host, port) is fixed; everything that changes at run time — weight, the
// reasons not to pick it, active connections, latency, slow start — is an
// atomic, so the hot path reads it without a lock and the control thread (health
// checks, outlier sweeps, admin API) changes it without building a new pool.
//
// A ServerState is held by shared_ptr: the same object is shared by every pool
// snapshot that lists it, so its counters survive a pool rebuild.
//
// Thread-safety: every method may be called from any thread. The fields are
// separate atomics with relaxed ordering: a reader may see one change slightly
// before another made at the same time, which can cost one pick, never safety.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "telemetry/latency_window.h"

namespace ballast::lb {

class ServerState : public std::enable_shared_from_this<ServerState> {
 public:
  static constexpr int kMaxWeight = 10000;
  // Slow start begins at this fraction of the weight and ramps linearly to all of it.
  static constexpr double kSlowStartMinFraction = 0.1;
  // Weight of the newest sample in the latency EWMA.
  static constexpr double kDefaultEwmaAlpha = 0.3;

  // `weight` is clamped to [0, kMaxWeight]; 0 means never picked. A new server
  // is healthy, in service and not slow-starting.
  ServerState(std::string id, std::string host, uint16_t port, int weight = 1);

  const std::string& id() const { return id_; }
  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }

  int weight() const { return weight_.load(std::memory_order_relaxed); }
  // Clamped to [0, kMaxWeight]. An ip-hash pool reads weights when it is built:
  // rebuild the pool after a change for it to take effect there.
  void setWeight(int weight);

  // --- Reasons not to pick the server. Each setter returns true when it changed
  // the value.
  bool isHealthy() const { return !hasFlag(kUnhealthy); }
  // Becoming healthy (false -> true) begins slow start at `now`.
  bool setHealthy(bool healthy, core::MonoTime now);
  bool inMaintenance() const { return hasFlag(kMaintenance); }
  bool setMaintenance(bool on) { return setFlag(kMaintenance, on); }
  bool isDraining() const { return hasFlag(kDraining); }
  bool setDraining(bool on) { return setFlag(kDraining, on); }
  // Ejected by passive outlier detection.
  bool isEjected() const { return hasFlag(kEjected); }
  bool setEjected(bool on) { return setFlag(kEjected, on); }
  // Its circuit breaker is open (cleared when the breaker's wait is over, so
  // half-open trial requests can reach it).
  bool isCircuitOpen() const { return hasFlag(kCircuitOpen); }
  bool setCircuitOpen(bool on) { return setFlag(kCircuitOpen, on); }

  // True when a balancer may pick the server: healthy, not in maintenance, not
  // draining, not ejected, circuit not open and weight > 0. Two relaxed loads.
  bool isEligible() const { return flags_.load(std::memory_order_relaxed) == 0 && weight() > 0; }

  // --- Slow start: after the server becomes healthy its weight ramps linearly
  // from kSlowStartMinFraction to 100% over the window.
  // Zero (the default) turns slow start off.
  void setSlowStartWindow(core::Millis window);
  core::Millis slowStartWindow() const;
  // Starts the ramp at `now`; setHealthy() calls it, and the owner calls it for
  // a server added to a pool that is already taking traffic.
  void beginSlowStart(core::MonoTime now);
  // The weight the balancers use at `now`: weight() scaled by the slow-start ramp.
  double effectiveWeight(core::MonoTime now) const;

  // --- Load, maintained by the data plane (see ConnectionGuard).
  int64_t activeConnections() const { return active_.load(std::memory_order_relaxed); }
  void connectionStarted() { active_.fetch_add(1, std::memory_order_relaxed); }
  void connectionFinished() { active_.fetch_sub(1, std::memory_order_relaxed); }

  // Folds one response-time sample into the latency EWMA (the first sample sets it).
  // REQUIRES: 0 < alpha <= 1.
  void recordLatency(std::chrono::microseconds sample, double alpha = kDefaultEwmaAlpha);
  // nullopt until the first sample.
  std::optional<double> ewmaLatencyMicros() const;

  // --- Response-time distribution over the last minute (see
  // telemetry::LatencyWindow): the data plane records every response, lock-
  // and allocation-free; quantiles are computed when read.
  void recordResponseTime(std::chrono::microseconds sample, core::MonoTime now) noexcept {
    responseTimes_.record(sample, now);
  }
  // The q-quantile (0.5, 0.95, 0.99...) of the response times recorded in the
  // last 50-60 s as of `now`, within 6.25%; nullopt without any. What the
  // autoscaler reads as a server's p95.
  std::optional<std::chrono::microseconds> latencyQuantile(double q, core::MonoTime now) const;
  const telemetry::LatencyWindow& responseTimes() const { return responseTimes_; }

 private:
  enum Flag : uint32_t { kUnhealthy = 1, kMaintenance = 2, kDraining = 4, kEjected = 8, kCircuitOpen = 16 };
  static constexpr int64_t kNoSlowStart = INT64_MIN;
  static constexpr double kUnmeasured = -1.0;

  bool hasFlag(Flag flag) const { return (flags_.load(std::memory_order_relaxed) & flag) != 0; }
  bool setFlag(Flag flag, bool on);

  const std::string id_;
  const std::string host_;
  const uint16_t port_;
  std::atomic<int> weight_;
  std::atomic<uint32_t> flags_{0};  // set bits are reasons not to pick; 0 = pickable
  std::atomic<int64_t> active_{0};
  std::atomic<double> ewmaMicros_{kUnmeasured};
  std::atomic<int64_t> slowStartWindowNanos_{0};
  std::atomic<int64_t> slowStartBeginNanos_{kNoSlowStart};  // MonoTime since epoch
  telemetry::LatencyWindow responseTimes_;
};

using ServerPtr = std::shared_ptr<ServerState>;

// Counts one active connection (or in-flight request) against a server for as
// long as it lives, and keeps the server alive meanwhile. Move-only.
class ConnectionGuard {
 public:
  ConnectionGuard() = default;
  // REQUIRES: `server` is owned by a shared_ptr.
  explicit ConnectionGuard(ServerState& server);
  ConnectionGuard(ConnectionGuard&& other) noexcept = default;
  ConnectionGuard& operator=(ConnectionGuard&& other) noexcept;
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;
  ~ConnectionGuard() { release(); }

  ServerState* server() const { return server_.get(); }
  // Stops counting now; later calls do nothing.
  void release();

 private:
  ServerPtr server_;
};

}  // namespace ballast::lb
