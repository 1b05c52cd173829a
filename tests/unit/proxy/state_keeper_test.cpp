// proxy::StateKeeper: health and breaker verdicts survive a new process.
#include "proxy/state_keeper.h"

#include <gtest/gtest.h>

#include "../store/temp_dir.h"
#include "proxy/catalog.h"
#include "store/store.h"

using namespace ballast;
using test_support::TempDir;

namespace {

// One "process": a store, a registry with a catalog and a state keeper.
struct Process {
  explicit Process(const std::string& dir, core::Clock& clock, core::Random& random) {
    store = std::move(*store::Store::open(dir));
    repo = std::make_unique<store::ServicesRepository>(store->db());
    states = std::make_unique<store::ServerStateRepository>(store->db());
    registry = std::make_unique<proxy::Registry>(clock, random, [](const proxy::Event&) {});
    catalog = std::make_unique<proxy::Catalog>(*registry, *repo, random);
    core::ServiceSpec spec;
    spec.name = "default";
    spec.servers = {{"127.0.0.1", 9001, 1}, {"127.0.0.1", 9002, 1}};
    EXPECT_TRUE(catalog->loadAtStart({spec}, {}).has_value());
    keeper = std::make_unique<proxy::StateKeeper>(*registry, *states);
  }
  std::vector<std::shared_ptr<lb::ServerState>> servers() {
    auto service = registry->find("default");
    return service->snapshot()->pool->servers();
  }
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::ServicesRepository> repo;
  std::unique_ptr<store::ServerStateRepository> states;
  std::unique_ptr<proxy::Registry> registry;
  std::unique_ptr<proxy::Catalog> catalog;
  std::unique_ptr<proxy::StateKeeper> keeper;
};

}  // namespace

TEST(ProxyStateKeeper, HealthAndOpenBreakersSurviveANewProcess) {
  TempDir dir;
  core::SimulatedClock clock;
  core::SeededRandom random(3);
  std::string downId, trippedId;
  {
    Process first(dir.str(), clock, random);
    ASSERT_TRUE(first.keeper->restore().has_value());
    auto servers = first.servers();
    ASSERT_EQ(servers.size(), 2u);
    downId = servers[0]->id();
    trippedId = servers[1]->id();
    auto service = first.registry->find("default");
    // Three failed checks (the default unhealthy threshold) take the first down.
    for (int i = 0; i < 3; ++i) service->recordHealthCheck(downId, false);
    service->restoreCircuitOpen(trippedId);
    ASSERT_FALSE(servers[0]->isHealthy());
    ASSERT_TRUE(servers[1]->isCircuitOpen());
    ASSERT_TRUE(first.keeper->persistChanges().has_value());
  }
  Process second(dir.str(), clock, random);
  auto servers = second.servers();
  ASSERT_TRUE(servers[0]->isHealthy());  // before restore: a fresh process trusts everyone
  ASSERT_TRUE(second.keeper->restore().has_value());
  for (const auto& s : servers) {
    if (s->id() == downId) {
      EXPECT_FALSE(s->isHealthy());
    }
    if (s->id() == trippedId) {
      EXPECT_TRUE(s->isCircuitOpen());
    }
  }
  auto service = second.registry->find("default");
  auto runtime = service->snapshot()->runtime(servers[1]->id() == trippedId ? servers[1].get() : servers[0].get());
  EXPECT_EQ(runtime->breaker->state(), health::CircuitState::kOpen);
  // The restored unhealthy server needs the usual passes to come back.
  EXPECT_FALSE(service->recordHealthCheck(downId, true).has_value());
  EXPECT_EQ(service->recordHealthCheck(downId, true), std::optional<bool>(true));
}

TEST(ProxyStateKeeper, WritesOnlyWhatChanged) {
  TempDir dir;
  core::SimulatedClock clock;
  core::SeededRandom random(3);
  Process p(dir.str(), clock, random);
  ASSERT_TRUE(p.keeper->persistChanges().has_value());
  auto stored = p.states->list();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->size(), 2u);
  ASSERT_TRUE(p.keeper->persistChanges().has_value());  // nothing changed: no write needed
  EXPECT_EQ(p.states->list()->size(), 2u);
}
