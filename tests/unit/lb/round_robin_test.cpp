#include "lb/round_robin.h"

#include <gtest/gtest.h>

#include "test_servers.h"

using namespace ballast::lb;
using ballast::core::SeededRandom;
using ballast::lb::test::countPicks;
using ballast::lb::test::makeServers;

TEST(LbRoundRobin, VisitsServersInListOrderIgnoringWeights) {
  SeededRandom random(1);
  RoundRobinBalancer balancer(makeServers({5, 1, 2}), random);
  std::string sequence;
  for (int i = 0; i < 7; ++i) sequence += balancer.pick({})->id() + " ";
  EXPECT_EQ(sequence, "s0 s1 s2 s0 s1 s2 s0 ");
}

TEST(LbRoundRobin, SkippedTurnsAreSpreadNotGivenToTheNextServer) {
  SeededRandom random(1);
  ServerList servers = makeServers(3);
  servers[1]->setMaintenance(true);
  RoundRobinBalancer balancer(servers, random);
  const auto counts = countPicks(balancer, 60000);
  EXPECT_NEAR(counts.at("s0"), 30000, 600);
  EXPECT_NEAR(counts.at("s2"), 30000, 600);
}
