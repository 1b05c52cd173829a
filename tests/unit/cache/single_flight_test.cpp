#include "cache/single_flight.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"

namespace ballast::cache {
namespace {

constexpr int kThreads = 8;

// Spins until `done()` or a generous real-time deadline (a safety net so a bug
// fails the test instead of hanging it). Returns done().
template <typename Pred>
bool waitFor(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  return done();
}

// Runs `call` on kThreads threads at once and joins them.
template <typename Call>
void onAllThreads(Call call) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back([&call, t] { call(t); });
  for (auto& thread : threads) thread.join();
}

TEST(SingleFlight, ConcurrentCallersShareOneRun) {
  using Value = core::Result<std::string>;
  SingleFlight<std::string, Value> group;
  std::atomic<int> runs{0};
  std::vector<Value> results(kThreads);
  onAllThreads([&](int t) {
    results[static_cast<size_t>(t)] = group.run("k", [&]() -> Value {
      ++runs;
      // Hold the run open until every other caller has joined it.
      EXPECT_TRUE(waitFor([&] { return group.waiting("k") == kThreads - 1; }));
      return std::string("loaded");
    });
  });
  EXPECT_EQ(runs.load(), 1);
  for (const Value& result : results) EXPECT_EQ(result.value(), "loaded");
  EXPECT_EQ(group.inFlight(), 0u);
}

TEST(SingleFlight, ErrorReachesEveryCaller) {
  using Value = core::Result<std::string>;
  SingleFlight<std::string, Value> group;
  std::atomic<int> runs{0};
  std::vector<Value> results(kThreads);
  onAllThreads([&](int t) {
    results[static_cast<size_t>(t)] = group.run("k", [&]() -> Value {
      ++runs;
      EXPECT_TRUE(waitFor([&] { return group.waiting("k") == kThreads - 1; }));
      return core::fail(core::ErrorCode::kBadGateway, "origin down");
    });
  });
  EXPECT_EQ(runs.load(), 1);
  for (const Value& result : results) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, core::ErrorCode::kBadGateway);
  }
}

TEST(SingleFlight, ExceptionIsRethrownInEveryCaller) {
  SingleFlight<int, int> group;
  std::atomic<int> runs{0};
  std::atomic<int> caught{0};
  onAllThreads([&](int) {
    try {
      group.run(1, [&]() -> int {
        ++runs;
        EXPECT_TRUE(waitFor([&] { return group.waiting(1) == kThreads - 1; }));
        throw std::runtime_error("boom");
      });
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "boom");
      ++caught;
    }
  });
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(caught.load(), kThreads);
}

TEST(SingleFlight, NextCallAfterCompletionRunsAgain) {
  SingleFlight<std::string, int> group;
  int runs = 0;
  EXPECT_EQ(group.run("k", [&] { return ++runs; }), 1);
  EXPECT_EQ(group.run("k", [&] { return ++runs; }), 2);
  EXPECT_EQ(group.waiting("k"), 0u);
}

TEST(SingleFlight, DifferentKeysRunIndependently) {
  SingleFlight<std::string, int> group;
  // A run may start another key's run from inside itself.
  const int result = group.run("outer", [&] {
    EXPECT_EQ(group.inFlight(), 1u);
    return group.run("inner", [&] { return static_cast<int>(group.inFlight()); }) * 10;
  });
  EXPECT_EQ(result, 20);
}

}  // namespace
}  // namespace ballast::cache
