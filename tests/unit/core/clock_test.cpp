#include "core/clock.h"

#include <gtest/gtest.h>

#include <vector>

using namespace std::chrono_literals;
using ballast::core::SimulatedClock;

TEST(SimulatedClock, MovesOnlyWhenAdvanced) {
  SimulatedClock clock;
  const auto start = clock.now();
  EXPECT_EQ(clock.now(), start);
  clock.advance(1500ms);
  EXPECT_EQ(clock.now() - start, 1500ms);
  EXPECT_EQ(clock.nowMillis() - std::chrono::duration_cast<std::chrono::milliseconds>(
                                     start.time_since_epoch()).count(),
            1500);
}

TEST(SimulatedClock, FiresDueTimersInOrderAtTheirTime) {
  SimulatedClock clock;
  const auto start = clock.now();
  std::vector<std::pair<int, std::chrono::nanoseconds>> fired;
  clock.schedule(300ms, [&] { fired.push_back({3, clock.now() - start}); });
  clock.schedule(100ms, [&] { fired.push_back({1, clock.now() - start}); });
  clock.schedule(200ms, [&] { fired.push_back({2, clock.now() - start}); });
  clock.advance(250ms);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0].first, 1);
  EXPECT_EQ(fired[0].second, 100ms);
  EXPECT_EQ(fired[1].first, 2);
  EXPECT_EQ(fired[1].second, 200ms);
  EXPECT_EQ(clock.pendingTimers(), 1u);
  clock.advance(50ms);
  EXPECT_EQ(fired.size(), 3u);
}

TEST(SimulatedClock, TimerMayScheduleAnotherThatFallsDueInTheSameAdvance) {
  SimulatedClock clock;
  int count = 0;
  std::function<void()> tick = [&] {
    ++count;
    clock.schedule(10ms, tick);
  };
  clock.schedule(10ms, tick);
  clock.advance(100ms);
  EXPECT_EQ(count, 10);
}

TEST(SimulatedClock, CancelledTimerDoesNotFire) {
  SimulatedClock clock;
  bool fired = false;
  auto id = clock.schedule(10ms, [&] { fired = true; });
  EXPECT_TRUE(clock.cancel(id));
  EXPECT_FALSE(clock.cancel(id));
  clock.advance(1s);
  EXPECT_FALSE(fired);
}

TEST(SimulatedClock, WallTimeAdvancesWithMonotonicTime) {
  SimulatedClock clock;
  const auto wall = clock.wallNow();
  clock.advance(2s);
  EXPECT_EQ(clock.wallNow() - wall, 2s);
}
