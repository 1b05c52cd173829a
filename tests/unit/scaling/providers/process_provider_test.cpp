#include "scaling/providers/process_provider.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <thread>

#include "test_support.h"

namespace ballast::scaling {
namespace {

using namespace std::chrono_literals;
using testing::isAlive;
using testing::readFile;
using testing::waitUntil;

class ProcessProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    listener_ = testing::writeListenerScript(dir_.path());
  }

  ProcessProviderSpec listenerSpec(const std::string& env = "") const {
    ProcessProviderSpec spec;
    spec.command = env + "exec python3 " + listener_.string() + " {port}";
    spec.startupTimeout = 10000;
    spec.stopGracePeriod = 10000;
    return spec;
  }

  std::unique_ptr<ProcessProvider> make(ProcessProviderSpec spec, core::Clock& clock,
                                        const std::string& service = "svc") {
    auto provider = ProcessProvider::create(std::move(spec), service, dir_.path() / "data", clock);
    EXPECT_TRUE(provider.has_value()) << (provider ? "" : provider.error().message);
    return provider ? std::move(*provider) : nullptr;
  }

  Instance startTracked(ProcessProvider& provider) {
    auto instance = provider.start();
    EXPECT_TRUE(instance.has_value()) << (instance ? "" : instance.error().message);
    if (!instance) return {};
    reaper_.add(*instance->pid);
    return *instance;
  }

  static std::optional<InstanceState> stateOf(const ProcessProvider& provider,
                                              const std::string& id) {
    for (const auto& i : provider.instances()) {
      if (i.id == id) return i.state;
    }
    return std::nullopt;
  }

  // Reaps until `id` is running (or gone); exits seen meanwhile go to exits_.
  bool waitRunning(ProcessProvider& provider, const std::string& id) {
    return waitUntil(
        [&] {
          for (auto& e : provider.reap()) exits_.push_back(std::move(e));
          return stateOf(provider, id) == InstanceState::kRunning;
        },
        10s);
  }

  std::optional<InstanceExit> waitExit(ProcessProvider& provider, const std::string& id,
                                       std::chrono::milliseconds timeout = 10s) {
    std::optional<InstanceExit> found;
    waitUntil(
        [&] {
          for (auto& e : provider.reap()) {
            if (e.instance.id == id)
              found = e;
            else
              exits_.push_back(std::move(e));
          }
          return found.has_value();
        },
        timeout);
    return found;
  }

  testing::TempDir dir_;
  testing::ProcessReaper reaper_;  // declared after dir_: kills before the directory goes
  std::filesystem::path listener_;
  std::vector<InstanceExit> exits_;
};

