#include "cache/backoff.h"

#include <gtest/gtest.h>

namespace ballast::cache {
namespace {

using namespace std::chrono_literals;

TEST(BackoffTest, DoublesUpToTheCapWithoutJitter) {
  core::SeededRandom random(1);
  Backoff backoff(100ms, 1000ms, random, 0.0);
  std::vector<int64_t> delays;
  for (int i = 0; i < 7; ++i) delays.push_back(backoff.next().count());
  EXPECT_EQ(delays, (std::vector<int64_t>{100, 200, 400, 800, 1000, 1000, 1000}));
  EXPECT_EQ(backoff.failures(), 7);
}

TEST(BackoffTest, ResetStartsOver) {
  core::SeededRandom random(1);
  Backoff backoff(50ms, 5000ms, random, 0.0);
  backoff.next();
  backoff.next();
  backoff.reset();
  EXPECT_EQ(backoff.next(), 50ms);
}

TEST(BackoffTest, JitterStaysWithinItsBand) {
  core::SeededRandom random(42);
  Backoff backoff(100ms, 400ms, random, 0.2);
  bool varied = false;
  core::Millis first = backoff.next();
  EXPECT_GE(first, 80ms);
  EXPECT_LE(first, 120ms);
  const core::Millis second = backoff.next();
  EXPECT_GE(second, 160ms);
  EXPECT_LE(second, 240ms);
  for (int i = 0; i < 200; ++i) {
    const core::Millis d = backoff.next();
    EXPECT_GE(d, 320ms);  // capped at 400 ms, then +/- 20%
    EXPECT_LE(d, 480ms);
    if (i > 2 && d != 400ms) varied = true;
  }
  EXPECT_TRUE(varied);
}

TEST(BackoffTest, ManyFailuresDoNotOverflow) {
  core::SeededRandom random(3);
  Backoff backoff(1ms, 5000ms, random, 0.0);
  for (int i = 0; i < 1000; ++i) backoff.next();
  EXPECT_EQ(backoff.next(), 5000ms);
}

}  // namespace
}  // namespace ballast::cache
