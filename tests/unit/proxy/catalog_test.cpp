// proxy::Catalog: start-up from config + store, store-before-apply, errors,
// the default service, and drain-then-remove.
#include "proxy/catalog.h"

#include <gtest/gtest.h>

#include <thread>

#include "../store/temp_dir.h"
#include "store/store.h"

using namespace ballast;
using namespace std::chrono_literals;
using core::ErrorCode;
using proxy::Catalog;

namespace {

core::ServiceSpec serviceSpec(const std::string& name, std::vector<core::ServerSpec> servers = {}) {
  core::ServiceSpec spec;
  spec.name = name;
  spec.routes = {{"", "/" + name}};
  spec.servers = std::move(servers);
  return spec;
}

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }

  // (Re)opens the store in the same directory and loads a fresh catalog, as a
  // restarted daemon does.
  void start(std::vector<core::ServiceSpec> config = {}) {
    catalog_.reset();
    registry_.reset();
    repo_.reset();
    store_.reset();
    auto opened = store::Store::open(dir_.str());
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    store_ = std::move(*opened);
    repo_ = std::make_unique<store::ServicesRepository>(store_->db());
    registry_ = std::make_unique<proxy::Registry>(clock_, random_, [this](const proxy::Event& e) {
      std::lock_guard lock(eventsMu_);
      events_.push_back(e);
    });
    catalog_ = std::make_unique<Catalog>(*registry_, *repo_, random_, Catalog::Options{.drainTimeout = 30s});
    auto loaded = catalog_->loadAtStart(config, defaults_);
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  }

  std::shared_ptr<proxy::Service> service(const std::string& name) { return registry_->find(name); }
  std::vector<ServerInfo> servers(const std::string& name) { return service(name)->balancer().servers(); }
  bool hasEvent(const std::string& type, const std::string& fragment) {
    std::lock_guard lock(eventsMu_);
    for (const auto& e : events_) {
      if (e.type == type && e.message.find(fragment) != std::string::npos) return true;
    }
    return false;
  }
  // Installs a trigger that makes the store refuse `operation` on `table`.
  void breakStore(const std::string& operation, const std::string& table) {
    ASSERT_TRUE(store_->db()
                    .exec("CREATE TRIGGER broken BEFORE " + operation + " ON " + table +
                          " BEGIN SELECT RAISE(ABORT, 'disk full'); END")
                    .has_value());
  }

  test_support::TempDir dir_{"ballast-catalog"};
  core::SimulatedClock clock_;
  core::SeededRandom random_{42};
  core::ServiceDefaults defaults_{"least-connections", {}};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::ServicesRepository> repo_;
  std::unique_ptr<proxy::Registry> registry_;
  std::unique_ptr<Catalog> catalog_;
  std::mutex eventsMu_;
  std::vector<proxy::Event> events_;
};

TEST_F(CatalogTest, StartCreatesTheDefaultServiceFromTheDefaults) {
  auto fallback = service("default");
  ASSERT_NE(fallback, nullptr);
  EXPECT_EQ(fallback->spec()->algorithm, "least-connections");
  EXPECT_TRUE(fallback->balancer().servers().empty());
  EXPECT_EQ(registry_->routes()->fallback, fallback);
  EXPECT_EQ(catalog_->origin("default"), "config");
  EXPECT_TRUE(repo_->findService("default").value().has_value());
}

TEST_F(CatalogTest, ConfigServicesAreInsertedOnceThenTheStoreWins) {
  start({serviceSpec("api", {{"10.0.0.1", 80, 1}, {"10.0.0.2", 80, 3}})});
  ASSERT_NE(service("api"), nullptr);
  auto first = servers("api");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[1].weight, 3);
  EXPECT_EQ(catalog_->origin("api"), "config");

  core::ServiceSpec changed = serviceSpec("api");
  changed.algorithm = "random";
  ASSERT_EQ(catalog_->putService("api", changed).value(), false);
  // The same config file again: the stored (changed) service and its server ids stay.
  start({serviceSpec("api", {{"10.0.0.1", 80, 1}, {"10.0.0.2", 80, 3}})});
  EXPECT_EQ(service("api")->spec()->algorithm, "random");
  EXPECT_EQ(catalog_->origin("api"), "api");
  auto again = servers("api");
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].id, first[0].id);
  EXPECT_EQ(again[1].id, first[1].id);
}

