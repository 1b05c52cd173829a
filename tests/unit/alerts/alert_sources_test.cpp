#include "alerts/alert_sources.h"

#include <gtest/gtest.h>

#include "alerts/builtin_rules.h"
#include "core/random.h"
#include "proxy/registry.h"
#include "proxy/service.h"
#include "telemetry/system_stats.h"

namespace ballast::alerts {
namespace {

using std::chrono::seconds;

class AlertSourcesTest : public ::testing::Test {
 protected:
  AlertSourcesTest() {
    core::ServiceSpec spec;
    spec.name = "web";
    service_ = *registry_.upsert(std::move(spec));
    EXPECT_TRUE(service_->addServer("127.0.0.1", 8001, 1, "a"));
    EXPECT_TRUE(service_->addServer("127.0.0.1", 8002, 1, "b"));
    system_.sample();
  }
  std::shared_ptr<lb::ServerState> server(const std::string& id) {
    for (const auto& s : service_->snapshot()->pool->servers())
      if (s->id() == id) return s;
    return nullptr;
  }
  static std::vector<double> values(const std::vector<Sample>& samples, const std::string& metric) {
    std::vector<double> out;
    for (const auto& s : samples)
      if (s.metric == metric) out.push_back(s.value);
    return out;
  }

  core::SimulatedClock clock_;
  core::SeededRandom random_{7};
  proxy::Registry registry_{clock_, random_, nullptr};
  telemetry::SystemSampler system_{"/"};
  std::shared_ptr<proxy::Service> service_;
  AlertSources sources_{clock_, registry_, system_, nullptr};
};

TEST_F(AlertSourcesTest, ReportsServerHealthBreakersAndHealthyCount) {
  server("a")->setHealthy(false, clock_.now());
  server("b")->setCircuitOpen(true);
  auto samples = sources_.collect();
  EXPECT_EQ(values(samples, metrics::kServerUnhealthy), (std::vector<double>{1, 0}));
  EXPECT_EQ(values(samples, metrics::kCircuitOpen), (std::vector<double>{0, 1}));
  EXPECT_EQ(values(samples, metrics::kHealthyServers), (std::vector<double>{1}));
  EXPECT_EQ(values(samples, metrics::kCpuPercent).size(), 1u);
  EXPECT_TRUE(values(samples, metrics::kCacheHitRatePercent).empty());  // no cache given
  for (const auto& s : samples) {
    if (s.metric == metrics::kServerUnhealthy) {
      EXPECT_EQ(s.labels.at("service"), "web");
    }
  }
}

TEST_F(AlertSourcesTest, ErrorRateOverTheLastMinuteOnlyWithTraffic) {
  EXPECT_TRUE(values(sources_.collect(), metrics::kErrorRatePercent).empty());
  service_->counters().requests += 200;
  service_->counters().errors += 20;
  clock_.advance(seconds(1));
  EXPECT_EQ(values(sources_.collect(), metrics::kErrorRatePercent), (std::vector<double>{10}));
  clock_.advance(seconds(120));
  sources_.collect();
  clock_.advance(seconds(1));
  EXPECT_TRUE(values(sources_.collect(), metrics::kErrorRatePercent).empty());  // quiet minute
}

}  // namespace
}  // namespace ballast::alerts
