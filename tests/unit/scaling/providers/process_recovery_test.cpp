// Crash safety of the process provider: the instance record, adoption or
// stopping of instances a previous ballast left, and the pid-reuse guard. A
// "crash" here is destroying the provider without stopping its instances,
// which is exactly what a crashed ballast leaves: running processes and the
// record, nothing else.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "core/json.h"
#include "scaling/providers/instance_state_file.h"
#include "scaling/providers/proc_reader.h"
#include "scaling/providers/process_provider.h"
#include "scaling/providers/spawn.h"
#include "test_support.h"

namespace ballast::scaling {
namespace {

using namespace std::chrono_literals;
using testing::isAlive;
using testing::readFile;
using testing::waitUntil;

class ProcessRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    spec_.command =
        "exec python3 " + testing::writeListenerScript(dir_.path()).string() + " {port}";
    spec_.stopGracePeriod = 5000;
  }

  std::unique_ptr<ProcessProvider> make(OrphanPolicy orphans) {
    spec_.orphans = orphans;
    auto provider = ProcessProvider::create(spec_, "svc", dir_.path() / "data", clock_);
    EXPECT_TRUE(provider.has_value()) << (provider ? "" : provider.error().message);
    return provider ? std::move(*provider) : nullptr;
  }

  Instance startRunning(ProcessProvider& provider) {
    auto instance = provider.start();
    EXPECT_TRUE(instance.has_value());
    if (!instance) return {};
    reaper_.add(*instance->pid);
    EXPECT_TRUE(waitRunning(provider, instance->id));
    return *instance;
  }

  static bool waitRunning(ProcessProvider& provider, const std::string& id) {
    return waitUntil(
        [&] {
          provider.reap();
          for (const auto& i : provider.instances()) {
            if (i.id == id) return i.state == InstanceState::kRunning;
          }
          return false;
        },
        10s);
  }

  static std::vector<InstanceExit> reapUntilEmpty(ProcessProvider& provider) {
    std::vector<InstanceExit> exits;
    waitUntil(
        [&] {
          for (auto& e : provider.reap()) exits.push_back(std::move(e));
          return provider.instances().empty();
        },
        10s);
    return exits;
  }

  testing::TempDir dir_;
  testing::ProcessReaper reaper_;
  core::SimulatedClock clock_;
  ProcessProviderSpec spec_;
};

TEST_F(ProcessRecoveryTest, StateFileListsEveryInstanceWithItsIdentity) {
  auto provider = make(OrphanPolicy::kAdopt);
  ASSERT_TRUE(provider);
  const Instance a = startRunning(*provider);
  const Instance b = startRunning(*provider);
  auto state = loadInstanceState(provider->stateFilePath());
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_EQ(state->nextIndex, 3u);
  ASSERT_EQ(state->instances.size(), 2u);
  EXPECT_EQ(state->instances[0].id, a.id);
  EXPECT_EQ(state->instances[0].pid, *a.pid);
  EXPECT_EQ(state->instances[0].port, a.port);
  EXPECT_EQ(state->instances[0].startTicks, readProcStat(*a.pid)->startTicks);
  EXPECT_NE(state->instances[0].command.find(" " + std::to_string(a.port)), std::string::npos);
  EXPECT_EQ(state->instances[1].id, b.id);
  EXPECT_FALSE(std::filesystem::exists(provider->stateFilePath().string() + ".tmp"));
  EXPECT_EQ(std::filesystem::status(provider->stateFilePath()).permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  // A stop is recorded at once (a successor finishes it); the exit removes the entry.
  ASSERT_TRUE(provider->stop(a.id));
  state = loadInstanceState(provider->stateFilePath());
  ASSERT_TRUE(state);
  EXPECT_TRUE(state->instances[0].stopping);
  EXPECT_FALSE(state->instances[1].stopping);
  ASSERT_TRUE(waitUntil([&] { return provider->reap().size() == 1; }, 10s));
  state = loadInstanceState(provider->stateFilePath());
  ASSERT_TRUE(state);
  ASSERT_EQ(state->instances.size(), 1u);
  EXPECT_EQ(state->instances[0].id, b.id);
  EXPECT_EQ(state->nextIndex, 3u);
  ASSERT_TRUE(provider->stop(b.id));
  reapUntilEmpty(*provider);
}

TEST_F(ProcessRecoveryTest, ASuccessorAdoptsLiveInstancesAndKeepsNumbering) {
  auto first = make(OrphanPolicy::kAdopt);
  ASSERT_TRUE(first);
  const Instance a = startRunning(*first);
  const Instance b = startRunning(*first);
  first.reset();  // the crash
  ASSERT_TRUE(isAlive(*a.pid));

  auto second = make(OrphanPolicy::kAdopt);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->recoveryNotes().size(), 2u);
  EXPECT_EQ(second->recoveryNotes()[0], "adopted svc-1 (pid " + std::to_string(*a.pid) + ", port " +
                                            std::to_string(a.port) +
                                            ") left by a previous ballast");
  const auto adopted = second->instances();
  ASSERT_EQ(adopted.size(), 2u);
  EXPECT_EQ(adopted[0].id, a.id);
  EXPECT_EQ(adopted[0].pid, a.pid);
  EXPECT_EQ(adopted[0].port, a.port);
  EXPECT_EQ(adopted[1].id, b.id);
  ASSERT_TRUE(waitRunning(*second, a.id));  // its port is checked like a new instance's

  const Instance c = startRunning(*second);
  EXPECT_EQ(c.id, "svc-3");
  EXPECT_NE(c.port, a.port);
  EXPECT_NE(c.port, b.port);

  // An adopted instance that dies is noticed by polling (it is not our child).
  ::kill(*b.pid, SIGKILL);
  std::optional<InstanceExit> exit;
  ASSERT_TRUE(waitUntil(
      [&] {
        for (auto& e : second->reap()) {
          if (e.instance.id == b.id) exit = e;
        }
        return exit.has_value();
      },
      10s));
  EXPECT_FALSE(exit->expected);
  EXPECT_EQ(exit->description, "exited (status unknown: adopted from a previous ballast)");

  // Stopping an adopted instance signals its group like any other.
  ASSERT_TRUE(second->stop(a.id));
  ASSERT_TRUE(second->stop(c.id));
  const auto exits = reapUntilEmpty(*second);
  ASSERT_EQ(exits.size(), 2u);
  EXPECT_TRUE(exits[0].expected);
  EXPECT_TRUE(exits[1].expected);
  EXPECT_FALSE(isAlive(*a.pid));
  EXPECT_FALSE(isAlive(*c.pid));
}