TEST_F(CatalogTest, AConfigServiceListingOneAddressTwiceIsRefused) {
  catalog_.reset();
  registry_ = std::make_unique<proxy::Registry>(clock_, random_, nullptr);
  catalog_ = std::make_unique<Catalog>(*registry_, *repo_, random_);
  auto loaded = catalog_->loadAtStart({serviceSpec("api", {{"10.0.0.1", 80, 1}, {"10.0.0.1", 80, 2}})}, defaults_);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code, ErrorCode::kValidation);
  EXPECT_EQ(loaded.error().details.at(0).path, "services[0].servers[1]");
  EXPECT_FALSE(repo_->findService("api").value().has_value());  // nothing half-inserted
}

TEST_F(CatalogTest, ServersKeepIdsWeightsAndMaintenanceAcrossRestart) {
  auto a = catalog_->addServer("default", "10.0.0.1", 8080, 2).value();
  auto b = catalog_->addServer("default", "10.0.0.2", 8080, 1).value();
  ASSERT_TRUE(catalog_->setMaintenance(b.id, true).has_value());
  ASSERT_TRUE(catalog_->setWeight(a.id, 9).has_value());
  start();
  auto list = servers("default");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, a.id);
  EXPECT_EQ(list[0].weight, 9);
  EXPECT_FALSE(list[0].maintenance);
  EXPECT_EQ(list[1].id, b.id);
  EXPECT_TRUE(list[1].maintenance);
}

TEST_F(CatalogTest, ChangesAreInTheStoreWhenAcknowledged) {
  auto added = catalog_->addServer("default", "10.0.0.1", 8080, 1).value();
  ASSERT_TRUE(catalog_->setMaintenance(added.id, true).has_value());
  ASSERT_TRUE(catalog_->putService("api", serviceSpec("api")).has_value());
  // A second connection sees the committed rows while the catalog still runs.
  auto other = store::Store::open(dir_.str());
  ASSERT_TRUE(other.has_value());
  store::ServicesRepository repo((*other)->db());
  auto stored = repo.findServer(added.id).value();
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(stored->maintenance);
  EXPECT_EQ(stored->service, "default");
  EXPECT_TRUE(repo.findService("api").value().has_value());
}

TEST_F(CatalogTest, NothingIsAppliedWhenTheStoreRefusesAServer) {
  breakStore("INSERT", "servers");
  auto added = catalog_->addServer("default", "10.0.0.1", 8080, 1);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kInternal);
  EXPECT_TRUE(servers("default").empty());
  // Creating a service with its first server is one transaction: neither stays.
  EXPECT_FALSE(catalog_->addServer("api", "10.0.0.1", 8080, 1, Catalog::IfMissing::kCreate).has_value());
  EXPECT_EQ(service("api"), nullptr);
  EXPECT_FALSE(repo_->findService("api").value().has_value());
}

TEST_F(CatalogTest, NothingIsAppliedWhenTheStoreRefusesMaintenance) {
  auto added = catalog_->addServer("default", "10.0.0.1", 8080, 1).value();
  breakStore("UPDATE", "servers");
  EXPECT_FALSE(catalog_->setMaintenance(added.id, true).has_value());
  EXPECT_FALSE(service("default")->balancer().server(added.id)->maintenance);
}

TEST_F(CatalogTest, NothingIsAppliedWhenTheStoreRefusesAServiceChange) {
  breakStore("INSERT", "services");
  EXPECT_FALSE(catalog_->putService("api", serviceSpec("api")).has_value());
  EXPECT_EQ(service("api"), nullptr);
}

