// The request path's decisions without sockets: which server a request goes
// to and when it may go to another (UpstreamSelector), and what a request's
// outcome records (OutcomeRecorder).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "proxy/outcome_recorder.h"
#include "proxy/service.h"
#include "proxy/upstream_selector.h"

namespace ballast::proxy {
namespace {

using core::ErrorCode;

class RequestStagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::ServiceSpec spec;
    spec.name = "web";
    service_ = std::make_shared<Service>(spec, clock_, random_, [](const Event&) {});
    for (int port : {9001, 9002, 9003})
      ids_.push_back(service_->addServer("10.0.0.1", port, 1)->id);
  }

  std::shared_ptr<const ServiceSnapshot> snapshot() const { return service_->snapshot(); }
  const lb::ServerState* server(size_t i) const {
    for (const auto& s : snapshot()->pool->servers()) {
      if (s->id() == ids_[i]) return s.get();
    }
    return nullptr;
  }
  void openBreaker(size_t i) {
    auto runtime = snapshot()->runtime(server(i));
    runtime->breaker->forceOpen();
  }

  core::SimulatedClock clock_;
  core::SeededRandom random_{7};
  std::shared_ptr<Service> service_;
  std::vector<std::string> ids_;
};

TEST_F(RequestStagesTest, TheStickyServerComesFirst) {
  const auto snap = snapshot();
  UpstreamSelector selector(*snap, service_->counters(), server(2), std::nullopt);
  const auto choice = selector.next();
  ASSERT_NE(choice.server, nullptr);
  EXPECT_EQ(choice.server->state.get(), server(2));
}

TEST_F(RequestStagesTest, AFailedServerIsNotChosenAgainAndOnlyOneRetryIsTaken) {
  const auto snap = snapshot();
  UpstreamSelector selector(*snap, service_->counters(), server(0), std::nullopt);
  auto first = selector.next();
  ASSERT_EQ(first.server->state.get(), server(0));
  selector.failed("connect failed: refused", false);
  ASSERT_TRUE(selector.mayRetry());
  auto second = selector.next();
  ASSERT_NE(second.server, nullptr);
  EXPECT_NE(second.server->state.get(), server(0));
  EXPECT_EQ(service_->counters().retries.load(), 1u);
  // The second fails too: no second retry, a 502 naming why.
  selector.failed("connect failed: reset", false);
  EXPECT_FALSE(selector.mayRetry());
  const auto refused = selector.next();
  EXPECT_EQ(refused.server, nullptr);
  EXPECT_EQ(refused.refusal.code, ErrorCode::kBadGateway);
  EXPECT_EQ(refused.refusal.message, "connect failed: reset");
}

TEST_F(RequestStagesTest, ATimeoutWithoutRetryIsA504) {
  const auto snap = snapshot();
  UpstreamSelector selector(*snap, service_->counters(), nullptr, std::nullopt);
  ASSERT_NE(selector.next().server, nullptr);
  selector.failed("connect timed out", true);  // no mayRetry(): e.g. a request with a body
  const auto refused = selector.next();
  EXPECT_EQ(refused.server, nullptr);
  EXPECT_EQ(refused.refusal.code, ErrorCode::kTimeout);
}

TEST_F(RequestStagesTest, AnOpenBreakerIsPassedOverAtTheCostOfTheRetry) {
  openBreaker(0);
  const auto snap = snapshot();
  UpstreamSelector selector(*snap, service_->counters(), server(0), std::nullopt);
  const auto choice = selector.next();
  ASSERT_NE(choice.server, nullptr);
  EXPECT_NE(choice.server->state.get(), server(0));
  EXPECT_TRUE(selector.retried());
  EXPECT_EQ(service_->counters().circuitRejected.load(), 1u);
}

TEST_F(RequestStagesTest, NoServerIsA503AndCounted) {
  for (const auto& id : ids_) service_->removeServer(id);
  const auto snap = snapshot();
  UpstreamSelector selector(*snap, service_->counters(), nullptr, std::nullopt);
  const auto refused = selector.next();
  EXPECT_EQ(refused.server, nullptr);
  EXPECT_EQ(refused.refusal.code, ErrorCode::kUnavailable);
  EXPECT_EQ(service_->counters().noServer.load(), 1u);
}

TEST_F(RequestStagesTest, AnExhaustedRetryBudgetAllowsNoRetry) {
  // Budget: 20% of requests in flight, at least 3 retries in flight. Hold
  // three retries so the next one is over it.
  auto& budget = *snapshot()->retryBudget;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(budget.tryAcquire(1));
  const auto snap = snapshot();
  UpstreamSelector selector(*snap, service_->counters(), nullptr, std::nullopt);
  ASSERT_NE(selector.next().server, nullptr);
  selector.failed("connect failed", false);
  EXPECT_FALSE(selector.mayRetry());
  EXPECT_EQ(selector.next().refusal.code, ErrorCode::kBadGateway);
  for (int i = 0; i < 3; ++i) budget.release();
}

TEST_F(RequestStagesTest, OutcomesReachTheBreakerTheOutlierMonitorAndTheCountersOnce) {
  const auto snap = snapshot();
  const auto started = std::chrono::steady_clock::now();
  {
    UpstreamSelector selector(*snap, service_->counters(), server(1), std::nullopt);
    OutcomeRecorder outcome(*service_, started);
    const auto choice = selector.next();
    outcome.attach(*choice.server);
    outcome.responded(503, started + std::chrono::milliseconds(5));
    outcome.responded(
        503, started + std::chrono::milliseconds(6));  // a second report changes no breaker
  }
  const auto breaker = snap->runtime(server(1))->breaker->metrics();
  EXPECT_EQ(breaker.failedCalls, 1);
  EXPECT_EQ(service_->counters().responses.load(), 2u);
  EXPECT_EQ(service_->counters().errors.load(), 2u);
  EXPECT_TRUE(server(1)->ewmaLatencyMicros().has_value());
}

TEST_F(RequestStagesTest, ARequestEndingWithoutOutcomeGivesItsHalfOpenPermitBack) {
  auto& breaker = *snapshot()->runtime(server(0))->breaker;
  breaker.forceOpen();
  clock_.advance(std::chrono::minutes(5));  // the wait is over: half-open trials next
  const auto snap = snapshot();
  for (int i = 0; i < 20; ++i) {
    // The client leaves every time: the trial permit must come back.
    UpstreamSelector selector(*snap, service_->counters(), server(0), std::nullopt);
    OutcomeRecorder outcome(*service_, std::chrono::steady_clock::now());
    const auto choice = selector.next();
    ASSERT_NE(choice.server, nullptr);
    ASSERT_EQ(choice.server->state.get(), server(0)) << "attempt " << i;
    outcome.attach(*choice.server);
  }
}

TEST_F(RequestStagesTest, LocalAnswersAreCountedByStatus) {
  OutcomeRecorder outcome(*service_, std::chrono::steady_clock::now());
  outcome.answeredLocally(ErrorCode::kRateLimited);
  outcome.answeredLocally(ErrorCode::kBadGateway);
  EXPECT_EQ(service_->counters().errors.load(), 1u);
}

}  // namespace
}  // namespace ballast::proxy
