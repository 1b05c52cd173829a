#include "health/circuit_breaker.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "core/clock.h"

using namespace std::chrono_literals;
using namespace ballast::health;
using ballast::core::SimulatedClock;
using State = CircuitState;

namespace {

class HealthCircuitBreaker : public ::testing::Test {
 protected:
  // Count-based window of 10, opens at 50% failures or 50% slow calls after 5
  // calls, waits 10 s, 3 trial calls.
  static CircuitBreakerConfig smallConfig() {
    return {.windowType = SlidingWindow::Kind::kCountBased,
            .windowSize = 10,
            .failureRateThreshold = 50,
            .slowCallRateThreshold = 50,
            .slowCallDurationThreshold = 2s,
            .minimumNumberOfCalls = 5,
            .waitDurationInOpenState = 10s,
            .permittedNumberOfCallsInHalfOpenState = 3};
  }

  CircuitBreaker& make(CircuitBreakerConfig config = smallConfig()) {
    breaker_ = std::make_unique<CircuitBreaker>(
        clock_, config, [this](State from, State to) { transitions_.emplace_back(from, to); });
    return *breaker_;
  }

  // `count` calls that each acquire and then succeed or fail.
  void calls(int count, bool fail, std::chrono::nanoseconds duration = 10ms) {
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE(breaker_->tryAcquire());
      fail ? breaker_->onError(duration) : breaker_->onSuccess(duration);
    }
  }

  void open() {
    calls(5, true);
    ASSERT_EQ(breaker_->state(), State::kOpen);
  }

  SimulatedClock clock_;
  std::unique_ptr<CircuitBreaker> breaker_;
  std::vector<std::pair<State, State>> transitions_;
};

}  // namespace

TEST(HealthCircuitBreakerConfig, DefaultsSuitHttp) {
  CircuitBreakerConfig config;
  EXPECT_EQ(config.windowType, SlidingWindow::Kind::kCountBased);
  EXPECT_EQ(config.windowSize, 100);
  EXPECT_EQ(config.failureRateThreshold, 50);
  EXPECT_EQ(config.slowCallRateThreshold, 80);
  EXPECT_EQ(config.slowCallDurationThreshold, 2s);
  EXPECT_EQ(config.minimumNumberOfCalls, 20);
  EXPECT_EQ(config.waitDurationInOpenState, 10s);
  EXPECT_EQ(config.permittedNumberOfCallsInHalfOpenState, 5);
  EXPECT_EQ(toString(State::kHalfOpen), "half-open");
}

TEST_F(HealthCircuitBreaker, StaysClosedBeforeMinimumNumberOfCalls) {
  make();
  calls(4, true);
  EXPECT_EQ(breaker_->state(), State::kClosed);
  EXPECT_EQ(breaker_->metrics().failureRatePercent, 100);
  EXPECT_TRUE(transitions_.empty());
}

TEST_F(HealthCircuitBreaker, OpensWhenFailureRateReachesThresholdAfterMinimumCalls) {
  make();
  calls(4, true);
  calls(1, true);
  EXPECT_EQ(breaker_->state(), State::kOpen);
  EXPECT_EQ(transitions_, (std::vector<std::pair<State, State>>{{State::kClosed, State::kOpen}}));
}

TEST_F(HealthCircuitBreaker, StaysClosedBelowThresholdAndOpensAtIt) {
  make();
  calls(6, false);
  calls(4, true);  // 40%
  EXPECT_EQ(breaker_->state(), State::kClosed);
  EXPECT_EQ(breaker_->metrics().bufferedCalls, 10);
  calls(1, true);  // window of 10 now holds 5 failures: 50%
  EXPECT_EQ(breaker_->state(), State::kOpen);
}

TEST_F(HealthCircuitBreaker, CountWindowForgetsTheOldestCalls) {
  make();
  calls(6, false);
  calls(4, true);    // 40%
  calls(10, false);  // the failures fall out of the window of 10
  const auto metrics = breaker_->metrics();
  EXPECT_EQ(metrics.bufferedCalls, 10);
  EXPECT_EQ(metrics.failedCalls, 0);
  EXPECT_EQ(metrics.failureRatePercent, 0);
  calls(4, true);
  EXPECT_EQ(breaker_->metrics().failedCalls, 4);
  EXPECT_EQ(breaker_->state(), State::kClosed);
}

TEST_F(HealthCircuitBreaker, SlowCallsOpenIt) {
  make();
  calls(2, false, 2s);  // exactly the threshold is not slow
  calls(3, false, 2001ms);
  EXPECT_EQ(breaker_->metrics().slowCalls, 3);
  EXPECT_EQ(breaker_->state(), State::kOpen);  // 3 of 5 slow: 60%
}

TEST_F(HealthCircuitBreaker, SlowFailuresCountAsBoth) {
  make();
  calls(5, true, 5s);
  const auto metrics = breaker_->metrics();
  EXPECT_EQ(metrics.failedCalls, 5);
  EXPECT_EQ(metrics.slowCalls, 5);
  EXPECT_EQ(metrics.slowCallRatePercent, 100);
}

TEST_F(HealthCircuitBreaker, OpenRejectsUntilTheWaitIsOverThenHalfOpens) {
  make();
  open();
  EXPECT_FALSE(breaker_->tryAcquire());
  clock_.advance(9999ms);
  EXPECT_FALSE(breaker_->tryAcquire());
  EXPECT_EQ(breaker_->metrics().notPermittedCalls, 2);
  clock_.advance(1ms);
  EXPECT_EQ(breaker_->state(), State::kOpen);  // lazily, on the next attempt
  EXPECT_TRUE(breaker_->tryAcquire());
  EXPECT_EQ(breaker_->state(), State::kHalfOpen);
  EXPECT_EQ(transitions_.back(), std::make_pair(State::kOpen, State::kHalfOpen));
}