TEST_F(CatalogTest, NothingIsAppliedWhenTheStoreRefusesARemoval) {
  ASSERT_TRUE(catalog_->putService("api", serviceSpec("api")).has_value());
  auto added = catalog_->addServer("api", "10.0.0.1", 8080, 1).value();
  breakStore("DELETE", "servers");
  EXPECT_FALSE(catalog_->removeServer(added.id).has_value());
  EXPECT_FALSE(service("api")->balancer().server(added.id)->draining);
  EXPECT_FALSE(catalog_->deleteService("api").has_value());  // the cascade is refused too
  EXPECT_NE(service("api"), nullptr);
}

TEST_F(CatalogTest, TheSameAddressTwiceIsAConflict) {
  ASSERT_TRUE(catalog_->addServer("default", "backend.local", 8080, 1).has_value());
  auto twice = catalog_->addServer("default", "Backend.LOCAL", 8080, 5);
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  EXPECT_EQ(servers("default").size(), 1u);
  // Another port, or another service, is another server.
  EXPECT_TRUE(catalog_->addServer("default", "backend.local", 8081, 1).has_value());
  EXPECT_TRUE(catalog_->addServer("api", "backend.local", 8080, 1, Catalog::IfMissing::kCreate).has_value());
}

TEST_F(CatalogTest, InvalidServersNameEveryField) {
  auto bad = catalog_->addServer("default", "not a host", 0, 5000);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kValidation);
  ASSERT_EQ(bad.error().details.size(), 3u);
  EXPECT_EQ(bad.error().details[0].path, "/host");
  EXPECT_EQ(bad.error().details[1].path, "/port");
  EXPECT_EQ(bad.error().details[2].path, "/weight");
  EXPECT_EQ(catalog_->setWeight("srv-x", -1).error().details.at(0).path, "/weight");
}

