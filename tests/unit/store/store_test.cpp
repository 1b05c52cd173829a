#include "store/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "store/service_status.h"
#include "store/settings.h"
#include "temp_dir.h"

using namespace ballast::store;
using ballast::test_support::TempDir;

TEST(Store, CreatesSchemaWithOwnerOnlyPermissions) {
  TempDir dir;
  auto store = Store::open(dir.str());
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ((*store)->db().schemaVersion(), schemaMigrations().back().version);
  struct stat st {};
  ASSERT_EQ(::stat((*store)->path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

TEST(Store, MigrationsApplyOnceAndInOrder) {
  TempDir dir;
  std::filesystem::create_directories(dir.path());
  auto db = Database::open((dir.path() / "m.db").string());
  ASSERT_TRUE(db.has_value());
  std::vector<Migration> v1 = {{1, "CREATE TABLE a(x INTEGER);"}};
  ASSERT_TRUE((*db)->migrate(v1).has_value());
  ASSERT_TRUE((*db)->migrate(v1).has_value());  // idempotent
  std::vector<Migration> v2 = {{1, "CREATE TABLE a(x INTEGER);"}, {2, "ALTER TABLE a ADD y TEXT;"}};
  ASSERT_TRUE((*db)->migrate(v2).has_value());
  EXPECT_EQ((*db)->schemaVersion(), 2);
  // A database newer than the code is refused, not downgraded.
  EXPECT_FALSE((*db)->migrate(v1).has_value());
}

TEST(Store, FailedMigrationRollsBackEntirely) {
  TempDir dir;
  std::filesystem::create_directories(dir.path());
  auto db = Database::open((dir.path() / "m.db").string());
  ASSERT_TRUE(db.has_value());
  std::vector<Migration> bad = {{1, "CREATE TABLE a(x INTEGER); CREATE TABLE a(y INTEGER);"}};
  EXPECT_FALSE((*db)->migrate(bad).has_value());
  EXPECT_EQ((*db)->schemaVersion(), 0);
  std::vector<Migration> good = {{1, "CREATE TABLE a(x INTEGER);"}};
  EXPECT_TRUE((*db)->migrate(good).has_value());
}

TEST(Store, SettingsGetOrPutKeepsTheFirstValue) {
  TempDir dir;
  auto store = Store::open(dir.str());
  ASSERT_TRUE(store.has_value());
  Settings settings((*store)->db());
  EXPECT_EQ(settings.get("k").value(), std::nullopt);
  EXPECT_EQ(settings.getOrPut("k", "first").value(), "first");
  EXPECT_EQ(settings.getOrPut("k", "second").value(), "first");
  ASSERT_TRUE(settings.put("k", "third").has_value());
  EXPECT_EQ(settings.get("k").value(), "third");
}

TEST(Store, ServiceStatusUpsertListRemove) {
  TempDir dir;
  auto store = Store::open(dir.str());
  ASSERT_TRUE(store.has_value());
  ServiceStatusRepository repo((*store)->db());
  ASSERT_TRUE(repo.upsert({"auth", "healthy", 50, "{}", "2024-01-01T00:00:00.000Z"}).has_value());
  ASSERT_TRUE(repo.upsert({"auth", "degraded", 70, "{}", "2024-01-01T00:00:01.000Z"}).has_value());
  auto list = repo.list();
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).status, "degraded");
  EXPECT_TRUE(repo.remove("auth").value());
  EXPECT_FALSE(repo.remove("auth").value());
}

// A child writes rows and acknowledges each commit over a pipe; it is killed
// with SIGKILL mid-stream. Every acknowledged row must be there afterwards and
// the file must pass SQLite's integrity check.
TEST(Store, KillAtAnyMomentLosesNothingAcknowledged) {
  TempDir dir;
  ASSERT_TRUE(Store::open(dir.str()).has_value());
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      auto store = Store::open(dir.str());
      if (!store) _exit(2);
      Settings settings((*store)->db());
      for (int i = 0;; ++i) {
        const std::string key = "r" + std::to_string(round) + "-" + std::to_string(i);
        if (!settings.put(key, std::string(512, 'x')).has_value()) _exit(3);
        if (write(fds[1], &i, sizeof(i)) != sizeof(i)) _exit(4);
      }
    }
    close(fds[1]);
    std::set<int> acknowledged;
    int value = 0;
    // Kill after a varying number of acknowledgements.
    const size_t killAfter = 20 + static_cast<size_t>(round) * 37;
    while (acknowledged.size() < killAfter && read(fds[0], &value, sizeof(value)) == sizeof(value)) {
      acknowledged.insert(value);
    }
    kill(child, SIGKILL);
    while (read(fds[0], &value, sizeof(value)) == sizeof(value)) acknowledged.insert(value);
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);

    auto store = Store::open(dir.str());
    ASSERT_TRUE(store.has_value());
    auto check = (*store)->db().prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.has_value());
    ASSERT_TRUE(check->step().value());
    EXPECT_EQ(check->text(0), "ok");
    Settings settings((*store)->db());
    for (int i : acknowledged) {
      const std::string key = "r" + std::to_string(round) + "-" + std::to_string(i);
      EXPECT_TRUE(settings.get(key).value().has_value()) << key;
    }
  }
}
