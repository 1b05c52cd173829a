#include "health/outlier_detector.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/clock.h"

using namespace std::chrono_literals;
using namespace ballast::health;
using ballast::core::SimulatedClock;

namespace {

class HealthOutlierDetector : public ::testing::Test {
 protected:
  // A detector with `servers` servers "s0".."s<n-1>".
  void makePool(size_t servers, OutlierConfig config = {}) {
    detector_ = std::make_unique<OutlierDetector>(clock_, config);
    monitors_.clear();
    for (size_t i = 0; i < servers; ++i) {
      monitors_.push_back(detector_->addServer("s" + std::to_string(i)));
    }
  }

  // Records `count` outcomes; returns the last ejection reported, if any.
  std::optional<Ejection> repeat(OutlierMonitor& monitor, Outcome outcome, int count) {
    std::optional<Ejection> ejection;
    for (int i = 0; i < count; ++i) {
      if (auto e = monitor.record(outcome)) ejection = e;
    }
    return ejection;
  }

  std::optional<Ejection> eject(size_t index) {
    return repeat(*monitors_[index], Outcome::kServerError, 5);
  }

  SimulatedClock clock_;
  std::unique_ptr<OutlierDetector> detector_;
  std::vector<std::shared_ptr<OutlierMonitor>> monitors_;
};

}  // namespace

TEST(HealthOutcome, FromStatus) {
  EXPECT_EQ(outcomeFromStatus(200), Outcome::kSuccess);
  EXPECT_EQ(outcomeFromStatus(404), Outcome::kSuccess);
  EXPECT_EQ(outcomeFromStatus(429), Outcome::kSuccess);
  EXPECT_EQ(outcomeFromStatus(500), Outcome::kServerError);
  EXPECT_EQ(outcomeFromStatus(501), Outcome::kServerError);
  EXPECT_EQ(outcomeFromStatus(502), Outcome::kGatewayFailure);
  EXPECT_EQ(outcomeFromStatus(503), Outcome::kGatewayFailure);
  EXPECT_EQ(outcomeFromStatus(504), Outcome::kGatewayFailure);
  EXPECT_EQ(outcomeFromStatus(599), Outcome::kServerError);
  EXPECT_EQ(toString(EjectionReason::kConsecutive5xx), "consecutive-5xx");
}

TEST_F(HealthOutlierDetector, FiveConsecutive5xxEjectForThirtySeconds) {
  makePool(10);
  EXPECT_EQ(repeat(*monitors_[3], Outcome::kServerError, 4), std::nullopt);
  EXPECT_EQ(monitors_[3]->consecutive5xx(), 4);
  const auto ejection = monitors_[3]->record(Outcome::kServerError);
  ASSERT_TRUE(ejection);
  EXPECT_EQ(ejection->serverId, "s3");
  EXPECT_EQ(ejection->reason, EjectionReason::kConsecutive5xx);
  EXPECT_EQ(ejection->duration, 30s);
  EXPECT_EQ(ejection->ejectionCount, 1);
  EXPECT_TRUE(monitors_[3]->isEjected());
  EXPECT_EQ(monitors_[3]->consecutive5xx(), 0);  // counters restart on ejection
  EXPECT_EQ(detector_->ejectedCount(), 1u);
  EXPECT_EQ(detector_->ejectedUntil("s3"), clock_.now() + 30s);
  EXPECT_EQ(detector_->ejectedUntil("s4"), std::nullopt);
}

TEST_F(HealthOutlierDetector, ASuccessRestartsTheCount) {
  makePool(10);
  repeat(*monitors_[0], Outcome::kServerError, 4);
  monitors_[0]->record(Outcome::kSuccess);
  EXPECT_EQ(repeat(*monitors_[0], Outcome::kServerError, 4), std::nullopt);
  EXPECT_FALSE(monitors_[0]->isEjected());
}

TEST_F(HealthOutlierDetector, GatewayFailuresAreCountedSeparately) {
  makePool(10, {.consecutive5xx = 10, .consecutiveGatewayFailure = 3});
  // A 500 breaks a run of gateway failures but not a run of 5xx.
  repeat(*monitors_[0], Outcome::kGatewayFailure, 2);
  monitors_[0]->record(Outcome::kServerError);
  EXPECT_EQ(monitors_[0]->consecutiveGatewayFailures(), 0);
  EXPECT_EQ(monitors_[0]->consecutive5xx(), 3);
  const auto ejection = repeat(*monitors_[0], Outcome::kGatewayFailure, 3);
  ASSERT_TRUE(ejection);
  EXPECT_EQ(ejection->reason, EjectionReason::kConsecutiveGatewayFailure);
}

TEST_F(HealthOutlierDetector, GatewayFailuresCountAs5xxToo) {
  makePool(10, {.consecutive5xx = 5, .consecutiveGatewayFailure = 0});  // gateway kind off
  const auto ejection = repeat(*monitors_[0], Outcome::kGatewayFailure, 5);
  ASSERT_TRUE(ejection);
  EXPECT_EQ(ejection->reason, EjectionReason::kConsecutive5xx);
}

