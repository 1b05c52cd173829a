// The scaling controller with a fake provider, fake probes and simulated time:
// instances join the pool only once healthy, crashes are replaced, scale-in
// drains before it stops, overrides hold, static services are refused.
#include "scaling/control/controller.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include <ballast/infrastructure.h>

#include "../../store/temp_dir.h"
#include "fake_provider.h"
#include "store/store.h"

using namespace ballast;
using namespace std::chrono_literals;
using scaling::testing::FakeProbes;
using scaling::testing::FakeProvider;
using scaling::testing::FakeProviderState;

namespace {

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Store::open(dir_.str());
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    store_ = std::move(*opened);
    servicesRepo_ = std::make_unique<store::ServicesRepository>(store_->db());
    scalingRepo_ = std::make_unique<store::ScalingRepository>(store_->db());
    registry_ = std::make_unique<proxy::Registry>(
        clock_, random_, [this](const proxy::Event& e) { events_.push_back(e); });
    catalog_ = std::make_unique<proxy::Catalog>(*registry_, *servicesRepo_, random_,
                                                proxy::Catalog::Options{.drainTimeout = 30s});
    ASSERT_TRUE(catalog_->loadAtStart(config_, {}).has_value());
  }

  // A service run by the fake provider with `scaling` as its policy.
  void addManagedService(const std::string& name, core::Json scaling) {
    core::ServiceSpec spec;
    spec.name = name;
    spec.routes = {{"", "/" + name}};
    spec.healthCheck.path = "/ready";
    spec.provider = {{"type", "process"}, {"command", "./app --port {port}"}};
    spec.scaling = std::move(scaling);
    ASSERT_TRUE(catalog_->putService(name, spec).has_value());
  }

  void makeController(scaling::ControllerOptions options = {}) {
    options.memoryTotalBytes = 1ull << 30;
    controller_ = std::make_unique<scaling::ScalingController>(
        scaling::ControllerDeps{
            .catalog = *catalog_,
            .repo = *scalingRepo_,
            .clock = clock_,
            .makeProvider = [this](const std::string&, const core::Json&)
                -> core::Result<std::unique_ptr<scaling::InstanceProvider>> {
              return std::make_unique<FakeProvider>(provider_);
            },
            .probe =
                [this](const proxy::ProbeRequest& r, std::function<void(bool, std::string)> done) {
                  return probes_.start(r, std::move(done));
                },
            .events = [this](const proxy::Event& e) { events_.push_back(e); },
            .defaults = scaling::ScalingPolicy{}},
        options);
  }

  std::vector<ServerInfo> pool(const std::string& name) {
    return registry_->find(name)->balancer().servers();
  }
  std::vector<ballast::ScalingEvent> scalingEvents() {
    auto events = controller_->events(100);
    EXPECT_TRUE(events.has_value());
    return events ? *events : std::vector<ballast::ScalingEvent>{};
  }
  bool noted(const std::string& fragment) {
    return std::any_of(events_.begin(), events_.end(), [&](const proxy::Event& e) {
      return e.type == "scaling" && e.message.find(fragment) != std::string::npos;
    });
  }
  // Ticks every 200 ms of simulated time for `duration`.
  void run(core::Millis duration) {
    for (auto t = 0ms; t < duration; t += 200ms) {
      clock_.advance(200ms);
      catalog_->reapDrained();
      controller_->tick();
    }
  }

  // See PredictiveModeScalesOutAheadOfARecurringLoad.
  std::vector<double> runRecurringLoad(const std::string& mode) {
    const std::string name = "pred-" + mode;
    addManagedService(
        name,
        {{"enabled", true},
         {"minInstances", 1},
         {"maxInstances", 8},
         {"targetCpuPercent", 0},
         {"targetMemoryPercent", 0},
         {"targetRequestsPerSecond", 10},
         {"cooldown", 1000},
         {"scaleDownStabilization", 5000},
         {"predictive",
          {{"mode", mode}, {"metric", "requests"}, {"seasonPeriodMs", 60000}, {"stepMs", 1000}}}});
    provider_ = FakeProviderState{};
    probes_ = FakeProbes{};
    controller_.reset();
    makeController();
    const auto begin = clock_.now();
    std::map<int, core::MonoTime> launched;  // port -> start
    std::vector<double> firstRise(4, -1);
    int lastTarget = -1;
    double carried = 0;
    auto& counters = registry_->find(name)->counters();
    for (int tick = 0; tick < 4 * 60 * 5; ++tick) {
      const double second = tick / 5.0;
      const int inMinute = static_cast<int>(second) % 60;
      carried += (inMinute >= 30 && inMinute < 50 ? 50.0 : 5.0) / 5.0;
      counters.requests += static_cast<uint64_t>(carried);
      carried -= static_cast<double>(static_cast<uint64_t>(carried));
      clock_.advance(200ms);
      catalog_->reapDrained();
      controller_->tick();
      provider_.finishStops();
      for (const auto& i : provider_.instances) launched.emplace(i.port, clock_.now());
      // Checks pass 5 s after an instance starts.
      for (const auto& [port, at] : launched) {
        if (clock_.now() - at >= 5s) probes_.answer(true, port);
      }
      probes_.answer(false);
      const auto status = controller_->status();
      for (const auto& s : status) {
        if (s["service"] != name) continue;
        const int target = s["desired"].get<int>();
        const auto minute = static_cast<size_t>(second / 60);
        if (lastTarget >= 0 && target > lastTarget && inMinute >= 20 && firstRise[minute] < 0) {
          firstRise[minute] = std::chrono::duration<double>(clock_.now() - begin).count();
        }
        lastTarget = target;
      }
    }
    controller_.reset();
    EXPECT_TRUE(catalog_->deleteService(name).has_value());
    return firstRise;
  }

  test_support::TempDir dir_{"ballast-scaling-controller"};
  core::SimulatedClock clock_;
  core::SeededRandom random_{7};
  std::vector<core::ServiceSpec> config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::ServicesRepository> servicesRepo_;
  std::unique_ptr<store::ScalingRepository> scalingRepo_;
  std::unique_ptr<proxy::Registry> registry_;
  std::unique_ptr<proxy::Catalog> catalog_;
  std::vector<proxy::Event> events_;
  FakeProviderState provider_;
  FakeProbes probes_;
  std::unique_ptr<scaling::ScalingController> controller_;
};

