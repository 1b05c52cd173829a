// Properties every algorithm must have, run against each of them.
#include "lb/balancer.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/random.h"
#include "test_servers.h"

using namespace ballast::lb;
using ballast::core::SeededRandom;
using ballast::core::SimulatedClock;
using ballast::lb::test::countPicks;
using ballast::lb::test::makeServers;

namespace {

class EveryAlgorithm : public ::testing::TestWithParam<Algorithm> {
 protected:
  std::unique_ptr<Balancer> make(ServerList servers) {
    return makeBalancer(GetParam(), std::move(servers), clock_, random_);
  }
  // A random key for ip-hash; the other algorithms ignore it.
  PickContext context(const ServerState* exclude = nullptr) {
    return PickContext{.hashKey = keys_.next(), .exclude = exclude};
  }

  SimulatedClock clock_;
  SeededRandom random_{42};
  SeededRandom keys_{7};
};

std::string nameOf(const ::testing::TestParamInfo<Algorithm>& info) {
  std::string name(toString(info.param));
  std::erase(name, '-');
  return name;
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Lb, EveryAlgorithm,
                         ::testing::Values(Algorithm::kRoundRobin, Algorithm::kWeighted,
                                           Algorithm::kLeastConnections, Algorithm::kIpHash,
                                           Algorithm::kRandom, Algorithm::kLeastResponseTime),
                         nameOf);

TEST_P(EveryAlgorithm, ReportsItsAlgorithm) {
  EXPECT_EQ(make(makeServers(2))->algorithm(), GetParam());
}

TEST_P(EveryAlgorithm, EmptyPoolPicksNothing) {
  auto balancer = make({});
  EXPECT_EQ(balancer->pick(context()), nullptr);
  EXPECT_EQ(balancer->pick({}), nullptr);
}

TEST_P(EveryAlgorithm, PoolWithNothingEligiblePicksNothing) {
  ServerList servers = makeServers({1, 1, 1, 1, 0});
  servers[0]->setHealthy(false, clock_.now());
  servers[1]->setMaintenance(true);
  servers[2]->setDraining(true);
  servers[3]->setEjected(true);
  auto balancer = make(servers);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(balancer->pick(context()), nullptr);
}

TEST_P(EveryAlgorithm, NeverPicksAnIneligibleServer) {
  ServerList servers = makeServers({1, 1, 1, 1, 1, 0});
  servers[1]->setHealthy(false, clock_.now());
  servers[3]->setMaintenance(true);
  auto balancer = make(servers);
  for (int i = 0; i < 10000; ++i) {
    ServerState* s = balancer->pick(context());
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->isEligible()) << s->id();
  }
}

TEST_P(EveryAlgorithm, ExcludedServerIsNeverPicked) {
  ServerList servers = makeServers(3);
  auto balancer = make(servers);
  for (int i = 0; i < 10000; ++i) {
    ServerState* s = balancer->pick(context(servers[1].get()));
    ASSERT_NE(s, nullptr);
    ASSERT_NE(s, servers[1].get());
  }
}

TEST_P(EveryAlgorithm, ExcludingTheOnlyEligibleServerPicksNothing) {
  ServerList servers = makeServers(2);
  servers[0]->setDraining(true);
  auto balancer = make(servers);
  EXPECT_EQ(balancer->pick(context()), servers[1].get());
  EXPECT_EQ(balancer->pick(context(servers[1].get())), nullptr);
}

TEST_P(EveryAlgorithm, FollowsFlagChangesWithoutRebuilding) {
  ServerList servers = makeServers(2);
  auto balancer = make(servers);
  servers[0]->setEjected(true);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(balancer->pick(context()), servers[1].get());
  servers[0]->setEjected(false);
  bool pickedFirst = false;
  for (int i = 0; i < 100 && !pickedFirst; ++i)
    pickedFirst = balancer->pick(context()) == servers[0].get();
  EXPECT_TRUE(pickedFirst);
}

TEST_P(EveryAlgorithm, EqualWeightsSpreadEvenlyOver100kPicks) {
  constexpr int kPicks = 100000;
  auto balancer = make(makeServers(4));
  const auto counts = countPicks(*balancer, kPicks, &keys_);
  ASSERT_EQ(counts.size(), 4u);
  for (const auto& [id, count] : counts) {
    EXPECT_NEAR(count, kPicks / 4, kPicks * 0.015) << id;
  }
}
