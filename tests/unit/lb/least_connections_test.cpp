#include "lb/least_connections.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/clock.h"
#include "test_servers.h"

using namespace ballast::lb;
using ballast::core::SeededRandom;
using ballast::core::SimulatedClock;
using ballast::lb::test::makeServers;

namespace {
void addConnections(ServerState& server, int count) {
  for (int i = 0; i < count; ++i) server.connectionStarted();
}
}  // namespace

TEST(LbLeastConnections, PicksTheServerWithFewestConnections) {
  SimulatedClock clock;
  SeededRandom random(3);
  ServerList servers = makeServers(3);
  addConnections(*servers[0], 5);
  addConnections(*servers[1], 2);
  addConnections(*servers[2], 7);
  LeastConnectionsBalancer balancer(servers, clock, random);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(balancer.pick({}), servers[1].get());
  // Excluding it, the next least loaded.
  EXPECT_EQ(balancer.pick({.exclude = servers[1].get()}), servers[0].get());
}

TEST(LbLeastConnections, DividesConnectionsByWeight) {
  SimulatedClock clock;
  SeededRandom random(3);
  ServerList servers = makeServers({1, 4});
  addConnections(*servers[0], 1);  // (1+1)/1 = 2
  addConnections(*servers[1], 3);  // (3+1)/4 = 1
  LeastConnectionsBalancer balancer(servers, clock, random);
  EXPECT_EQ(balancer.pick({}), servers[1].get());
  // The idle pool honours weights: (0+1)/4 beats (0+1)/1.
  servers[0]->connectionFinished();
  for (int i = 0; i < 3; ++i) servers[1]->connectionFinished();
  EXPECT_EQ(balancer.pick({}), servers[1].get());
}

TEST(LbLeastConnections, HeldConnectionsSettleInProportionToWeight) {
  // Steady load: every pick holds a connection; one random held connection
  // finishes per pick once 60 are in flight, so each server's throughput is
  // proportional to what it holds.
  SimulatedClock clock;
  SeededRandom random(5);
  ServerList servers = makeServers({1, 2, 3});
  LeastConnectionsBalancer balancer(servers, clock, random);
  std::vector<ConnectionGuard> held;
  std::map<std::string, int> counts;
  constexpr int kPicks = 100000;
  for (int i = 0; i < kPicks; ++i) {
    ServerState* s = balancer.pick({});
    ASSERT_NE(s, nullptr);
    ++counts[s->id()];
    held.emplace_back(*s);
    if (held.size() > 60) {
      std::swap(held[random.below(held.size())], held.back());
      held.pop_back();
    }
  }
  EXPECT_NEAR(counts["s0"] / double(kPicks), 1.0 / 6, 0.02);
  EXPECT_NEAR(counts["s1"] / double(kPicks), 2.0 / 6, 0.02);
  EXPECT_NEAR(counts["s2"] / double(kPicks), 3.0 / 6, 0.02);
}

TEST(LbLeastConnections, TiesAreBrokenAtRandom) {
  SimulatedClock clock;
  SeededRandom random(9);
  ServerList servers = makeServers(3);
  addConnections(*servers[0], 1);
  LeastConnectionsBalancer balancer(servers, clock, random);
  std::map<std::string, int> counts;
  for (int i = 0; i < 10000; ++i) ++counts[balancer.pick({})->id()];
  EXPECT_EQ(counts["s0"], 0);
  EXPECT_NEAR(counts["s1"], 5000, 250);
  EXPECT_NEAR(counts["s2"], 5000, 250);
}