const core::Json kTwoToFour = {{"enabled", true},          {"minInstances", 2},
                               {"maxInstances", 4},        {"targetCpuPercent", 0},
                               {"targetMemoryPercent", 0}, {"targetRequestsPerSecond", 10},
                               {"cooldown", 1000},         {"scaleDownStabilization", 2000}};

TEST_F(ControllerTest, StartsTheMinimumAndAdmitsInstancesOnlyOnceTheirCheckPasses) {
  addManagedService("demo", kTwoToFour);
  makeController();
  controller_->tick();
  ASSERT_EQ(provider_.started.size(), 2u);
  EXPECT_TRUE(pool("demo").empty());

  run(200ms);  // the probes go out
  ASSERT_EQ(probes_.pending.size(), 2u);
  EXPECT_EQ(probes_.pending[0]->request.path, "/ready");
  EXPECT_EQ(probes_.answer(false), 2);
  EXPECT_TRUE(pool("demo").empty()) << "a failing instance must not receive traffic";

  run(200ms);
  EXPECT_EQ(probes_.answer(true, 41001), 1);
  ASSERT_EQ(pool("demo").size(), 1u);
  EXPECT_EQ(pool("demo")[0].port, 41001);
  run(200ms);
  EXPECT_EQ(probes_.answer(true), 1);
  EXPECT_EQ(pool("demo").size(), 2u);
  EXPECT_TRUE(noted("passed its health check"));

  auto events = scalingEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "scale-up");
  EXPECT_EQ(events[0].trigger, "minimum");
  EXPECT_EQ(events[0].from, 0);
  EXPECT_EQ(events[0].to, 2);
  EXPECT_TRUE(events[0].success);
  EXPECT_EQ(events[0].id, "scaling-1");
}

TEST_F(ControllerTest, AnInstanceThatNeverPassesIsStoppedAndReplaced) {
  addManagedService("demo", kTwoToFour);
  makeController();  // the provider's startupTimeout (10 s by default) + the probe timeout (2 s)
  controller_->tick();
  for (int i = 0; i < 65; ++i) {
    run(200ms);
    probes_.answer(true, 41001);
    probes_.answer(false);
  }
  EXPECT_EQ(pool("demo").size(), 1u);
  EXPECT_NE(std::find(provider_.stopped.begin(), provider_.stopped.end(), "svc-2"),
            provider_.stopped.end());
  EXPECT_TRUE(noted("did not pass its health check within 12000 ms (connection refused)"));
  EXPECT_GE(provider_.started.size(), 3u) << "a replacement is started";
}