TEST_F(ProcessProviderTest, BackendBecomesRunningWhenItsPortListensAndStopsOnSigterm) {
  core::SystemClock clock;
  ProcessProviderSpec spec;
  spec.command =
      "echo \"instance={instance} port={port} greeting=$GREETING dir=$(pwd) PORT=$PORT "
      "jwt=${JWT_SECRET:-withheld}\"; exec python3 " +
      std::string(BALLAST_BACKEND_SCRIPT) + " --port {port} --name {instance}";
  spec.environment = {{"GREETING", "hello-{instance}"}};
  spec.workingDirectory = dir_.path().string();
  auto provider = make(spec, clock);
  ASSERT_TRUE(provider);
  ::setenv("JWT_SECRET", "ballast-only-secret", 1);  // ballast's secret must not reach instances
  const Instance started = startTracked(*provider);
  ::unsetenv("JWT_SECRET");
  EXPECT_EQ(started.id, "svc-1");
  EXPECT_EQ(started.state, InstanceState::kStarting);
  EXPECT_EQ(started.host, "127.0.0.1");
  ASSERT_GT(started.port, 0);
  ASSERT_TRUE(waitRunning(*provider, started.id));

  // The log holds our header line, the substituted echo and the backend's own output.
  const auto log = provider->logPath(started.id);
  ASSERT_TRUE(waitUntil(
      [&] { return readFile(log).find("listening 127.0.0.1") != std::string::npos; }, 10s))
      << readFile(log);
  const std::string text = readFile(log);
  EXPECT_NE(text.find("instance=svc-1 port=" + std::to_string(started.port) +
                      " greeting=hello-svc-1 dir=" + dir_.path().string() +
                      " PORT=" + std::to_string(started.port) + " jwt=withheld"),
            std::string::npos)
      << text;
  struct stat st {};
  ASSERT_EQ(::stat(log.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(log.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  ASSERT_TRUE(provider->stop(started.id));
  EXPECT_EQ(stateOf(*provider, started.id), InstanceState::kStopping);
  auto exit = waitExit(*provider, started.id);
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->expected);
  EXPECT_EQ(exit->description,
            "exited with status 0");  // the backend drains and exits 0 on SIGTERM
  EXPECT_EQ(exit->instance.state, InstanceState::kExited);
  EXPECT_TRUE(provider->instances().empty());
  EXPECT_FALSE(isAlive(*started.pid));
  EXPECT_NE(readFile(log).find("svc-1 exited with status 0"), std::string::npos);
  EXPECT_TRUE(exits_.empty());
}

TEST_F(ProcessProviderTest, ProcessIgnoringSigtermIsKilledAfterTheGracePeriod) {
  core::SimulatedClock clock;
  auto spec = listenerSpec("export IGNORE_TERM=1; ");
  spec.stopGracePeriod = 5000;
  auto provider = make(spec, clock);
  ASSERT_TRUE(provider);
  const Instance started = startTracked(*provider);
  ASSERT_TRUE(waitRunning(*provider, started.id));

  ASSERT_TRUE(provider->stop(started.id));
  // Within the grace period it lives on (SIGTERM ignored) and nothing is reported.
  clock.advance(4999ms);
  EXPECT_FALSE(waitExit(*provider, started.id, 300ms));
  EXPECT_TRUE(isAlive(*started.pid));
  clock.advance(1ms);
  auto exit = waitExit(*provider, started.id);
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->expected);
  EXPECT_EQ(exit->description, "killed by signal 9 (Killed)");
}

TEST_F(ProcessProviderTest, CrashIsReportedByReapWithItsStatus) {
  core::SystemClock clock;
  auto provider = make(listenerSpec("export EXIT_AFTER=0.3 EXIT_CODE=3; "), clock);
  ASSERT_TRUE(provider);
  const Instance started = startTracked(*provider);
  auto exit = waitExit(*provider, started.id);
  ASSERT_TRUE(exit);
  EXPECT_FALSE(exit->expected);
  EXPECT_EQ(exit->description, "exited with status 3");
  EXPECT_TRUE(provider->instances().empty());
}

TEST_F(ProcessProviderTest, KilledBySignalIsDescribed) {
  core::SystemClock clock;
  auto provider = make(listenerSpec(), clock);
  ASSERT_TRUE(provider);
  const Instance started = startTracked(*provider);
  ASSERT_TRUE(waitRunning(*provider, started.id));
  ::kill(*started.pid, SIGSEGV);
  auto exit = waitExit(*provider, started.id);
  ASSERT_TRUE(exit);
  EXPECT_FALSE(exit->expected);
  EXPECT_NE(exit->description.find("killed by signal 11"), std::string::npos) << exit->description;
}

TEST_F(ProcessProviderTest, InstanceNotListeningWithinStartupTimeoutIsKilledAndReported) {
  core::SimulatedClock clock;
  auto spec = listenerSpec("export NO_LISTEN=1; ");
  spec.startupTimeout = 500;
  auto provider = make(spec, clock);
  ASSERT_TRUE(provider);
  const Instance started = startTracked(*provider);
  EXPECT_FALSE(waitExit(*provider, started.id, 300ms));
  EXPECT_EQ(stateOf(*provider, started.id), InstanceState::kStarting);
  clock.advance(500ms);
  auto exit = waitExit(*provider, started.id);
  ASSERT_TRUE(exit);
  EXPECT_FALSE(exit->expected);
  EXPECT_EQ(exit->description,
            "did not accept connections on 127.0.0.1:" + std::to_string(started.port) +
                " within 500 ms (killed by signal 9 (Killed))");
}

TEST_F(ProcessProviderTest, UsageSeesTheCpuOfABusyProcessAndItsMemory) {
  core::SystemClock clock;
  auto provider = make(listenerSpec("export BUSY=1; "), clock);
  ASSERT_TRUE(provider);
  const Instance started = startTracked(*provider);
  ASSERT_TRUE(waitRunning(*provider, started.id));
  std::optional<InstanceUsage> usage;
  const double cores = static_cast<double>(std::thread::hardware_concurrency());
  // Samples 200 ms apart until one interval shows the spinning thread.
  const bool busy = waitUntil(
      [&] {
        std::this_thread::sleep_for(200ms);
        usage = provider->usage(started.id);
        return usage && usage->cpuPercent > 10;
      },
      10s);
  ASSERT_TRUE(busy) << (usage ? usage->cpuPercent : -1);
  EXPECT_LE(usage->cpuPercent, cores * 100 + 20);
  EXPECT_GT(usage->residentBytes, 1u << 20);
  EXPECT_FALSE(provider->usage("svc-404"));
}

TEST_F(ProcessProviderTest, IdleProcessUsesLittleCpu) {
  core::SystemClock clock;
  auto provider = make(listenerSpec(), clock);
  ASSERT_TRUE(provider);
  const Instance started = startTracked(*provider);
  ASSERT_TRUE(waitRunning(*provider, started.id));
  ASSERT_TRUE(provider->usage(started.id));
  std::this_thread::sleep_for(300ms);  // a measuring interval, not a wait for a condition
  auto usage = provider->usage(started.id);
  ASSERT_TRUE(usage);
  EXPECT_LT(usage->cpuPercent, 30);
}

TEST_F(ProcessProviderTest, PortsComeFromThePortRangeSkippingBusyOnes) {
  core::SystemClock clock;
  // Find four consecutive free ports by asking the kernel for one and probing upwards.
  auto base = pickFreePort("127.0.0.1", std::nullopt, {}, 0);
  ASSERT_TRUE(base);
  const int lo = std::min(*base, 65000);
  auto spec = listenerSpec();
  spec.portRange = std::pair{lo, lo + 3};
  auto provider = make(spec, clock);
  ASSERT_TRUE(provider);
  const Instance a = startTracked(*provider);
  const Instance b = startTracked(*provider);
  EXPECT_GE(a.port, lo);
  EXPECT_LE(b.port, lo + 3);
  EXPECT_NE(a.port, b.port);
  EXPECT_EQ(b.id, "svc-2");
  ASSERT_TRUE(waitRunning(*provider, a.id));
  ASSERT_TRUE(waitRunning(*provider, b.id));
}

TEST_F(ProcessProviderTest, RefusesUnknownIdsAndReportsSpawnFailures) {
  core::SystemClock clock;
  auto provider = make(listenerSpec(), clock);
  ASSERT_TRUE(provider);
  auto stopped = provider->stop("svc-9");
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, core::ErrorCode::kNotFound);

  auto spec = listenerSpec();
  spec.workingDirectory = (dir_.path() / "missing").string();
  auto broken = make(spec, clock, "broken");
  ASSERT_TRUE(broken);
  auto started = broken->start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("working directory"), std::string::npos)
      << started.error().message;
  EXPECT_TRUE(broken->instances().empty());
}

TEST_F(ProcessProviderTest, ShellExitsWithoutListeningIsACrash) {
  core::SystemClock clock;
  ProcessProviderSpec spec;
  spec.command = "echo oops >&2; exit 7";
  auto provider = make(spec, clock);
  ASSERT_TRUE(provider);
  const Instance started = startTracked(*provider);
  auto exit = waitExit(*provider, started.id);
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->description, "exited with status 7");
  EXPECT_NE(readFile(provider->logPath(started.id)).find("oops"), std::string::npos);
}

}  // namespace
}  // namespace ballast::scaling
