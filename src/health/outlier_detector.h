#pragma once
// Passive health checking for the servers of one service: Envoy's outlier
// detection, consecutive-error kinds. The data plane reports every response; a
// server with `consecutive5xx` 5xx in a row, or `consecutiveGatewayFailure`
// gateway failures (502/503/504, connect failures, resets, upstream timeouts)
// in a row, is ejected for baseEjectionTime x (times ejected in a row), at most
// maxEjectionTime. Each baseEjectionTime a server then spends in service
// forgives one of those ejections.
//
// At most maxEjectionPercent of the servers are ejected at once, except that
// one server may always be ejected, however small the pool. An ejected server
// returns when sweep() finds its time up, or at once when an active health
// check passes (onActiveCheckPassed).
//
// The detector only decides; the owner applies its answers to the balancer
// (lb::ServerState::setEjected) — health/ does not depend on lb/.
//
// Thread-safety: OutlierMonitor::record() is called on the hot path from any
// thread and is lock-free until a threshold is reached; ejection decisions
// and every OutlierDetector method take the detector's mutex.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace ballast::health {

// What one request to a server came to, for outlier detection.
enum class Outcome {
  kSuccess,         // any non-5xx response
  kServerError,     // a 5xx other than 502, 503, 504
  kGatewayFailure,  // 502, 503, 504, or no response: connect failure, reset, timeout
};

// The outcome of a response with this status code.
Outcome outcomeFromStatus(int httpStatus);

enum class EjectionReason { kConsecutive5xx, kConsecutiveGatewayFailure };

// "consecutive-5xx" / "consecutive-gateway-failure".
std::string_view toString(EjectionReason reason);

struct OutlierConfig {
  // 5xx in a row (gateway failures included) that eject a server; 0 turns it off.
  int consecutive5xx = 5;
  // Gateway failures in a row that eject a server; 0 turns it off.
  int consecutiveGatewayFailure = 5;
  // First ejection's length; the n-th ejection in a row lasts n times this.
  core::Millis baseEjectionTime{30'000};
  // Cap on one ejection's length; raised to baseEjectionTime when lower.
  core::Millis maxEjectionTime{300'000};
  // Most servers ejected at once, in percent of the pool; one is always allowed.
  int maxEjectionPercent = 10;
};

struct Ejection {
  std::string serverId;
  EjectionReason reason;
  core::Millis duration;
  int ejectionCount;  // ejections in a row, this one included
};

class OutlierDetector;

// One server's passive health counters, handed out by OutlierDetector::addServer().
// REQUIRES: the detector outlives every call on its monitors.
class OutlierMonitor {
 public:
  const std::string& serverId() const { return serverId_; }
  bool isEjected() const { return ejected_.load(std::memory_order_relaxed); }
  int consecutive5xx() const { return consecutive5xx_.load(std::memory_order_relaxed); }
  int consecutiveGatewayFailures() const {
    return consecutiveGateway_.load(std::memory_order_relaxed);
  }

  // Records the outcome of one request. Returns the ejection when this outcome
  // ejected the server; the caller takes the server out of balancing.
  std::optional<Ejection> record(Outcome outcome);

  OutlierMonitor(const OutlierMonitor&) = delete;
  OutlierMonitor& operator=(const OutlierMonitor&) = delete;

 private:
  friend class OutlierDetector;
  OutlierMonitor(OutlierDetector& detector, std::string serverId);
  void resetCounters();

  OutlierDetector& detector_;
  const std::string serverId_;
  std::atomic<int> consecutive5xx_{0};
  std::atomic<int> consecutiveGateway_{0};
  std::atomic<bool> ejected_{false};  // written under the detector's mutex
  // Guarded by detector_.mu_:
  bool registered_ = true;
  int ejectionCount_ = 0;
  core::MonoTime ejectedUntil_{};
  core::MonoTime lastUnejected_{};
};

class OutlierDetector {
 public:
  // REQUIRES: `clock` outlives the detector.
  explicit OutlierDetector(core::Clock& clock, OutlierConfig config = {});

  // Starts tracking a server; returns its monitor (the existing one if the id is
  // already tracked). Keep the monitor next to the server for record().
  std::shared_ptr<OutlierMonitor> addServer(std::string serverId);
  // Stops tracking a server: it no longer counts in the pool and its monitor
  // no longer ejects. Returns false when the id is unknown.
  bool removeServer(std::string_view serverId);
  // nullptr when the id is unknown.
  std::shared_ptr<OutlierMonitor> monitor(std::string_view serverId) const;

  // Un-ejects every server whose ejection time is up and returns their ids, for
  // the caller to put back into balancing. Call it periodically from the
  // control thread (Envoy sweeps every 10 s).
  std::vector<std::string> sweep();
  // An active health check of the server passed: un-eject it at once (Envoy's
  // successful_active_health_check_uneject_host) and clear its counters.
  // Returns true when it was ejected.
  bool onActiveCheckPassed(std::string_view serverId);

  // When an ejected server's time is up; nullopt when it is not ejected.
  std::optional<core::MonoTime> ejectedUntil(std::string_view serverId) const;
  size_t size() const;
  size_t ejectedCount() const;
  // Ejections made, and ejections refused by maxEjectionPercent.
  uint64_t ejectionsTotal() const;
  uint64_t ejectionsOverflow() const;

  const OutlierConfig& config() const { return config_; }

 private:
  friend class OutlierMonitor;
  std::optional<Ejection> tryEject(OutlierMonitor& monitor, EjectionReason reason);
  void unejectLocked(OutlierMonitor& monitor, core::MonoTime now);
  bool ejectionAllowedLocked() const;

  core::Clock& clock_;
  const OutlierConfig config_;
  mutable std::mutex mu_;
  // guarded by mu_
  std::map<std::string, std::shared_ptr<OutlierMonitor>, std::less<>> monitors_;
  size_t ejected_ = 0;           // guarded by mu_
  uint64_t ejectionsTotal_ = 0;  // guarded by mu_
  uint64_t overflow_ = 0;        // guarded by mu_
};

}  // namespace ballast::health