TEST_F(HealthOutlierDetector, SweepUnejectsWhenTheTimeIsUp) {
  makePool(10);
  eject(1);
  clock_.advance(29s);
  EXPECT_TRUE(detector_->sweep().empty());
  EXPECT_TRUE(monitors_[1]->isEjected());
  clock_.advance(1s);
  EXPECT_EQ(detector_->sweep(), std::vector<std::string>{"s1"});
  EXPECT_FALSE(monitors_[1]->isEjected());
  EXPECT_EQ(detector_->ejectedCount(), 0u);
  EXPECT_TRUE(detector_->sweep().empty());
}

TEST_F(HealthOutlierDetector, EjectionTimeGrowsWithEachEjectionInARowUpToTheCap) {
  makePool(10, {.maxEjectionTime = 100s});
  std::vector<ballast::core::Millis> durations;
  for (int i = 0; i < 5; ++i) {
    const auto ejection = eject(2);
    ASSERT_TRUE(ejection);
    durations.push_back(ejection->duration);
    clock_.advance(ejection->duration);
    detector_->sweep();
  }
  EXPECT_EQ(durations, (std::vector<ballast::core::Millis>{30s, 60s, 90s, 100s, 100s}));
  EXPECT_EQ(detector_->ejectionsTotal(), 5u);
}

TEST_F(HealthOutlierDetector, TimeInServiceForgivesEarlierEjections) {
  makePool(10);
  eject(0);
  clock_.advance(30s);
  detector_->sweep();
  eject(0);  // second in a row: 60 s
  clock_.advance(60s);
  detector_->sweep();
  clock_.advance(30s);  // one base period in service forgives one
  EXPECT_EQ(eject(0)->duration, 60s);
  clock_.advance(60s);
  detector_->sweep();
  clock_.advance(10min);  // forgives everything
  EXPECT_EQ(eject(0)->ejectionCount, 1);
}

TEST_F(HealthOutlierDetector, NeverEjectsMoreThanMaxPercent) {
  makePool(20);  // 10% of 20: two
  EXPECT_TRUE(eject(0));
  EXPECT_TRUE(eject(1));
  EXPECT_FALSE(eject(2));
  EXPECT_FALSE(monitors_[2]->isEjected());
  EXPECT_EQ(detector_->ejectedCount(), 2u);
  EXPECT_GE(detector_->ejectionsOverflow(), 1u);
  // Once one returns, the next failure of the refused server ejects it.
  clock_.advance(30s);
  detector_->sweep();
  EXPECT_TRUE(monitors_[2]->record(Outcome::kServerError));
}

TEST_F(HealthOutlierDetector, OneServerMayAlwaysBeEjectedEvenInASmallPool) {
  makePool(3);  // 10% of 3 is less than one server
  EXPECT_TRUE(eject(0));
  EXPECT_FALSE(eject(1));
  EXPECT_EQ(detector_->ejectedCount(), 1u);
}

TEST_F(HealthOutlierDetector, PassingActiveCheckUnejectsAtOnce) {
  makePool(10);
  eject(4);
  EXPECT_FALSE(detector_->onActiveCheckPassed("s5"));  // not ejected
  EXPECT_FALSE(detector_->onActiveCheckPassed("nope"));
  EXPECT_TRUE(detector_->onActiveCheckPassed("s4"));
  EXPECT_FALSE(monitors_[4]->isEjected());
  EXPECT_EQ(detector_->ejectedCount(), 0u);
  EXPECT_TRUE(detector_->sweep().empty());
}

TEST_F(HealthOutlierDetector, LateFailuresOfAnEjectedServerChangeNothing) {
  makePool(10);
  eject(0);
  const auto until = detector_->ejectedUntil("s0");
  EXPECT_EQ(repeat(*monitors_[0], Outcome::kServerError, 20), std::nullopt);
  EXPECT_EQ(detector_->ejectedUntil("s0"), until);
  EXPECT_EQ(detector_->ejectionsTotal(), 1u);
}

TEST_F(HealthOutlierDetector, RemovedServerFreesItsSlotAndNoLongerEjects) {
  makePool(10);
  eject(0);
  EXPECT_TRUE(detector_->removeServer("s0"));
  EXPECT_FALSE(detector_->removeServer("s0"));
  EXPECT_EQ(detector_->size(), 9u);
  EXPECT_EQ(detector_->ejectedCount(), 0u);
  EXPECT_EQ(detector_->monitor("s0"), nullptr);
  EXPECT_FALSE(eject(0));  // the stale monitor
  EXPECT_TRUE(eject(1));
}

TEST_F(HealthOutlierDetector, AddingAServerTwiceReturnsTheSameMonitor) {
  makePool(2);
  EXPECT_EQ(detector_->addServer("s1"), monitors_[1]);
  EXPECT_EQ(detector_->monitor("s1"), monitors_[1]);
  EXPECT_EQ(detector_->size(), 2u);
}

TEST_F(HealthOutlierDetector, MaxEjectionTimeIsRaisedToTheBase) {
  makePool(10, {.baseEjectionTime = 60s, .maxEjectionTime = 10s});
  EXPECT_EQ(eject(0)->duration, 60s);
}
