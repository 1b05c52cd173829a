// The public library API (include/ballast/load_balancer.h), used as the seed's
// examples use LoadBalancerService.
#include <ballast/load_balancer.h>

#include <gtest/gtest.h>

#include <map>

using ballast::LoadBalancer;

TEST(LbLoadBalancerApi, SeedExampleFlow) {
  ballast::core::SimulatedClock clock;
  ballast::core::SeededRandom random(7);
  LoadBalancer lb({.algorithm = "round-robin"}, clock, random);
  auto auth = lb.addServer("localhost", 3001, 1);
  auto core = lb.addServer("localhost", 3000, 2);
  ASSERT_TRUE(auth.has_value());
  ASSERT_TRUE(core.has_value());
  EXPECT_NE(auth->id, core->id);

  auto server = lb.getNextServer();
  ASSERT_TRUE(server.has_value());
  EXPECT_TRUE(lb.updateServerConnections(server->id, 1));
  EXPECT_TRUE(lb.updateServerResponseTime(server->id, 250));
  auto info = lb.server(server->id);
  EXPECT_EQ(info->connections, 1);
  EXPECT_DOUBLE_EQ(info->responseTime, 250.0);

  EXPECT_TRUE(lb.setServerMaintenance(auth->id, true));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(lb.getNextServer()->id, core->id);
  EXPECT_FALSE(lb.setServerMaintenance("nope", true));
}

TEST(LbLoadBalancerApi, ValidatesAndRefusesDuplicates) {
  LoadBalancer lb;
  auto bad = lb.addServer("", 0, -1);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().details.size(), 3u);
  ASSERT_TRUE(lb.addServer("10.0.0.1", 80).has_value());
  auto twice = lb.addServer("10.0.0.1", 80);
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, ballast::core::ErrorCode::kConflict);
}

TEST(LbLoadBalancerApi, AlgorithmSwitchesAtRunTime) {
  ballast::core::SimulatedClock clock;
  ballast::core::SeededRandom random(1);
  LoadBalancer lb({}, clock, random);
  for (int port = 1; port <= 4; ++port) ASSERT_TRUE(lb.addServer("127.0.0.1", port).has_value());
  ASSERT_TRUE(lb.setAlgorithm("ip-hash").has_value());
  EXPECT_EQ(lb.algorithm(), "ip-hash");
  const auto first = lb.getNextServer("192.0.2.10")->id;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(lb.getNextServer("192.0.2.10")->id, first);
  EXPECT_FALSE(lb.setAlgorithm("fastest").has_value());
  EXPECT_TRUE(lb.removeServer(first));
  EXPECT_FALSE(lb.server(first).has_value());
  EXPECT_EQ(lb.servers().size(), 3u);
}

TEST(LbLoadBalancerApi, NothingEligibleGivesNothing) {
  LoadBalancer lb;
  EXPECT_FALSE(lb.getNextServer().has_value());
  auto s = lb.addServer("127.0.0.1", 9);
  lb.setServerHealthy(s->id, false);
  EXPECT_FALSE(lb.getNextServer().has_value());
}
