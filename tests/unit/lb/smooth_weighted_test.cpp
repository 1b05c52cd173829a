#include "lb/smooth_weighted.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "test_servers.h"

using namespace std::chrono_literals;
using namespace ballast::lb;
using ballast::core::SimulatedClock;
using ballast::lb::test::countPicks;
using ballast::lb::test::makeServers;

namespace {
std::string sequence(const Balancer& balancer, int picks) {
  std::string out;
  for (int i = 0; i < picks; ++i) out += balancer.pick({})->id();
  return out;
}
}  // namespace

TEST(LbSmoothWeighted, MatchesNginxSequenceForWeights511) {
  SimulatedClock clock;
  ServerList servers = {std::make_shared<ServerState>("a", "h", 1, 5),
                        std::make_shared<ServerState>("b", "h", 2, 1),
                        std::make_shared<ServerState>("c", "h", 3, 1)};
  SmoothWeightedBalancer balancer(servers, clock);
  EXPECT_EQ(sequence(balancer, 14), "aabacaaaabacaa");
}

TEST(LbSmoothWeighted, SharesFollowWeights123) {
  SimulatedClock clock;
  SmoothWeightedBalancer balancer(makeServers({1, 2, 3}), clock);
  constexpr int kPicks = 60000;
  const auto counts = countPicks(balancer, kPicks);
  EXPECT_NEAR(counts.at("s0") / double(kPicks), 1.0 / 6, 0.02);
  EXPECT_NEAR(counts.at("s1") / double(kPicks), 2.0 / 6, 0.02);
  EXPECT_NEAR(counts.at("s2") / double(kPicks), 3.0 / 6, 0.02);
}

TEST(LbSmoothWeighted, ExcludedServerLeavesTheOthersInProportion) {
  SimulatedClock clock;
  ServerList servers = makeServers({1, 3, 5});
  SmoothWeightedBalancer balancer(servers, clock);
  const auto counts = countPicks(balancer, 40000, nullptr, servers[2].get());
  EXPECT_EQ(counts.count("s2"), 0u);
  EXPECT_NEAR(counts.at("s0"), 10000, 100);
  EXPECT_NEAR(counts.at("s1"), 30000, 100);
}

TEST(LbSmoothWeighted, SlowStartingServerRampsUpItsShare) {
  SimulatedClock clock;
  ServerList servers = makeServers({10, 10});
  servers[1]->setSlowStartWindow(100s);
  servers[1]->setHealthy(false, clock.now());
  servers[1]->setHealthy(true, clock.now());
  SmoothWeightedBalancer balancer(servers, clock);
  // Effective weights 10 and 1: s1 gets 1/11.
  EXPECT_NEAR(countPicks(balancer, 11000).at("s1"), 1000, 20);
  clock.advance(50s);  // 10 and 5.5
  EXPECT_NEAR(countPicks(balancer, 15500).at("s1"), 5500, 50);
  clock.advance(50s);  // full weight
  EXPECT_NEAR(countPicks(balancer, 10000).at("s1"), 5000, 20);
}