TEST_F(ControllerTest, ACrashedInstanceLeavesThePoolAtOnceAndIsReplacedWithAnEvent) {
  addManagedService("demo", kTwoToFour);
  makeController();
  controller_->tick();
  run(200ms);
  probes_.answer(true);
  ASSERT_EQ(pool("demo").size(), 2u);

  provider_.crash("svc-1", "killed by signal 9");
  run(200ms);
  ASSERT_EQ(pool("demo").size(), 1u);
  EXPECT_EQ(pool("demo")[0].port, 41002);
  ASSERT_EQ(provider_.started.size(), 3u);
  EXPECT_TRUE(noted("svc-1 of demo crashed and left the pool: killed by signal 9"));
  auto events = scalingEvents();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0].trigger, "crash");
  EXPECT_EQ(events[0].from, 1);
  EXPECT_EQ(events[0].to, 2);
  EXPECT_NE(events[0].reason.find("killed by signal 9"), std::string::npos);

  run(200ms);
  probes_.answer(true);
  EXPECT_EQ(pool("demo").size(), 2u);
}

TEST_F(ControllerTest, ScaleInDrainsTheNewestInstanceBeforeStoppingIt) {
  addManagedService("demo", kTwoToFour);
  makeController();
  controller_->tick();
  run(200ms);
  probes_.answer(true);
  ASSERT_EQ(pool("demo").size(), 2u);
  auto newest = registry_->find("demo")->balancer().state(pool("demo")[1].id);
  ASSERT_EQ(newest->port(), 41002);
  newest->connectionStarted();  // a request in flight

  auto held = controller_->scale(
      {.service = "demo", .instances = 1, .reason = "quiet night", .force = true});
  ASSERT_TRUE(held.has_value()) << held.error().message;
  run(200ms);
  auto servers = pool("demo");
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_TRUE(servers[1].draining);
  run(3000ms);
  EXPECT_TRUE(provider_.stopped.empty()) << "stopped with a request in flight";

  newest->connectionFinished();
  run(200ms);
  EXPECT_EQ(pool("demo").size(), 1u);
  run(600ms);  // the settle delay
  ASSERT_EQ(provider_.stopped.size(), 1u);
  EXPECT_EQ(provider_.stopped[0], "svc-2");
  provider_.finishStops();
  run(200ms);
  EXPECT_TRUE(noted("svc-2 of demo stopped"));

  auto events = scalingEvents();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0].type, "scale-down");
  EXPECT_EQ(events[0].trigger, "manual");
  EXPECT_EQ(events[0].from, 2);
  EXPECT_EQ(events[0].to, 1);
}

TEST_F(ControllerTest, AnOverrideHoldsUntilReleasedAndIsKeptInTheStore) {
  addManagedService("demo", kTwoToFour);
  makeController();
  controller_->tick();
  auto held = controller_->scale({.service = "demo", .instances = 3, .reason = "launch"});
  ASSERT_TRUE(held.has_value()) << held.error().message;
  run(200ms);
  EXPECT_EQ(provider_.started.size(), 3u);
  auto overrides = scalingRepo_->listOverrides();
  ASSERT_TRUE(overrides.has_value());
  ASSERT_EQ(overrides->size(), 1u);
  EXPECT_EQ((*overrides)[0].instances, 3);

  auto status = controller_->status();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0]["override"]["instances"], 3);
  EXPECT_EQ(status[0]["desired"], 3);

  EXPECT_FALSE(controller_->scale({.service = "demo", .instances = 9}).has_value())
      << "beyond max without force";
  ASSERT_TRUE(controller_->release("demo").has_value());
  EXPECT_TRUE(scalingRepo_->listOverrides()->empty());
  EXPECT_EQ(controller_->release("demo").error().code, core::ErrorCode::kNotFound);
}

TEST_F(ControllerTest, StaticAndUnknownServicesCannotBeScaled) {
  core::ServiceSpec spec;
  spec.name = "manual";
  ASSERT_TRUE(catalog_->putService("manual", spec).has_value());
  makeController();
  controller_->tick();
  auto refused = controller_->scale({.service = "manual", .instances = 3});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("static provider"), std::string::npos);
  EXPECT_EQ(controller_->scale({.service = "nope", .instances = 3}).error().code,
            core::ErrorCode::kNotFound);

  // Given a provider, the static service is managed from the next tick on (the defaults keep 2).
  spec.provider = {{"type", "process"}, {"command", "./app"}};
  ASSERT_TRUE(catalog_->putService("manual", spec).has_value());
  controller_->tick();
  EXPECT_EQ(provider_.started.size(), 2u);
}

