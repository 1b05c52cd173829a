#include "lb/server.h"

#include <algorithm>

namespace ballast::lb {

namespace {
int clampWeight(int weight) {
  return std::clamp(weight, 0, ServerState::kMaxWeight);
}

int64_t sinceEpochNanos(core::MonoTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
}  // namespace

ServerState::ServerState(std::string id, std::string host, uint16_t port, int weight)
    : id_(std::move(id)), host_(std::move(host)), port_(port), weight_(clampWeight(weight)) {}

void ServerState::setWeight(int weight) {
  weight_.store(clampWeight(weight), std::memory_order_relaxed);
}

bool ServerState::setFlag(Flag flag, bool on) {
  const uint32_t before =
      on ? flags_.fetch_or(flag, std::memory_order_relaxed)
         : flags_.fetch_and(~static_cast<uint32_t>(flag), std::memory_order_relaxed);
  return ((before & flag) != 0) != on;
}

bool ServerState::setHealthy(bool healthy, core::MonoTime now) {
  const bool changed = setFlag(kUnhealthy, !healthy);
  if (changed && healthy) beginSlowStart(now);
  return changed;
}

void ServerState::setSlowStartWindow(core::Millis window) {
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(window).count();
  slowStartWindowNanos_.store(std::max<int64_t>(nanos, 0), std::memory_order_relaxed);
}

core::Millis ServerState::slowStartWindow() const {
  return std::chrono::duration_cast<core::Millis>(
      std::chrono::nanoseconds(slowStartWindowNanos_.load(std::memory_order_relaxed)));
}

void ServerState::beginSlowStart(core::MonoTime now) {
  slowStartBeginNanos_.store(sinceEpochNanos(now), std::memory_order_relaxed);
}

double ServerState::effectiveWeight(core::MonoTime now) const {
  const double full = weight();
  const int64_t window = slowStartWindowNanos_.load(std::memory_order_relaxed);
  const int64_t begin = slowStartBeginNanos_.load(std::memory_order_relaxed);
  if (full <= 0 || window <= 0 || begin == kNoSlowStart) return full;
  const int64_t elapsed = std::max<int64_t>(sinceEpochNanos(now) - begin, 0);
  if (elapsed >= window) return full;
  const double progress = static_cast<double>(elapsed) / static_cast<double>(window);
  return full * (kSlowStartMinFraction + (1.0 - kSlowStartMinFraction) * progress);
}

void ServerState::recordLatency(std::chrono::microseconds sample, double alpha) {
  const double value = static_cast<double>(std::max<int64_t>(sample.count(), 0));
  double current = ewmaMicros_.load(std::memory_order_relaxed);
  double next;
  do {
    next = current < 0 ? value : current + alpha * (value - current);
  } while (!ewmaMicros_.compare_exchange_weak(current, next, std::memory_order_relaxed));
}

std::optional<double> ServerState::ewmaLatencyMicros() const {
  const double value = ewmaMicros_.load(std::memory_order_relaxed);
  if (value < 0) return std::nullopt;
  return value;
}

std::optional<std::chrono::microseconds> ServerState::latencyQuantile(double q, core::MonoTime now) const {
  const auto micros = responseTimes_.quantileMicros(q, now);
  if (!micros) return std::nullopt;
  return std::chrono::microseconds(static_cast<int64_t>(*micros));
}

ConnectionGuard::ConnectionGuard(ServerState& server) : server_(server.shared_from_this()) {
  server_->connectionStarted();
}

ConnectionGuard& ConnectionGuard::operator=(ConnectionGuard&& other) noexcept {
  if (this != &other) {
    release();
    server_ = std::move(other.server_);
  }
  return *this;
}

void ConnectionGuard::release() {
  if (server_) {
    server_->connectionFinished();
    server_.reset();
  }
}

}  // namespace ballast::lb