TEST_F(CatalogTest, UnknownNamesAndIdsAreNotFound) {
  EXPECT_EQ(catalog_->addServer("ghost", "10.0.0.1", 80, 1).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(catalog_->removeServer("srv-none").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(catalog_->setMaintenance("srv-none", true).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(catalog_->setWeight("srv-none", 1).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(catalog_->deleteService("ghost").error().code, ErrorCode::kNotFound);
  // A server is only found in its own service.
  auto added = catalog_->addServer("default", "10.0.0.1", 80, 1).value();
  EXPECT_EQ(catalog_->removeServer(added.id, std::string("api")).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(catalog_->removeServer(added.id, std::string("default")).has_value());
}

TEST_F(CatalogTest, AddingToAMissingServiceCanCreateItFromTheDefaults) {
  auto added = catalog_->addServer("api", "10.0.0.1", 80, 1, Catalog::IfMissing::kCreate);
  ASSERT_TRUE(added.has_value()) << added.error().message;
  ASSERT_NE(service("api"), nullptr);
  EXPECT_EQ(service("api")->spec()->algorithm, "least-connections");
  EXPECT_EQ(catalog_->origin("api"), "api");
  EXPECT_EQ(catalog_->addServer("bad name!", "10.0.0.1", 80, 1, Catalog::IfMissing::kCreate).error().code,
            ErrorCode::kValidation);
}

TEST_F(CatalogTest, TheDefaultServiceCannotBeDeleted) {
  auto refused = catalog_->deleteService("default");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(service("default"), nullptr);
  EXPECT_NE(registry_->routes()->fallback, nullptr);
  // It can be replaced, though: its servers stay.
  ASSERT_TRUE(catalog_->addServer("default", "10.0.0.1", 80, 1).has_value());
  core::ServiceSpec spec = serviceSpec("default");
  spec.routes.clear();
  spec.algorithm = "random";
  EXPECT_EQ(catalog_->putService("default", spec).value(), false);
  EXPECT_EQ(servers("default").size(), 1u);
}

TEST_F(CatalogTest, PutServiceCreatesThenReplacesKeepingServers) {
  EXPECT_EQ(catalog_->putService("api", serviceSpec("api")).value(), true);
  ASSERT_TRUE(catalog_->addServer("api", "10.0.0.1", 80, 1).has_value());
  core::ServiceSpec changed = serviceSpec("api");
  changed.algorithm = "ip-hash";
  changed.name = "ignored";  // the name argument wins
  EXPECT_EQ(catalog_->putService("api", changed).value(), false);
  EXPECT_EQ(service("api")->spec()->algorithm, "ip-hash");
  EXPECT_EQ(service("api")->spec()->name, "api");
  EXPECT_EQ(servers("api").size(), 1u);
  auto routes = registry_->routes();
  ASSERT_EQ(routes->entries.size(), 1u);
  EXPECT_EQ(routes->entries[0].pathPrefix, "/api");
  EXPECT_EQ(routes->entries[0].service, service("api"));
  EXPECT_TRUE(hasEvent("service", "Service api created"));
  EXPECT_TRUE(hasEvent("service", "Service api updated"));

  EXPECT_EQ(catalog_->putService("", serviceSpec("x")).error().details.at(0).path, "/name");
  core::ServiceSpec badAlgorithm = serviceSpec("api");
  badAlgorithm.algorithm = "fastest";
  EXPECT_EQ(catalog_->putService("api", badAlgorithm).error().details.at(0).path, "/algorithm");
}

TEST_F(CatalogTest, DeletingAServiceRemovesItAndItsServersEverywhere) {
  ASSERT_TRUE(catalog_->putService("api", serviceSpec("api")).has_value());
  auto added = catalog_->addServer("api", "10.0.0.1", 80, 1).value();
  ASSERT_TRUE(catalog_->deleteService("api").has_value());
  EXPECT_EQ(service("api"), nullptr);
  EXPECT_FALSE(repo_->findServer(added.id).value().has_value());
  start();
  EXPECT_EQ(service("api"), nullptr);
}

TEST_F(CatalogTest, RemovingAnIdleServerRemovesItAtOnce) {
  auto added = catalog_->addServer("default", "10.0.0.1", 80, 1).value();
  auto removed = catalog_->removeServer(added.id).value();
  EXPECT_FALSE(removed.draining);
  EXPECT_EQ(removed.service, "default");
  EXPECT_EQ(removed.server.id, added.id);
  EXPECT_TRUE(servers("default").empty());
  EXPECT_EQ(catalog_->drainingCount(), 0u);
  EXPECT_EQ(catalog_->removeServer(added.id).error().code, ErrorCode::kNotFound);
}

TEST_F(CatalogTest, ABusyServerDrainsThenLeaves) {
  auto added = catalog_->addServer("default", "10.0.0.1", 80, 1).value();
  auto state = service("default")->balancer().state(added.id);
  state->connectionStarted();
  auto removed = catalog_->removeServer(added.id).value();
  EXPECT_TRUE(removed.draining);
  EXPECT_TRUE(removed.server.draining);
  // Gone from the store at once; still in the registry, taking no new requests.
  EXPECT_FALSE(repo_->findServer(added.id).value().has_value());
  ASSERT_EQ(servers("default").size(), 1u);
  EXPECT_TRUE(servers("default")[0].draining);
  EXPECT_FALSE(state->isEligible());
  EXPECT_EQ(catalog_->removeServer(added.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(catalog_->setMaintenance(added.id, true).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(hasEvent("server", "draining"));

  EXPECT_EQ(catalog_->reapDrained(), 0u);
  state->connectionFinished();
  EXPECT_EQ(catalog_->reapDrained(), 1u);
  EXPECT_TRUE(servers("default").empty());
  EXPECT_EQ(catalog_->drainingCount(), 0u);
  // After a restart it stays gone.
  start();
  EXPECT_TRUE(servers("default").empty());
}

TEST_F(CatalogTest, AServerThatNeverDrainsLeavesAtTheTimeout) {
  auto added = catalog_->addServer("default", "10.0.0.1", 80, 1).value();
  service("default")->balancer().state(added.id)->connectionStarted();
  ASSERT_TRUE(catalog_->removeServer(added.id).value().draining);
  clock_.advance(29s);
  EXPECT_EQ(catalog_->reapDrained(), 0u);
  clock_.advance(1s);
  EXPECT_EQ(catalog_->reapDrained(), 1u);
  EXPECT_TRUE(servers("default").empty());
  EXPECT_TRUE(hasEvent("server", "did not drain"));
}

TEST_F(CatalogTest, ReAddingADrainingAddressReplacesIt) {
  auto old = catalog_->addServer("default", "10.0.0.1", 80, 1).value();
  service("default")->balancer().state(old.id)->connectionStarted();
  ASSERT_TRUE(catalog_->removeServer(old.id).value().draining);
  auto fresh = catalog_->addServer("default", "10.0.0.1", 80, 2);
  ASSERT_TRUE(fresh.has_value()) << fresh.error().message;
  EXPECT_NE(fresh->id, old.id);
  auto list = servers("default");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].id, fresh->id);
  EXPECT_EQ(catalog_->drainingCount(), 0u);
}

TEST_F(CatalogTest, MaintenanceIsAppliedAndReported) {
  auto added = catalog_->addServer("default", "10.0.0.1", 80, 1).value();
  auto on = catalog_->setMaintenance(added.id, true).value();
  EXPECT_TRUE(on.maintenance);
  EXPECT_FALSE(service("default")->balancer().state(added.id)->isEligible());
  EXPECT_TRUE(hasEvent("server", "entered maintenance"));
  EXPECT_FALSE(catalog_->setMaintenance(added.id, false).value().maintenance);
  EXPECT_TRUE(service("default")->balancer().state(added.id)->isEligible());
  EXPECT_TRUE(hasEvent("server", "left maintenance"));
}

TEST_F(CatalogTest, ConcurrentAddsAreSerialised) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(catalog_->addServer("default", "10.0.0." + std::to_string(t + 1), 1000 + i, 1).has_value());
        // Every thread also tries one address all of them use: exactly one wins.
        (void)catalog_->addServer("default", "10.9.9.9", 9000 + i, 1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(servers("default").size(), 50u);
  EXPECT_EQ(repo_->listServers("default").value().size(), 50u);
}

// ---- service discovery ------------------------------------------------------

proxy::ServerRegistration ttlRegistration(int ttl, int deregisterAfter) {
  return {{"v2"}, {{"owner", "team-a"}}, proxy::ServerCheckSpec{"ttl", ttl, deregisterAfter}};
}

TEST_F(CatalogTest, TtlCheckedServerIsHealthyOnlyWhileHeartbeatsArrive) {
  auto added = catalog_->addServer("web", "127.0.0.1", 9001, 1, Catalog::IfMissing::kCreate,
                                   ttlRegistration(1000, 0));
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_FALSE(added->healthy);  // critical until the first heartbeat
  EXPECT_TRUE(service("web")->hasOwnCheck(added->id));
  ASSERT_TRUE(catalog_->heartbeat("web", added->id).has_value());
  EXPECT_TRUE(servers("web")[0].healthy);
  clock_.advance(999ms);
  catalog_->sweepChecks();
  EXPECT_TRUE(servers("web")[0].healthy);
  clock_.advance(1ms);
  catalog_->sweepChecks();
  EXPECT_FALSE(servers("web")[0].healthy);
  EXPECT_TRUE(hasEvent("health", "its own check is critical"));
}

TEST_F(CatalogTest, RegistrationSurvivesARestart) {
  auto added = catalog_->addServer("web", "127.0.0.1", 9001, 1, Catalog::IfMissing::kCreate,
                                   ttlRegistration(1000, 5000));
  ASSERT_TRUE(added.has_value());
  start();
  auto registration = catalog_->registration(added->id);
  EXPECT_EQ(registration.tags, std::vector<std::string>{"v2"});
  EXPECT_EQ(registration.metadata.at("owner"), "team-a");
  ASSERT_TRUE(registration.check.has_value());
  EXPECT_EQ(registration.check->deregisterCriticalAfter, 5000);
  EXPECT_FALSE(servers("web")[0].healthy);
  EXPECT_TRUE(catalog_->heartbeat("web", added->id).has_value());
}

TEST_F(CatalogTest, DeregistersAServerCriticalForLongerThanItsLimit) {
  auto added = catalog_->addServer("web", "127.0.0.1", 9001, 1, Catalog::IfMissing::kCreate,
                                   ttlRegistration(1000, 2000));
  ASSERT_TRUE(added.has_value());
  clock_.advance(1999ms);
  EXPECT_EQ(catalog_->sweepChecks(), 0u);
  EXPECT_EQ(servers("web").size(), 1u);
  clock_.advance(1ms);
  EXPECT_EQ(catalog_->sweepChecks(), 1u);
  EXPECT_TRUE(servers("web").empty());
  EXPECT_TRUE(repo_->listServers("web").value().empty());
  EXPECT_TRUE(hasEvent("server", "deregistered"));
  EXPECT_EQ(catalog_->heartbeat("web", added->id).error().code, ErrorCode::kNotFound);
}

proxy::ServerRegistration probedRegistration(std::string type, int deregisterAfter) {
  proxy::ServerCheckSpec check;
  check.type = std::move(type);
  check.deregisterCriticalAfter = deregisterAfter;
  return {{}, {}, check};
}

TEST_F(CatalogTest, AProbedCheckDecidesHealthThroughTheThresholdsAndTimesDeregistration) {
  auto added = catalog_->addServer("web", "127.0.0.1", 9001, 1, Catalog::IfMissing::kCreate,
                                   probedRegistration("http", 3000));
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_FALSE(added->healthy);  // critical until its probes pass
  auto web = service("web");
  ASSERT_TRUE(web->ownChecks().contains(added->id));
  EXPECT_EQ(catalog_->heartbeat("web", added->id).error().code, ErrorCode::kConflict);  // not a ttl check
  // The health checker's verdicts go through the service's thresholds (2 passes in by default).
  web->recordHealthCheck(added->id, true);
  EXPECT_FALSE(servers("web")[0].healthy);
  web->recordHealthCheck(added->id, true);
  EXPECT_TRUE(servers("web")[0].healthy);
  clock_.advance(10s);
  EXPECT_EQ(catalog_->sweepChecks(), 0u);  // passing: never due
  for (int i = 0; i < 3; ++i) web->recordHealthCheck(added->id, false);
  EXPECT_FALSE(servers("web")[0].healthy);
  catalog_->sweepChecks();  // notes the critical verdict
  clock_.advance(2999ms);
  EXPECT_EQ(catalog_->sweepChecks(), 0u);
  clock_.advance(1ms);
  EXPECT_EQ(catalog_->sweepChecks(), 1u);
  EXPECT_TRUE(servers("web").empty());
  EXPECT_TRUE(repo_->listServers("web").value().empty());
  EXPECT_TRUE(hasEvent("server", "deregistered"));
}

TEST_F(CatalogTest, ATcpCheckedServerThatNeverPassesIsDeregisteredAfterItsLimit) {
  auto added = catalog_->addServer("web", "127.0.0.1", 9001, 1, Catalog::IfMissing::kCreate,
                                   probedRegistration("tcp", 1000));
  ASSERT_TRUE(added.has_value());
  clock_.advance(999ms);
  EXPECT_EQ(catalog_->sweepChecks(), 0u);
  clock_.advance(1ms);
  EXPECT_EQ(catalog_->sweepChecks(), 1u);
  EXPECT_TRUE(servers("web").empty());
}

TEST_F(CatalogTest, HeartbeatErrors) {
  auto plain = catalog_->addServer("web", "127.0.0.1", 9001, 1, Catalog::IfMissing::kCreate);
  ASSERT_TRUE(plain.has_value());
  EXPECT_TRUE(plain->healthy);
  EXPECT_FALSE(service("web")->hasOwnCheck(plain->id));
  EXPECT_EQ(catalog_->heartbeat("web", plain->id).error().code, ErrorCode::kConflict);
  EXPECT_EQ(catalog_->heartbeat("other", plain->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(catalog_->heartbeat("web", "srv-missing").error().code, ErrorCode::kNotFound);
}

}  // namespace