TEST_F(ControllerTest, RequestsAboveTargetScaleOutAndSubscribersHearOfIt) {
  addManagedService("demo", kTwoToFour);
  makeController();
  Infrastructure infra(*controller_);
  std::vector<ballast::ScalingEvent> heard;
  ASSERT_TRUE(
      infra.on("scaling", [&](const ballast::ScalingEvent& e) { heard.push_back(e); }).has_value());
  EXPECT_FALSE(infra.on("alert", [](const ballast::ScalingEvent&) {}).has_value());
  controller_->tick();
  run(200ms);
  probes_.answer(true);
  auto& counters = registry_->find("demo")->counters();
  for (int second = 0; second < 3; ++second) {
    counters.requests += 60;  // 30 per instance per second, target 10
    run(1000ms);
  }
  EXPECT_EQ(provider_.started.size(), 4u);
  ASSERT_GE(heard.size(), 2u);
  EXPECT_EQ(heard.back().type, "scale-up");
  EXPECT_EQ(heard.back().trigger, "requests");
  EXPECT_EQ(heard.back().from, 2);
  EXPECT_EQ(heard.back().to, 4);
  auto fromLibrary = infra.getScalingEvents(1);
  ASSERT_TRUE(fromLibrary.has_value());
  EXPECT_EQ(fromLibrary->at(0).id, heard.back().id);

  // The load stops: after the stabilization window it comes back to the minimum.
  run(200ms);
  probes_.answer(true);
  run(6000ms);
  provider_.finishStops();
  run(1000ms);
  EXPECT_EQ(pool("demo").size(), 2u);
  EXPECT_EQ(heard.back().type, "scale-down");
  EXPECT_EQ(heard.back().to, 2);
}

TEST_F(ControllerTest, RunningInstancesAreAdoptedAndStrayServersLeaveThePool) {
  addManagedService("demo", kTwoToFour);
  ASSERT_TRUE(catalog_->addServer("demo", "127.0.0.1", 42001, 1).has_value());
  ASSERT_TRUE(
      catalog_->addServer("demo", "127.0.0.1", 42999, 1).has_value());  // its instance is gone
  provider_.addRunning(42001);
  provider_.addRunning(42002);  // running but not in the pool: checked first
  makeController();
  controller_->tick();
  EXPECT_TRUE(provider_.started.empty());
  auto servers = pool("demo");
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0].port, 42001);
  run(200ms);
  probes_.answer(true);
  EXPECT_EQ(pool("demo").size(), 2u);
  EXPECT_TRUE(noted("took over 2 running instance(s)"));
}

TEST_F(ControllerTest, PoliciesSetThroughTheApiAreStoredAndWin) {
  addManagedService("demo", kTwoToFour);
  makeController();
  controller_->tick();
  auto bad = controller_->putPolicy("demo", {{"minInstances", 5}, {"maxInstances", 3}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, core::ErrorCode::kValidation);
  auto put =
      controller_->putPolicy("demo", {{"enabled", true}, {"minInstances", 3}, {"maxInstances", 5}});
  ASSERT_TRUE(put.has_value()) << put.error().message;
  run(1200ms);
  EXPECT_EQ(provider_.started.size(), 3u);
  auto policy = controller_->policy("demo");
  ASSERT_TRUE(policy.has_value());
  EXPECT_EQ((*policy)["source"], "api");
  EXPECT_EQ(scalingRepo_->listPolicies()->size(), 1u);
}

// Predictive scaling with the real engine, simulated time and a recurring
// load: 5 req/s, and 50 req/s during seconds 30-50 of every minute. Instances
// take 5 s to pass their check, so the forecast looks 5 s ahead. Compares when
// the target first rises in each minute (from second 20 on) with mode off.
TEST_F(ControllerTest, PredictiveModeScalesOutAheadOfARecurringLoad) {
  const auto reactive = runRecurringLoad("off");
  ASSERT_EQ(reactive.size(), 4u);
  const auto predictive = runRecurringLoad("forecast-and-scale");
  ASSERT_EQ(predictive.size(), 4u);
  // Each minute the load rises at second 30.
  for (size_t minute = 0; minute < 4; ++minute) {
    const double rise = 60.0 * static_cast<double>(minute) + 30.0;
    EXPECT_GE(reactive[minute], rise) << "reactive scaling cannot act before the load";
    if (minute >= 2) {  // two minutes of history fit the seasonal model
      EXPECT_LT(predictive[minute], rise)
          << "minute " << minute << ": the forecast should act before the load";
    }
    std::printf(
        "minute %zu: load rises at %.1f s; reactive scale-out at %.1f s, predictive at %.1f s\n",
        minute, rise, reactive[minute], predictive[minute]);
  }
}

}  // namespace
