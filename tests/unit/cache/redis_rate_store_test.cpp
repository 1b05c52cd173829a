// The rate-limit Lua script against a real redis-server (started here on a
// free loopback port; skipped when redis-server is not installed), and the
// fallback to memory when Redis cannot be reached.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "cache/redis_rate_store.h"
#include "core/clock.h"

#include "loopback_port.h"

namespace ballast::cache {
namespace {

using namespace std::chrono_literals;

int freePort() { return test_support::releasedLoopbackPort(); }

std::string redisServerPath() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/usr/sbin"}) {
    const std::string path = std::string(dir) + "/redis-server";
    if (std::filesystem::exists(path)) return path;
  }
  return {};
}

// One redis-server child process for a test.
class RedisProcess {
 public:
  explicit RedisProcess(int port) : port_(port) {
    const std::string path = redisServerPath();
    if (path.empty()) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string portText = std::to_string(port);
      ::execl(path.c_str(), "redis-server", "--port", portText.c_str(), "--bind", "127.0.0.1",
              "--save", "", "--appendonly", "no", "--logfile", "/dev/null",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~RedisProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool started() const { return pid_ > 0; }
  // Polls (bounded) until it answers.
  bool waitReady() const {
    for (int i = 0; i < 200; ++i) {
      if (RedisConnection::open({"127.0.0.1", port_, "", 200ms, 200ms})) return true;
      std::this_thread::sleep_for(25ms);
    }
    return false;
  }

 private:
  int port_;
  pid_t pid_ = -1;
};

RedisRateStore::Options optionsFor(int port) {
  RedisRateStore::Options options;
  options.endpoint = {"127.0.0.1", port, "", 200ms, 200ms};
  options.keyPrefix = "test:ratelimit:";
  return options;
}

TEST(RedisRateStoreTest, ScriptEnforcesBurstAndIsSharedBetweenStores) {
  if (redisServerPath().empty()) GTEST_SKIP() << "redis-server is not installed";
  const int port = freePort();
  RedisProcess redis(port);
  ASSERT_TRUE(redis.started());
  ASSERT_TRUE(redis.waitReady());
  security::MemoryRateStore memoryA(core::SystemClock::instance(), 1000);
  security::MemoryRateStore memoryB(core::SystemClock::instance(), 1000);
  std::atomic<int> downs{0};
  auto listener = [&downs](bool up, const std::string&) { downs += up ? 0 : 1; };
  RedisRateStore a(optionsFor(port), memoryA, core::FastRandom::instance(), listener);
  RedisRateStore b(optionsFor(port), memoryB, core::FastRandom::instance(), listener);
  a.start();
  b.start();
  ASSERT_TRUE(a.up());
  security::RatePolicy policy{"p", 60000, 5};
  // Two "nodes" alternate on one key: five allowed in all, then refusals.
  for (int i = 0; i < 5; ++i) {
    auto d = (i % 2 == 0 ? a : b).take("k", policy);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.remaining, 4 - i);
    EXPECT_EQ(d.limit, 5);
  }
  auto refused = b.take("k", policy);
  EXPECT_FALSE(refused.allowed);
  EXPECT_GE(refused.retryAfterMs, 11000);  // about 12 s: one request's share of the window
  EXPECT_LE(refused.retryAfterMs, 12001);
  EXPECT_FALSE(a.take("k", policy).allowed);
  // Other keys are independent; the memory stores were never used.
  EXPECT_TRUE(a.take("other", policy).allowed);
  EXPECT_EQ(memoryA.size(), 0u);
  EXPECT_EQ(memoryB.size(), 0u);
  // The script survives SCRIPT FLUSH (EVAL fallback on NOSCRIPT).
  auto connection = RedisConnection::open({"127.0.0.1", port, "", 200ms, 200ms});
  ASSERT_TRUE(connection.has_value());
  ASSERT_TRUE((*connection)->command({"SCRIPT", "FLUSH"}).has_value());
  EXPECT_FALSE(a.take("k", policy).allowed);
  EXPECT_TRUE(a.take("third", policy).allowed);
  // The key expires on its own.
  auto ttl = (*connection)->command({"PTTL", "test:ratelimit:k"});
  ASSERT_TRUE(ttl.has_value());
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 60001);
  EXPECT_EQ(downs.load(), 0);
}

TEST(RedisRateStoreTest, UnreachableRedisFallsBackToMemoryAndSaysSo) {
  security::MemoryRateStore memory(core::SystemClock::instance(), 1000);
  std::atomic<int> downs{0};
  RedisRateStore store(optionsFor(freePort()), memory, core::FastRandom::instance(),
                       [&downs](bool up, const std::string&) { downs += up ? 0 : 1; });
  store.start();
  EXPECT_FALSE(store.up());
  EXPECT_EQ(downs.load(), 1);
  security::RatePolicy policy{"p", 60000, 2};
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(store.take("k", policy).allowed);
  EXPECT_TRUE(store.take("k", policy).allowed);
  EXPECT_FALSE(store.take("k", policy).allowed);  // limited, in memory: never fails open
  EXPECT_LT(std::chrono::steady_clock::now() - started,
            50ms);  // no network on the request path while down
  EXPECT_EQ(memory.size(), 1u);
}

}  // namespace
}  // namespace ballast::cache
