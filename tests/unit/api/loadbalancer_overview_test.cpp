// loadBalancerOverviewJson (service_views.h): the dashboard's loadBalancer
// section over a real Registry.
#include <gtest/gtest.h>

#include "api/service_views.h"
#include "core/clock.h"
#include "core/random.h"
#include "proxy/registry.h"

using namespace ballast;
using core::Json;

namespace {

class LoadBalancerOverviewTest : public ::testing::Test {
 protected:
  std::shared_ptr<proxy::Service> addService(const std::string& name, int servers) {
    core::ServiceSpec spec;
    spec.name = name;
    spec.algorithm = name == "default" ? "round-robin" : "random";
    spec.healthCheck.unhealthyThreshold = 1;
    auto service = registry_.upsert(std::move(spec));
    EXPECT_TRUE(service.has_value());
    for (int i = 0; i < servers; ++i) EXPECT_TRUE((*service)->addServer("127.0.0.1", 9000 + i, 1).has_value());
    return *service;
  }

  core::SimulatedClock clock_;
  core::SeededRandom random_{7};
  proxy::Registry registry_{clock_, random_, [](const proxy::Event&) {}};
};

}  // namespace

TEST_F(LoadBalancerOverviewTest, DefaultStatsAndOneSummaryPerService) {
  addService("default", 2);
  auto api = addService("api", 2);
  const std::string failing = api->balancer().servers()[0].id;
  api->recordHealthCheck(failing, false);

  const Json overview = api::loadBalancerOverviewJson(registry_);
  EXPECT_EQ(overview["algorithm"], "round-robin");
  EXPECT_EQ(overview["servers"].size(), 2u);
  EXPECT_TRUE(overview.contains("totalRequests"));
  ASSERT_EQ(overview["services"].size(), 2u);
  const Json byName = {{overview["services"][0]["name"].get<std::string>(), overview["services"][0]},
                       {overview["services"][1]["name"].get<std::string>(), overview["services"][1]}};
  EXPECT_EQ(byName["default"]["healthyServers"], 2);
  EXPECT_EQ(byName["default"]["totalServers"], 2);
  EXPECT_EQ(byName["api"]["algorithm"], "random");
  EXPECT_EQ(byName["api"]["healthyServers"], 1);
  EXPECT_EQ(byName["api"]["totalServers"], 2);
}

TEST_F(LoadBalancerOverviewTest, WithoutDefaultOnlyTheSummaries) {
  addService("api", 1);
  const Json overview = api::loadBalancerOverviewJson(registry_);
  EXPECT_FALSE(overview.contains("algorithm"));
  EXPECT_EQ(overview["services"].size(), 1u);
}
