#include "lb/maglev.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "test_servers.h"

using namespace ballast::lb;
using ballast::core::SeededRandom;
using ballast::lb::test::makeServers;

namespace {

constexpr int kKeys = 100000;

// The server id each of kKeys fixed keys maps to.
std::vector<std::string> mapKeys(const Balancer& balancer) {
  SeededRandom keys(11);
  std::vector<std::string> ids;
  ids.reserve(kKeys);
  for (int i = 0; i < kKeys; ++i) {
    ServerState* s = balancer.pick({.hashKey = keys.next()});
    ids.push_back(s == nullptr ? "" : s->id());
  }
  return ids;
}

double movedFraction(const std::vector<std::string>& before,
                     const std::vector<std::string>& after) {
  int moved = 0;
  for (size_t i = 0; i < before.size(); ++i) moved += before[i] != after[i];
  return static_cast<double>(moved) / static_cast<double>(before.size());
}

class LbMaglev : public ::testing::Test {
 protected:
  SeededRandom random_{1};
};

}  // namespace

TEST_F(LbMaglev, SameKeyAlwaysGoesToTheSameServer) {
  MaglevBalancer balancer(makeServers(5), random_);
  for (uint64_t key : std::vector<uint64_t>{1, 42, hashKey("192.0.2.7"), hashKey("2001:db8::1")}) {
    ServerState* first = balancer.pick({.hashKey = key});
    for (int i = 0; i < 50; ++i) EXPECT_EQ(balancer.pick({.hashKey = key}), first);
  }
}

TEST_F(LbMaglev, AnotherNodeWithTheSameServerIdsMapsKeysTheSameWay) {
  MaglevBalancer here(makeServers(6), random_);
  SeededRandom otherRandom(99);
  MaglevBalancer there(makeServers(6), otherRandom);
  EXPECT_EQ(mapKeys(here), mapKeys(there));
}

TEST_F(LbMaglev, EqualWeightsGiveEveryServerTheSameNumberOfSlots) {
  MaglevBalancer balancer(makeServers(7), random_);
  const auto slots = balancer.slotCounts();
  const auto [min, max] = std::minmax_element(slots.begin(), slots.end());
  EXPECT_LE(*max - *min, 1u);
}

TEST_F(LbMaglev, SlotsFollowWeights) {
  MaglevBalancer balancer(makeServers({1, 2, 3, 0}), random_);
  const auto slots = balancer.slotCounts();
  const double size = MaglevBalancer::kDefaultTableSize;
  EXPECT_NEAR(slots[0] / size, 1.0 / 6, 0.01);
  EXPECT_NEAR(slots[1] / size, 2.0 / 6, 0.01);
  EXPECT_NEAR(slots[2] / size, 3.0 / 6, 0.01);
  EXPECT_EQ(slots[3], 0u);
}

TEST_F(LbMaglev, RemovingOneOfTenServersMovesAboutATenthOfTheKeys) {
  ServerList ten = makeServers(10);
  ServerList nine = ten;
  nine.erase(nine.begin() + 4);
  const auto before = mapKeys(MaglevBalancer(ten, random_));
  const auto after = mapKeys(MaglevBalancer(nine, random_));
  const double moved = movedFraction(before, after);
  EXPECT_GE(moved, 0.09);  // at least the removed server's keys
  EXPECT_LE(moved, 0.10 + 0.02);
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i] == "s4") {
      ASSERT_NE(after[i], "s4");
    }
  }
}

TEST_F(LbMaglev, AddingAnEleventhServerMovesAboutAnEleventhOfTheKeys) {
  ServerList ten = makeServers(10);
  ServerList eleven = makeServers(11);
  const auto before = mapKeys(MaglevBalancer(ten, random_));
  const auto after = mapKeys(MaglevBalancer(eleven, random_));
  const double moved = movedFraction(before, after);
  EXPECT_GE(moved, 1.0 / 11 - 0.01);
  EXPECT_LE(moved, 1.0 / 11 + 0.02);
  // Every moved key moved to the new server.
  int movedElsewhere = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    movedElsewhere += before[i] != after[i] && after[i] != "s10";
  }
  EXPECT_LE(movedElsewhere, kKeys * 0.03);
}

TEST_F(LbMaglev, AnIneligibleServerLosesOnlyItsOwnKeysAndGetsThemBack) {
  ServerList servers = makeServers(10);
  MaglevBalancer balancer(servers, random_);
  const auto before = mapKeys(balancer);
  servers[4]->setHealthy(false, {});
  const auto during = mapKeys(balancer);
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i] == "s4") {
      ASSERT_NE(during[i], "s4");
    } else {
      ASSERT_EQ(during[i], before[i]);
    }
  }
  // The moved keys spread over the others instead of piling onto one.
  std::map<std::string, int> spread;
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i] == "s4") ++spread[during[i]];
  }
  EXPECT_EQ(spread.size(), 9u);
  servers[4]->setHealthy(true, {});
  EXPECT_EQ(mapKeys(balancer), before);
}

TEST_F(LbMaglev, RetryExcludingTheFirstChoiceIsDeterministicToo) {
  ServerList servers = makeServers(5);
  MaglevBalancer balancer(servers, random_);
  const uint64_t key = hashKey("198.51.100.23");
  ServerState* first = balancer.pick({.hashKey = key});
  ServerState* second = balancer.pick({.hashKey = key, .exclude = first});
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second, first);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(balancer.pick({.hashKey = key, .exclude = first}), second);
}

TEST_F(LbMaglev, KeysSpreadEvenlyOverServers) {
  const auto ids = mapKeys(MaglevBalancer(makeServers(10), random_));
  std::map<std::string, int> counts;
  for (const auto& id : ids) ++counts[id];
  ASSERT_EQ(counts.size(), 10u);
  for (const auto& [id, count] : counts) EXPECT_NEAR(count, kKeys / 10, kKeys * 0.006) << id;
}

TEST_F(LbMaglev, WithoutAKeyPicksAtRandom) {
  MaglevBalancer balancer(makeServers(4), random_);
  std::map<std::string, int> counts;
  for (int i = 0; i < 4000; ++i) ++counts[balancer.pick({})->id()];
  ASSERT_EQ(counts.size(), 4u);
  for (const auto& [id, count] : counts) EXPECT_NEAR(count, 1000, 150) << id;
}

TEST_F(LbMaglev, StillDeterministicWhenAlmostEverythingIsDown) {
  ServerList servers = makeServers(200);
  for (size_t i = 0; i < servers.size(); ++i) {
    if (i != 17 && i != 150) servers[i]->setMaintenance(true);
  }
  MaglevBalancer balancer(servers, random_);
  SeededRandom keys(5);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t key = keys.next();
    ServerState* s = balancer.pick({.hashKey = key});
    ASSERT_TRUE(s == servers[17].get() || s == servers[150].get());
    ASSERT_EQ(balancer.pick({.hashKey = key}), s);
  }
}

TEST_F(LbMaglev, SmallPrimeTableWorks) {
  MaglevBalancer balancer(makeServers(3), random_, 13);
  const auto slots = balancer.slotCounts();
  EXPECT_EQ(slots[0] + slots[1] + slots[2], 13u);
}