TEST_F(ProcessRecoveryTest, AdoptsAfterTheOwningProcessReallyDied) {
  // The owner is a forked copy of this test that starts an instance and dies
  // without any cleanup, so the instance is re-parented and is nobody's child here.
  const pid_t owner = ::fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    auto provider = ProcessProvider::create(spec_, "svc", dir_.path() / "data", clock_);
    if (!provider || !(*provider)->start()) ::_exit(2);
    for (int i = 0; i < 1000; ++i) {
      (*provider)->reap();
      if ((*provider)->instances()[0].state == InstanceState::kRunning) ::_exit(0);
      ::usleep(10000);
    }
    ::_exit(3);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(owner, &status, 0), owner);
  auto record = loadInstanceState(dir_.path() / "data" / "instances" / "svc.json");
  ASSERT_TRUE(record && record->instances.size() == 1);
  const pid_t orphan = record->instances[0].pid;
  reaper_.add(orphan);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ASSERT_TRUE(isAlive(orphan));
  EXPECT_NE(readProcStat(orphan)->processGroup, 0);

  auto successor = make(OrphanPolicy::kAdopt);
  ASSERT_TRUE(successor);
  ASSERT_EQ(successor->instances().size(), 1u);
  EXPECT_EQ(successor->instances()[0].pid, orphan);
  ASSERT_TRUE(waitRunning(*successor, "svc-1"));
  ASSERT_TRUE(successor->stop("svc-1"));
  const auto exits = reapUntilEmpty(*successor);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_TRUE(exits[0].expected);
  EXPECT_FALSE(isAlive(orphan));
}

// The shell stays as the group leader (no `exec`), python runs as its child.
TEST_F(ProcessRecoveryTest, WhenALeaderDiesWhatItLeftInItsGroupIsKilledOwnOrAdopted) {
  spec_.command = spec_.command.substr(std::string("exec ").size()) + "; echo done";
  for (const bool adopted : {false, true}) {
    SCOPED_TRACE(adopted ? "adopted" : "own child");
    auto provider = make(OrphanPolicy::kAdopt);
    ASSERT_TRUE(provider);
    const Instance a = startRunning(*provider);
    if (adopted) {
      provider.reset();
      provider = make(OrphanPolicy::kAdopt);
      ASSERT_TRUE(provider);
    }
    std::vector<pid_t> members;
    for (pid_t m : processGroupMembers(*a.pid)) {
      if (m != *a.pid) members.push_back(m);
    }
    ASSERT_FALSE(members.empty());
    for (pid_t m : members) reaper_.add(m);
    ::kill(*a.pid, SIGKILL);  // the leader only
    const auto exits = reapUntilEmpty(*provider);
    ASSERT_EQ(exits.size(), 1u);
    EXPECT_FALSE(exits[0].expected);
    EXPECT_TRUE(
        waitUntil([&] { return std::none_of(members.begin(), members.end(), isAlive); }, 5s));
  }
}