TEST_F(HealthCircuitBreaker, HalfOpenPermitsOnlyTheTrialCalls) {
  make();
  open();
  clock_.advance(10s);
  EXPECT_TRUE(breaker_->tryAcquire());
  EXPECT_TRUE(breaker_->tryAcquire());
  EXPECT_TRUE(breaker_->tryAcquire());
  EXPECT_FALSE(breaker_->tryAcquire());
  breaker_->releasePermission();  // one trial call was never made
  EXPECT_TRUE(breaker_->tryAcquire());
  EXPECT_FALSE(breaker_->tryAcquire());
}

TEST_F(HealthCircuitBreaker, SuccessfulTrialsCloseItWithAFreshWindow) {
  make();
  open();
  clock_.advance(10s);
  calls(2, false);
  EXPECT_EQ(breaker_->state(), State::kHalfOpen);
  EXPECT_EQ(breaker_->metrics().bufferedCalls, 2);
  calls(1, false);
  EXPECT_EQ(breaker_->state(), State::kClosed);
  EXPECT_EQ(breaker_->metrics().bufferedCalls, 0);
  EXPECT_EQ(transitions_.back(), std::make_pair(State::kHalfOpen, State::kClosed));
  calls(4, true);  // a fresh window needs the minimum number of calls again
  EXPECT_EQ(breaker_->state(), State::kClosed);
}

TEST_F(HealthCircuitBreaker, FailedTrialsOpenItAgainForAnotherWait) {
  make();
  open();
  clock_.advance(10s);
  calls(1, false);
  calls(2, true);  // 2 of 3 trials failed
  EXPECT_EQ(breaker_->state(), State::kOpen);
  EXPECT_EQ(transitions_.back(), std::make_pair(State::kHalfOpen, State::kOpen));
  EXPECT_EQ(breaker_->metrics().failedCalls, 2);  // the trial window that opened it
  EXPECT_FALSE(breaker_->tryAcquire());
  clock_.advance(10s);
  EXPECT_TRUE(breaker_->tryAcquire());
}

TEST_F(HealthCircuitBreaker, TrialsBelowThresholdCloseIt) {
  make();
  open();
  clock_.advance(10s);
  calls(1, true);
  calls(2, false);  // 33% < 50%
  EXPECT_EQ(breaker_->state(), State::kClosed);
}

TEST_F(HealthCircuitBreaker, ResultsArrivingWhileOpenAreIgnored) {
  make();
  ASSERT_TRUE(breaker_->tryAcquire());  // in flight while it opens
  open();
  breaker_->onSuccess(1ms);
  breaker_->onError(1ms);
  EXPECT_EQ(breaker_->state(), State::kOpen);
  EXPECT_EQ(breaker_->metrics().bufferedCalls, 5);
}

TEST_F(HealthCircuitBreaker, TimeWindowForgetsCallsOlderThanItsSize) {
  auto config = smallConfig();
  config.windowType = SlidingWindow::Kind::kTimeBased;
  config.windowSize = 10;  // seconds
  make(config);
  calls(4, true);
  clock_.advance(10s);
  EXPECT_EQ(breaker_->metrics().bufferedCalls, 0);
  calls(1, true);
  EXPECT_EQ(breaker_->state(), State::kClosed);  // only 1 call in the window
  EXPECT_EQ(breaker_->metrics().bufferedCalls, 1);
}

TEST_F(HealthCircuitBreaker, TimeWindowCountsCallsWithinItsSize) {
  auto config = smallConfig();
  config.windowType = SlidingWindow::Kind::kTimeBased;
  config.windowSize = 10;
  make(config);
  calls(4, true);
  clock_.advance(9s);
  calls(1, true);
  EXPECT_EQ(breaker_->state(), State::kOpen);
}

TEST_F(HealthCircuitBreaker, TimeWindowMinimumCallsIsNotCappedByItsSize) {
  auto config = smallConfig();
  config.windowType = SlidingWindow::Kind::kTimeBased;
  config.windowSize = 2;  // seconds; 5 calls are still needed
  make(config);
  calls(4, true);
  EXPECT_EQ(breaker_->state(), State::kClosed);
  calls(1, true);
  EXPECT_EQ(breaker_->state(), State::kOpen);
}

TEST_F(HealthCircuitBreaker, CountWindowCapsMinimumCallsAtItsSize) {
  auto config = smallConfig();
  config.windowSize = 3;
  make(config);
  calls(3, true);
  EXPECT_EQ(breaker_->state(), State::kOpen);
}

TEST_F(HealthCircuitBreaker, ResetClosesIt) {
  make();
  open();
  breaker_->reset();
  EXPECT_EQ(breaker_->state(), State::kClosed);
  EXPECT_EQ(transitions_.back(), std::make_pair(State::kOpen, State::kClosed));
  const size_t count = transitions_.size();
  breaker_->reset();  // already closed: nothing to report
  EXPECT_EQ(transitions_.size(), count);
  EXPECT_TRUE(breaker_->tryAcquire());
}

TEST_F(HealthCircuitBreaker, WorksWithoutACallback) {
  CircuitBreaker breaker(clock_, smallConfig());
  for (int i = 0; i < 5; ++i) breaker.onError(1ms);
  EXPECT_EQ(breaker.state(), State::kOpen);
}
