// EventBus: fan-out to every subscription in order, wake callbacks, dropped
// subscriptions forgotten, bounded queues that report overflow.
#include "telemetry/event_bus.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

using namespace ballast::telemetry;

TEST(EventBus, EverySubscriberGetsEveryEventInOrder) {
  EventBus<int> bus;
  auto a = bus.subscribe();
  auto b = bus.subscribe();
  for (int i = 1; i <= 3; ++i) bus.publish(i);
  std::vector<int> got;
  EXPECT_TRUE(a->take(got));
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3}));
  got.clear();
  EXPECT_TRUE(b->take(got));
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3}));
  got.clear();
  EXPECT_TRUE(a->take(got));
  EXPECT_TRUE(got.empty());
}

TEST(EventBus, ASubscriberSeesOnlyEventsAfterItSubscribed) {
  EventBus<std::string> bus;
  bus.publish("before");
  auto s = bus.subscribe();
  bus.publish("after");
  std::vector<std::string> got;
  s->take(got);
  EXPECT_EQ(got, (std::vector<std::string>{"after"}));
}

TEST(EventBus, WakesTheSubscriberOnEachPublish) {
  EventBus<int> bus;
  auto s = bus.subscribe();
  int wakes = 0;
  s->setWake([&wakes] { ++wakes; });
  bus.publish(1);
  bus.publish(2);
  EXPECT_EQ(wakes, 2);
  EXPECT_EQ(s->queued(), 2u);
}

TEST(EventBus, ABatchIsQueuedInOrderWithOneWake) {
  EventBus<int> bus;
  auto s = bus.subscribe();
  int wakes = 0;
  s->setWake([&wakes] { ++wakes; });
  const std::vector<int> batch{4, 5, 6};
  bus.publish(batch);
  bus.publish(std::vector<int>{});
  EXPECT_EQ(wakes, 1);
  std::vector<int> got;
  s->take(got);
  EXPECT_EQ(got, batch);
}

TEST(EventBus, DroppedSubscriptionsAreForgotten) {
  EventBus<int> bus;
  auto kept = bus.subscribe();
  {
    auto dropped = bus.subscribe();
    EXPECT_EQ(bus.subscribers(), 2u);
  }
  EXPECT_EQ(bus.subscribers(), 1u);
  bus.publish(7);  // must not touch the dropped one
  EXPECT_EQ(kept->queued(), 1u);
}

TEST(EventBus, ASlowSubscriberOverflowsWithoutHoldingOthersBack) {
  EventBus<int> bus(2);
  auto slow = bus.subscribe();
  auto fast = bus.subscribe();
  std::vector<int> got;
  for (int i = 1; i <= 3; ++i) {
    bus.publish(i);
    fast->take(got);
  }
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3}));
  got.clear();
  EXPECT_FALSE(slow->take(got));  // 3 was dropped
  EXPECT_EQ(got, (std::vector<int>{1, 2}));
  EXPECT_FALSE(slow->take(got));  // and it stays reported
}

TEST(EventBus, ConcurrentPublishersAndSubscribers) {
  EventBus<int> bus(100000);
  auto s = bus.subscribe();
  std::atomic<int> wakes{0};
  s->setWake([&wakes] { wakes.fetch_add(1); });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&bus] {
      for (int i = 0; i < 5000; ++i) bus.publish(i);
    });
  }
  // Subscriptions come and go meanwhile.
  threads.emplace_back([&bus] {
    for (int i = 0; i < 1000; ++i) auto transient = bus.subscribe();
  });
  size_t received = 0;
  std::vector<int> got;
  for (auto& t : threads) t.join();
  EXPECT_TRUE(s->take(got));
  received += got.size();
  EXPECT_EQ(received, 20000u);
  EXPECT_EQ(wakes.load(), 20000);
}