TEST_F(ProcessRecoveryTest, WithOrphansStopTheSuccessorStopsWhatItFinds) {
  spec_.command =
      "export IGNORE_TERM=1; " + spec_.command;  // so the SIGKILL escalation is exercised too
  auto first = make(OrphanPolicy::kAdopt);
  ASSERT_TRUE(first);
  const Instance a = startRunning(*first);
  first.reset();

  auto second = make(OrphanPolicy::kStop);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->recoveryNotes().size(), 1u);
  EXPECT_NE(second->recoveryNotes()[0].find("stopping svc-1"), std::string::npos);
  ASSERT_EQ(second->instances().size(), 1u);
  EXPECT_EQ(second->instances()[0].state, InstanceState::kStopping);
  clock_.advance(5s);
  const auto exits = reapUntilEmpty(*second);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_TRUE(exits[0].expected);
  EXPECT_FALSE(isAlive(*a.pid));
}

TEST_F(ProcessRecoveryTest, AnInstanceBeingStoppedIsStoppedByTheSuccessorEvenWhenAdopting) {
  spec_.command = "export IGNORE_TERM=1; " + spec_.command;
  auto first = make(OrphanPolicy::kAdopt);
  ASSERT_TRUE(first);
  const Instance a = startRunning(*first);
  ASSERT_TRUE(first->stop(a.id));  // SIGTERM ignored: still there when we "crash"
  first.reset();

  auto second = make(OrphanPolicy::kAdopt);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->instances().size(), 1u);
  EXPECT_EQ(second->instances()[0].state, InstanceState::kStopping);
  clock_.advance(5s);
  const auto exits = reapUntilEmpty(*second);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_FALSE(isAlive(*a.pid));
}

TEST_F(ProcessRecoveryTest, AReusedPidIsNotAdoptedNorKilledAndDeadOnesAreDropped) {
  // A live process that is not the recorded one: same pid, different start time.
  auto stranger = spawnShell(SpawnRequest{.command = "exec sleep 30"});
  ASSERT_TRUE(stranger);
  reaper_.add(*stranger);
  const auto stat = readProcStat(*stranger);
  ASSERT_TRUE(stat);
  PersistedInstances record;
  record.nextIndex = 8;
  record.instances.push_back(
      {"svc-6", *stranger, 40001, "127.0.0.1", stat->startTicks + 12345, "old", 0, false});
  // A pid that cannot exist (above pid_max's ceiling).
  record.instances.push_back({"svc-7", 4194304 + 1, 40002, "127.0.0.1", 1, "old", 0, false});
  ASSERT_TRUE(std::filesystem::create_directories(dir_.path() / "data" / "instances"));
  ASSERT_TRUE(saveInstanceState(dir_.path() / "data" / "instances" / "svc.json", record));

  auto provider = make(OrphanPolicy::kStop);
  ASSERT_TRUE(provider);
  EXPECT_TRUE(provider->instances().empty());
  ASSERT_EQ(provider->recoveryNotes().size(), 2u);
  EXPECT_EQ(provider->recoveryNotes()[0],
            "dropped svc-6: pid " + std::to_string(*stranger) +
                " now belongs to another process (its start time differs)");
  EXPECT_EQ(provider->recoveryNotes()[1], "dropped svc-7: pid 4194305 is gone");
  EXPECT_TRUE(isAlive(*stranger));  // not ours: left alone even with orphans: stop
  auto state = loadInstanceState(provider->stateFilePath());
  ASSERT_TRUE(state);
  EXPECT_TRUE(state->instances.empty());
  EXPECT_EQ(state->nextIndex, 8u);  // numbering continues; ids are never reused
  auto next = provider->start();
  ASSERT_TRUE(next);
  reaper_.add(*next->pid);
  EXPECT_EQ(next->id, "svc-8");
}

TEST_F(ProcessRecoveryTest, AMalformedRecordIsAnErrorNotAFreshStart) {
  ASSERT_TRUE(std::filesystem::create_directories(dir_.path() / "data" / "instances"));
  {
    std::ofstream out(dir_.path() / "data" / "instances" / "svc.json");
    out << "{\"nextIndex\": 2, \"instances\": [{\"id\": ";
  }
  auto provider = ProcessProvider::create(spec_, "svc", dir_.path() / "data", clock_);
  ASSERT_FALSE(provider);
  EXPECT_NE(provider.error().message.find("svc.json is malformed"), std::string::npos)
      << provider.error().message;
}

}  // namespace
}  // namespace ballast::scaling
