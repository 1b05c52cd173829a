#include "lb/two_choices.h"

#include <gtest/gtest.h>

#include "test_servers.h"

using namespace std::chrono_literals;
using namespace ballast::lb;
using ballast::core::SeededRandom;
using ballast::lb::test::countPicks;
using ballast::lb::test::makeServers;

namespace {
void addConnections(ServerState& server, int count) {
  for (int i = 0; i < count; ++i) server.connectionStarted();
}
constexpr auto kConnections = TwoChoicesBalancer::Cost::kConnections;
constexpr auto kLatency = TwoChoicesBalancer::Cost::kLatency;
}  // namespace

TEST(LbPowerOfTwo, TheMostLoadedServerIsNeverPicked) {
  SeededRandom random(1);
  ServerList servers = makeServers(3);
  addConnections(*servers[0], 10);
  addConnections(*servers[1], 1);
  TwoChoicesBalancer balancer(servers, random, kConnections);
  const auto counts = countPicks(balancer, 30000);
  EXPECT_EQ(counts.count("s0"), 0u);
  // s1 wins only against s0 (1/3 of pairs), s2 whenever drawn (2/3).
  EXPECT_NEAR(counts.at("s1"), 10000, 400);
  EXPECT_NEAR(counts.at("s2"), 20000, 400);
}

TEST(LbPowerOfTwo, SingleCandidateIsPickedAlone) {
  SeededRandom random(1);
  ServerList servers = makeServers(1);
  TwoChoicesBalancer balancer(servers, random, kConnections);
  EXPECT_EQ(balancer.pick({}), servers[0].get());
}

TEST(LbLeastResponseTime, PrefersLowerLatencyTimesLoad) {
  SeededRandom random(1);
  ServerList servers = makeServers(2);
  servers[0]->recordLatency(100us);
  addConnections(*servers[0], 9);    // cost 100 x 10 = 1000
  servers[1]->recordLatency(300us);  // cost 300 x 1 = 300
  TwoChoicesBalancer balancer(servers, random, kLatency);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(balancer.pick({}), servers[1].get());
  addConnections(*servers[1], 4);  // cost 1500
  for (int i = 0; i < 100; ++i) EXPECT_EQ(balancer.pick({}), servers[0].get());
}

TEST(LbLeastResponseTime, UnmeasuredServerIsPreferred) {
  SeededRandom random(1);
  ServerList servers = makeServers(2);
  servers[0]->recordLatency(1us);
  addConnections(*servers[1], 50);
  TwoChoicesBalancer balancer(servers, random, kLatency);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(balancer.pick({}), servers[1].get());
}

TEST(LbLeastResponseTime, SlowerServerGetsLessTraffic) {
  SeededRandom random(2);
  ServerList servers = makeServers(4);
  for (auto& s : servers) s->recordLatency(1000us);
  servers[3]->recordLatency(50000us, 1.0);
  TwoChoicesBalancer balancer(servers, random, kLatency);
  const auto counts = countPicks(balancer, 40000);
  EXPECT_EQ(counts.count("s3"), 0u);  // loses every pair it is drawn in
  for (const auto& [id, count] : counts) EXPECT_NEAR(count, 40000 / 3, 600) << id;
}
