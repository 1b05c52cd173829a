#include "lb/server.h"

#include <gtest/gtest.h>

#include "core/clock.h"

using namespace std::chrono_literals;
using ballast::core::SimulatedClock;
using ballast::lb::ConnectionGuard;
using ballast::lb::ServerState;

namespace {
std::shared_ptr<ServerState> makeServer(int weight = 10) {
  return std::make_shared<ServerState>("a", "10.0.0.1", 8080, weight);
}
}  // namespace

TEST(LbServerState, NewServerIsEligible) {
  auto s = makeServer();
  EXPECT_EQ(s->id(), "a");
  EXPECT_EQ(s->host(), "10.0.0.1");
  EXPECT_EQ(s->port(), 8080);
  EXPECT_TRUE(s->isHealthy());
  EXPECT_TRUE(s->isEligible());
  EXPECT_EQ(s->activeConnections(), 0);
  EXPECT_EQ(s->ewmaLatencyMicros(), std::nullopt);
}

TEST(LbServerState, EachFlagMakesItIneligibleAndSettersReportChange) {
  SimulatedClock clock;
  auto s = makeServer();
  EXPECT_TRUE(s->setMaintenance(true));
  EXPECT_FALSE(s->setMaintenance(true));
  EXPECT_FALSE(s->isEligible());
  EXPECT_TRUE(s->setDraining(true));
  EXPECT_TRUE(s->setMaintenance(false));
  EXPECT_FALSE(s->isEligible());  // still draining
  EXPECT_TRUE(s->setDraining(false));
  EXPECT_TRUE(s->isEligible());
  EXPECT_TRUE(s->setEjected(true));
  EXPECT_TRUE(s->isEjected());
  EXPECT_FALSE(s->isEligible());
  EXPECT_TRUE(s->setEjected(false));
  EXPECT_TRUE(s->setHealthy(false, clock.now()));
  EXPECT_FALSE(s->setHealthy(false, clock.now()));
  EXPECT_FALSE(s->isEligible());
  EXPECT_TRUE(s->setHealthy(true, clock.now()));
  EXPECT_TRUE(s->isEligible());
}

TEST(LbServerState, WeightZeroIsIneligibleAndWeightIsClamped) {
  auto s = makeServer(0);
  EXPECT_FALSE(s->isEligible());
  s->setWeight(-5);
  EXPECT_EQ(s->weight(), 0);
  s->setWeight(ServerState::kMaxWeight + 1);
  EXPECT_EQ(s->weight(), ServerState::kMaxWeight);
  EXPECT_TRUE(s->isEligible());
}

TEST(LbServerState, SlowStartRampsLinearlyFromTenPercent) {
  SimulatedClock clock;
  auto s = makeServer(100);
  s->setSlowStartWindow(60s);
  EXPECT_EQ(s->slowStartWindow(), 60s);
  EXPECT_DOUBLE_EQ(s->effectiveWeight(clock.now()), 100);  // never became healthy: no ramp
  s->beginSlowStart(clock.now());
  EXPECT_DOUBLE_EQ(s->effectiveWeight(clock.now()), 10);
  clock.advance(30s);
  EXPECT_DOUBLE_EQ(s->effectiveWeight(clock.now()), 55);
  clock.advance(15s);
  EXPECT_DOUBLE_EQ(s->effectiveWeight(clock.now()), 77.5);
  clock.advance(15s);
  EXPECT_DOUBLE_EQ(s->effectiveWeight(clock.now()), 100);
  clock.advance(1h);
  EXPECT_DOUBLE_EQ(s->effectiveWeight(clock.now()), 100);
}

TEST(LbServerState, BecomingHealthyStartsSlowStartButStayingHealthyDoesNot) {
  SimulatedClock clock;
  auto s = makeServer(10);
  s->setSlowStartWindow(10s);
  s->setHealthy(true, clock.now());  // already healthy: no ramp
  EXPECT_DOUBLE_EQ(s->effectiveWeight(clock.now()), 10);
  s->setHealthy(false, clock.now());
  clock.advance(5s);
  s->setHealthy(true, clock.now());
  EXPECT_DOUBLE_EQ(s->effectiveWeight(clock.now()), 1);
  clock.advance(5s);
  EXPECT_DOUBLE_EQ(s->effectiveWeight(clock.now()), 5.5);
}

TEST(LbServerState, SlowStartOffWithZeroWindowAndWeightZeroStaysZero) {
  SimulatedClock clock;
  auto s = makeServer(10);
  s->beginSlowStart(clock.now());
  EXPECT_DOUBLE_EQ(s->effectiveWeight(clock.now()), 10);  // window 0 = off
  s->setSlowStartWindow(10s);
  s->setWeight(0);
  EXPECT_DOUBLE_EQ(s->effectiveWeight(clock.now()), 0);
}

TEST(LbServerState, LatencyEwmaStartsAtFirstSampleThenBlends) {
  auto s = makeServer();
  s->recordLatency(1000us);
  EXPECT_DOUBLE_EQ(*s->ewmaLatencyMicros(), 1000);
  s->recordLatency(2000us);
  EXPECT_DOUBLE_EQ(*s->ewmaLatencyMicros(), 1000 + ServerState::kDefaultEwmaAlpha * 1000);
  s->recordLatency(0us, 1.0);
  EXPECT_DOUBLE_EQ(*s->ewmaLatencyMicros(), 0);
}

TEST(LbConnectionGuard, CountsWhileAliveAndMovesOwnership) {
  auto s = makeServer();
  {
    ConnectionGuard guard(*s);
    EXPECT_EQ(s->activeConnections(), 1);
    EXPECT_EQ(guard.server(), s.get());
    ConnectionGuard moved(std::move(guard));
    EXPECT_EQ(s->activeConnections(), 1);
    ConnectionGuard other;
    other = std::move(moved);
    EXPECT_EQ(s->activeConnections(), 1);
    ConnectionGuard second(*s);
    EXPECT_EQ(s->activeConnections(), 2);
    second.release();
    second.release();
    EXPECT_EQ(s->activeConnections(), 1);
  }
  EXPECT_EQ(s->activeConnections(), 0);
}

TEST(LbConnectionGuard, KeepsTheServerAlive) {
  auto s = makeServer();
  std::weak_ptr<ServerState> weak = s;
  ConnectionGuard guard(*s);
  s.reset();
  EXPECT_FALSE(weak.expired());
  guard.release();
  EXPECT_TRUE(weak.expired());
}
