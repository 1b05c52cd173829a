#include "health/outlier_detector.h"

#include <algorithm>

namespace ballast::health {

namespace {
OutlierConfig sanitize(OutlierConfig config) {
  config.baseEjectionTime = std::max(config.baseEjectionTime, core::Millis(1));
  config.maxEjectionTime = std::max(config.maxEjectionTime, config.baseEjectionTime);
  config.maxEjectionPercent = std::clamp(config.maxEjectionPercent, 0, 100);
  return config;
}

bool reached(int count, int threshold) {
  return threshold > 0 && count >= threshold;
}
}  // namespace

Outcome outcomeFromStatus(int httpStatus) {
  if (httpStatus == 502 || httpStatus == 503 || httpStatus == 504) return Outcome::kGatewayFailure;
  if (httpStatus >= 500 && httpStatus <= 599) return Outcome::kServerError;
  return Outcome::kSuccess;
}

std::string_view toString(EjectionReason reason) {
  return reason == EjectionReason::kConsecutive5xx ? "consecutive-5xx"
                                                   : "consecutive-gateway-failure";
}

// --- OutlierMonitor

OutlierMonitor::OutlierMonitor(OutlierDetector& detector, std::string serverId)
    : detector_(detector), serverId_(std::move(serverId)) {}

void OutlierMonitor::resetCounters() {
  // Load first: a healthy server's counters stay 0 and its cache line clean.
  if (consecutive5xx_.load(std::memory_order_relaxed) != 0) {
    consecutive5xx_.store(0, std::memory_order_relaxed);
  }
  if (consecutiveGateway_.load(std::memory_order_relaxed) != 0) {
    consecutiveGateway_.store(0, std::memory_order_relaxed);
  }
}

std::optional<Ejection> OutlierMonitor::record(Outcome outcome) {
  const OutlierConfig& config = detector_.config_;
  if (outcome == Outcome::kSuccess) {
    resetCounters();
    return std::nullopt;
  }
  int gateway = 0;
  if (outcome == Outcome::kGatewayFailure) {
    gateway = consecutiveGateway_.fetch_add(1, std::memory_order_relaxed) + 1;
  } else {
    consecutiveGateway_.store(0, std::memory_order_relaxed);
  }
  const int errors = consecutive5xx_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (isEjected()) return std::nullopt;  // late responses from before the ejection
  if (reached(gateway, config.consecutiveGatewayFailure)) {
    return detector_.tryEject(*this, EjectionReason::kConsecutiveGatewayFailure);
  }
  if (reached(errors, config.consecutive5xx)) {
    return detector_.tryEject(*this, EjectionReason::kConsecutive5xx);
  }
  return std::nullopt;
}

// --- OutlierDetector

OutlierDetector::OutlierDetector(core::Clock& clock, OutlierConfig config)
    : clock_(clock), config_(sanitize(config)) {}

std::shared_ptr<OutlierMonitor> OutlierDetector::addServer(std::string serverId) {
  std::lock_guard lock(mu_);
  auto it = monitors_.find(serverId);
  if (it != monitors_.end()) return it->second;
  // The constructor is private: no make_shared.
  std::shared_ptr<OutlierMonitor> monitor(new OutlierMonitor(*this, serverId));
  monitors_.emplace(std::move(serverId), monitor);
  return monitor;
}

bool OutlierDetector::removeServer(std::string_view serverId) {
  std::lock_guard lock(mu_);
  auto it = monitors_.find(serverId);
  if (it == monitors_.end()) return false;
  OutlierMonitor& monitor = *it->second;
  if (monitor.isEjected()) unejectLocked(monitor, clock_.now());
  monitor.registered_ = false;
  monitors_.erase(it);
  return true;
}

std::shared_ptr<OutlierMonitor> OutlierDetector::monitor(std::string_view serverId) const {
  std::lock_guard lock(mu_);
  auto it = monitors_.find(serverId);
  return it == monitors_.end() ? nullptr : it->second;
}

bool OutlierDetector::ejectionAllowedLocked() const {
  if (ejected_ == 0) return true;  // one server may always be ejected
  return (ejected_ + 1) * 100 <= static_cast<size_t>(config_.maxEjectionPercent) * monitors_.size();
}

std::optional<Ejection> OutlierDetector::tryEject(OutlierMonitor& monitor, EjectionReason reason) {
  std::lock_guard lock(mu_);
  if (!monitor.registered_ || monitor.isEjected()) return std::nullopt;
  if (!ejectionAllowedLocked()) {
    ++overflow_;
    return std::nullopt;
  }
  const core::MonoTime now = clock_.now();
  if (monitor.ejectionCount_ > 0) {
    // Forgive one ejection per baseEjectionTime spent in service since the last.
    const auto forgiven = (now - monitor.lastUnejected_) / config_.baseEjectionTime;
    monitor.ejectionCount_ = static_cast<int>(
        std::max<int64_t>(monitor.ejectionCount_ - static_cast<int64_t>(forgiven), 0));
  }
  ++monitor.ejectionCount_;
  const core::Millis duration =
      std::min(config_.baseEjectionTime * monitor.ejectionCount_, config_.maxEjectionTime);
  monitor.ejectedUntil_ = now + duration;
  monitor.ejected_.store(true, std::memory_order_relaxed);
  monitor.resetCounters();
  ++ejected_;
  ++ejectionsTotal_;
  return Ejection{monitor.serverId_, reason, duration, monitor.ejectionCount_};
}

void OutlierDetector::unejectLocked(OutlierMonitor& monitor, core::MonoTime now) {
  monitor.ejected_.store(false, std::memory_order_relaxed);
  monitor.lastUnejected_ = now;
  monitor.resetCounters();
  --ejected_;
}

std::vector<std::string> OutlierDetector::sweep() {
  const core::MonoTime now = clock_.now();
  std::vector<std::string> unejected;
  std::lock_guard lock(mu_);
  for (auto& [id, monitor] : monitors_) {
    if (monitor->isEjected() && now >= monitor->ejectedUntil_) {
      unejectLocked(*monitor, now);
      unejected.push_back(id);
    }
  }
  return unejected;
}

bool OutlierDetector::onActiveCheckPassed(std::string_view serverId) {
  std::lock_guard lock(mu_);
  auto it = monitors_.find(serverId);
  if (it == monitors_.end()) return false;
  OutlierMonitor& monitor = *it->second;
  if (!monitor.isEjected()) {
    monitor.resetCounters();
    return false;
  }
  unejectLocked(monitor, clock_.now());
  return true;
}

std::optional<core::MonoTime> OutlierDetector::ejectedUntil(std::string_view serverId) const {
  std::lock_guard lock(mu_);
  auto it = monitors_.find(serverId);
  if (it == monitors_.end() || !it->second->isEjected()) return std::nullopt;
  return it->second->ejectedUntil_;
}

size_t OutlierDetector::size() const {
  std::lock_guard lock(mu_);
  return monitors_.size();
}

size_t OutlierDetector::ejectedCount() const {
  std::lock_guard lock(mu_);
  return ejected_;
}

uint64_t OutlierDetector::ejectionsTotal() const {
  std::lock_guard lock(mu_);
  return ejectionsTotal_;
}

uint64_t OutlierDetector::ejectionsOverflow() const {
  std::lock_guard lock(mu_);
  return overflow_;
}

}  // namespace ballast::health
