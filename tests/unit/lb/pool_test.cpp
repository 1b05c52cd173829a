#include "lb/pool.h"

#include <gtest/gtest.h>

#include "lb/sticky.h"
#include "test_servers.h"

using namespace ballast::lb;
using ballast::core::SeededRandom;
using ballast::core::SimulatedClock;
using ballast::lb::test::makeServers;

namespace {
class LbPool : public ::testing::Test {
 protected:
  SimulatedClock clock_;
  SeededRandom random_{1};
};
}  // namespace

TEST_F(LbPool, PicksWithItsAlgorithm) {
  auto pool = Pool::create(Algorithm::kRoundRobin, makeServers(3), clock_, random_);
  EXPECT_EQ(pool->algorithm(), Algorithm::kRoundRobin);
  EXPECT_EQ(pool->size(), 3u);
  EXPECT_EQ(pool->pick({})->id(), "s0");
  EXPECT_EQ(pool->pick({})->id(), "s1");
}

TEST_F(LbPool, FindsServersByIdEligibleOrNot) {
  ServerList servers = makeServers(3);
  servers[2]->setMaintenance(true);
  Pool pool(Algorithm::kWeighted, servers, clock_, random_);
  EXPECT_EQ(pool.find("s2"), servers[2].get());
  EXPECT_EQ(pool.find("s9"), nullptr);
  EXPECT_EQ(pool.eligibleCount(), 2u);
}

TEST_F(LbPool, StickyCookieFindsItsServerWhileEligible) {
  ServerList servers = makeServers(3);
  Pool pool(Algorithm::kRandom, servers, clock_, random_);
  const std::string cookie = stickyCookieValue("s1");
  EXPECT_EQ(pool.findSticky(cookie), servers[1].get());
  servers[1]->setDraining(true);
  EXPECT_EQ(pool.findSticky(cookie), nullptr);
  EXPECT_EQ(pool.findSticky(stickyCookieValue("gone")), nullptr);
  EXPECT_EQ(pool.findSticky("not-a-cookie"), nullptr);
  EXPECT_EQ(pool.findSticky(""), nullptr);
}

TEST_F(LbPool, ServersAreSharedAcrossSnapshots) {
  ServerList servers = makeServers(2);
  auto before = Pool::create(Algorithm::kLeastConnections, servers, clock_, random_);
  ServerList grown = servers;
  grown.push_back(std::make_shared<ServerState>("s2", "10.0.0.2", 8080, 1));
  auto after = Pool::create(Algorithm::kLeastConnections, grown, clock_, random_);
  ConnectionGuard guard(*before->find("s0"));
  EXPECT_EQ(after->find("s0")->activeConnections(), 1);
}
