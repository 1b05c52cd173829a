// ServicesRepository: services and servers in the store, their constraints,
// and that everything is there again after the store is reopened.
#include "store/services_repo.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "repo_fixture.h"

using namespace ballast::store;
using ballast::core::ErrorCode;
using ballast::test_support::ReopenableRepoTest;

namespace {

class ServicesRepoTest : public ReopenableRepoTest<ServicesRepository> {
 protected:
  ServicesRepoTest() : ReopenableRepoTest("ballast-services-repo") {}
  ServiceRecord service(const std::string& name, const std::string& spec = "{}") {
    return {name, spec, "api", "2024-01-01T00:00:00.000Z"};
  }
  ServerRecord server(const std::string& id, const std::string& service, const std::string& host, int port) {
    return {id, service, host, port, 1, false, "2024-01-01T00:00:00.000Z"};
  }
};

TEST_F(ServicesRepoTest, UpsertReplacesTheSpecAndKeepsServers) {
  ASSERT_TRUE(repo_->upsertService(service("api", R"({"algorithm":"random"})")).has_value());
  ASSERT_TRUE(repo_->addServer(server("srv-1", "api", "10.0.0.1", 80)).has_value());
  ServiceRecord changed = service("api", R"({"algorithm":"ip-hash"})");
  changed.origin = "config";
  ASSERT_TRUE(repo_->upsertService(changed).has_value());
  auto found = repo_->findService("api").value();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->specJson, R"({"algorithm":"ip-hash"})");
  EXPECT_EQ(found->origin, "config");
  EXPECT_EQ(repo_->listServers("api").value().size(), 1u);
  EXPECT_FALSE(repo_->findService("nope").value().has_value());
}

TEST_F(ServicesRepoTest, ListsServicesByName) {
  for (const char* name : {"web", "api", "default"}) ASSERT_TRUE(repo_->upsertService(service(name)).has_value());
  auto list = repo_->listServices().value();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "api");
  EXPECT_EQ(list[1].name, "default");
  EXPECT_EQ(list[2].name, "web");
}

TEST_F(ServicesRepoTest, SameAddressTwiceInOneServiceIsAConflict) {
  ASSERT_TRUE(repo_->upsertService(service("api")).has_value());
  ASSERT_TRUE(repo_->upsertService(service("web")).has_value());
  ASSERT_TRUE(repo_->addServer(server("srv-1", "api", "10.0.0.1", 80)).has_value());
  auto twice = repo_->addServer(server("srv-2", "api", "10.0.0.1", 80));
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  auto sameId = repo_->addServer(server("srv-1", "api", "10.0.0.2", 80));
  ASSERT_FALSE(sameId.has_value());
  EXPECT_EQ(sameId.error().code, ErrorCode::kConflict);
  // The same address in another service is a different server.
  EXPECT_TRUE(repo_->addServer(server("srv-3", "web", "10.0.0.1", 80)).has_value());
  auto byAddress = repo_->findServerByAddress("api", "10.0.0.1", 80).value();
  ASSERT_TRUE(byAddress.has_value());
  EXPECT_EQ(byAddress->id, "srv-1");
}

TEST_F(ServicesRepoTest, ServerOfAnUnknownServiceIsRefused) {
  auto orphan = repo_->addServer(server("srv-1", "ghost", "10.0.0.1", 80));
  ASSERT_FALSE(orphan.has_value());
  EXPECT_EQ(orphan.error().code, ErrorCode::kInternal);
}

TEST_F(ServicesRepoTest, DeletingAServiceDeletesItsServers) {
  ASSERT_TRUE(repo_->upsertService(service("api")).has_value());
  ASSERT_TRUE(repo_->addServer(server("srv-1", "api", "10.0.0.1", 80)).has_value());
  EXPECT_TRUE(repo_->deleteService("api").value());
  EXPECT_FALSE(repo_->deleteService("api").value());
  EXPECT_FALSE(repo_->findServer("srv-1").value().has_value());
  EXPECT_TRUE(repo_->listServers().value().empty());
}

TEST_F(ServicesRepoTest, MaintenanceWeightAndRemovalReportUnknownIds) {
  ASSERT_TRUE(repo_->upsertService(service("api")).has_value());
  ASSERT_TRUE(repo_->addServer(server("srv-1", "api", "10.0.0.1", 80)).has_value());
  EXPECT_TRUE(repo_->setMaintenance("srv-1", true).value());
  EXPECT_TRUE(repo_->setMaintenance("srv-1", true).value());  // unchanged still counts as found
  EXPECT_TRUE(repo_->setWeight("srv-1", 7).value());
  EXPECT_FALSE(repo_->setMaintenance("srv-x", true).value());
  EXPECT_FALSE(repo_->setWeight("srv-x", 7).value());
  auto s = repo_->findServer("srv-1").value();
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->maintenance);
  EXPECT_EQ(s->weight, 7);
  EXPECT_TRUE(repo_->removeServer("srv-1").value());
  EXPECT_FALSE(repo_->removeServer("srv-1").value());
}

TEST_F(ServicesRepoTest, EverythingSurvivesReopening) {
  ASSERT_TRUE(repo_->upsertService(service("api", R"({"algorithm":"random"})")).has_value());
  ASSERT_TRUE(repo_->addServer(server("srv-1", "api", "10.0.0.1", 80)).has_value());
  ASSERT_TRUE(repo_->addServer(server("srv-2", "api", "10.0.0.2", 81)).has_value());
  ASSERT_TRUE(repo_->setMaintenance("srv-2", true).value());
  ASSERT_TRUE(repo_->setWeight("srv-1", 5).value());
  open();
  auto services = repo_->listServices().value();
  ASSERT_EQ(services.size(), 1u);
  EXPECT_EQ(services[0].specJson, R"({"algorithm":"random"})");
  auto servers = repo_->listServers().value();
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0].id, "srv-1");
  EXPECT_EQ(servers[0].weight, 5);
  EXPECT_FALSE(servers[0].maintenance);
  EXPECT_EQ(servers[1].id, "srv-2");
  EXPECT_EQ(servers[1].host, "10.0.0.2");
  EXPECT_EQ(servers[1].port, 81);
  EXPECT_TRUE(servers[1].maintenance);
}

// A data directory made by a ballast that only knew schema 1 is upgraded in
// place: its settings stay and the new tables appear.
TEST(StoreMigration, Version2UpgradesAVersion1Store) {
  TempDir dir("ballast-migration");
  std::filesystem::create_directories(dir.path());
  {
    auto db = Database::open((dir.path() / "ballast.db").string());
    ASSERT_TRUE(db.has_value());
    std::vector<Migration> v1 = {schemaMigrations().front()};
    ASSERT_TRUE((*db)->migrate(v1).has_value());
    ASSERT_TRUE((*db)->exec("INSERT INTO settings(key, value) VALUES('k', 'v')").has_value());
  }
  auto store = Store::open(dir.str());
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ((*store)->db().schemaVersion(), schemaMigrations().back().version);  // every later migration applied
  auto kept = (*store)->db().prepare("SELECT value FROM settings WHERE key = 'k'");
  ASSERT_TRUE(kept.has_value());
  ASSERT_TRUE(kept->step().value());
  EXPECT_EQ(kept->text(0), "v");
  ServicesRepository repo((*store)->db());
  EXPECT_TRUE(repo.listServices().value().empty());
}

}  // namespace
