#include "health/circuit_breaker.h"

#include <algorithm>

namespace ballast::health {

namespace {
CircuitBreakerConfig sanitize(CircuitBreakerConfig config) {
  config.windowSize = std::max(config.windowSize, 1);
  config.minimumNumberOfCalls = std::max(config.minimumNumberOfCalls, 1);
  config.permittedNumberOfCallsInHalfOpenState =
      std::max(config.permittedNumberOfCallsInHalfOpenState, 1);
  config.failureRateThreshold = std::max(config.failureRateThreshold, 0.0);
  config.slowCallRateThreshold = std::max(config.slowCallRateThreshold, 0.0);
  config.waitDurationInOpenState = std::max(config.waitDurationInOpenState, core::Millis(0));
  return config;
}
}  // namespace

std::string_view toString(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return "closed";
    case CircuitState::kOpen:
      return "open";
    case CircuitState::kHalfOpen:
      return "half-open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(core::Clock& clock, CircuitBreakerConfig config,
                               TransitionCallback onTransition)
    : clock_(clock),
      config_(sanitize(config)),
      onTransition_(std::move(onTransition)),
      minimumCallsClosed_(config_.windowType == SlidingWindow::Kind::kCountBased
                              ? std::min(config_.minimumNumberOfCalls, config_.windowSize)
                              : config_.minimumNumberOfCalls),
      closedWindow_(config_.windowType, config_.windowSize),
      trialWindow_(SlidingWindow::Kind::kCountBased,
                   config_.permittedNumberOfCallsInHalfOpenState) {}

int64_t CircuitBreaker::nowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
}

bool CircuitBreaker::exceedsThresholds(const WindowTotals& totals) const {
  return totals.failureRatePercent() >= config_.failureRateThreshold ||
         totals.slowCallRatePercent() >= config_.slowCallRateThreshold;
}

CircuitBreaker::Transition CircuitBreaker::transitionLocked(State to) {
  const State from = state_.load(std::memory_order_relaxed);
  switch (to) {
    case State::kClosed:
      closedWindow_.clear();
      break;
    case State::kOpen:
      openedAt_ = clock_.now();
      openedFromTrial_ = from == State::kHalfOpen;
      break;
    case State::kHalfOpen:
      trialWindow_.clear();
      trialPermitsLeft_ = config_.permittedNumberOfCallsInHalfOpenState;
      break;
  }
  state_.store(to, std::memory_order_release);
  return Transition{from, to};
}

void CircuitBreaker::notify(const std::optional<Transition>& transition) const {
  if (transition && onTransition_) onTransition_(transition->from, transition->to);
}

bool CircuitBreaker::tryAcquire() {
  if (state_.load(std::memory_order_acquire) == State::kClosed) return true;
  std::optional<Transition> transition;
  bool permitted = false;
  {
    std::lock_guard lock(mu_);
    State current = state_.load(std::memory_order_relaxed);
    if (current == State::kOpen && clock_.now() - openedAt_ >= config_.waitDurationInOpenState) {
      transition = transitionLocked(State::kHalfOpen);
      current = State::kHalfOpen;
    }
    if (current == State::kClosed) {
      permitted = true;  // closed by another thread meanwhile
    } else if (current == State::kHalfOpen && trialPermitsLeft_ > 0) {
      --trialPermitsLeft_;
      permitted = true;
    }
  }
  if (!permitted) notPermitted_.fetch_add(1, std::memory_order_relaxed);
  notify(transition);
  return permitted;
}

void CircuitBreaker::releasePermission() {
  std::lock_guard lock(mu_);
  if (state_.load(std::memory_order_relaxed) == State::kHalfOpen &&
      trialPermitsLeft_ < config_.permittedNumberOfCallsInHalfOpenState) {
    ++trialPermitsLeft_;
  }
}

void CircuitBreaker::onSuccess(std::chrono::nanoseconds duration) {
  onResult(false, duration);
}

void CircuitBreaker::onError(std::chrono::nanoseconds duration) {
  onResult(true, duration);
}

void CircuitBreaker::onResult(bool failed, std::chrono::nanoseconds duration) {
  const bool slow = duration > config_.slowCallDurationThreshold;
  std::optional<Transition> transition;
  {
    std::lock_guard lock(mu_);
    const int64_t now = nowSeconds();
    switch (state_.load(std::memory_order_relaxed)) {
      case State::kOpen:
        break;  // admitted before it opened: no longer relevant
      case State::kClosed: {
        closedWindow_.record(failed, slow, now);
        const WindowTotals totals = closedWindow_.totals(now);
        if (totals.calls >= minimumCallsClosed_ && exceedsThresholds(totals)) {
          transition = transitionLocked(State::kOpen);
        }
        break;
      }
      case State::kHalfOpen: {
        trialWindow_.record(failed, slow, now);
        const WindowTotals totals = trialWindow_.totals(now);
        if (totals.calls >= config_.permittedNumberOfCallsInHalfOpenState) {
          transition = transitionLocked(exceedsThresholds(totals) ? State::kOpen : State::kClosed);
        }
        break;
      }
    }
  }
  notify(transition);
}

CircuitBreakerMetrics CircuitBreaker::metrics() const {
  CircuitBreakerMetrics metrics;
  WindowTotals totals;
  {
    std::lock_guard lock(mu_);
    metrics.state = state_.load(std::memory_order_relaxed);
    const bool trial =
        metrics.state == State::kHalfOpen || (metrics.state == State::kOpen && openedFromTrial_);
    totals = trial ? trialWindow_.totals(nowSeconds()) : closedWindow_.totals(nowSeconds());
  }
  metrics.failureRatePercent = totals.failureRatePercent();
  metrics.slowCallRatePercent = totals.slowCallRatePercent();
  metrics.bufferedCalls = totals.calls;
  metrics.failedCalls = totals.failed;
  metrics.slowCalls = totals.slow;
  metrics.notPermittedCalls = notPermitted_.load(std::memory_order_relaxed);
  return metrics;
}

void CircuitBreaker::reset() {
  std::optional<Transition> transition;
  {
    std::lock_guard lock(mu_);
    const State from = state_.load(std::memory_order_relaxed);
    transition = transitionLocked(State::kClosed);
    if (from == State::kClosed) transition.reset();
  }
  notify(transition);
}

void CircuitBreaker::forceOpen() {
  std::optional<Transition> transition;
  {
    std::lock_guard lock(mu_);
    if (state_.load(std::memory_order_relaxed) != State::kOpen) transition = transitionLocked(State::kOpen);
  }
  notify(transition);
}

}  // namespace ballast::health
