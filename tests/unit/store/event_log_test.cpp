// EventLog: appending, listing newest first, retention, the record/flush queue.
#include "store/event_log.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "temp_dir.h"

using namespace ballast::store;
using ballast::test_support::TempDir;

namespace {

EventRecord event(int n, const std::string& service = "api") {
  return {0, "server", service, "srv-" + std::to_string(n), "event " + std::to_string(n), "info",
          "2024-01-01T00:00:00.000Z"};
}

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::open(dir_.str());
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    store_ = std::move(*opened);
  }
  TempDir dir_{"ballast-event-log"};
  std::unique_ptr<Store> store_;
};

TEST_F(EventLogTest, ListsNewestFirstWithALimit) {
  EventLog log(store_->db());
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(log.append(event(i)).has_value());
  auto list = log.list(3).value();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].message, "event 5");
  EXPECT_EQ(list[2].message, "event 3");
  EXPECT_GT(list[0].id, list[1].id);
  EXPECT_EQ(list[0].serverId, "srv-5");
  EXPECT_EQ(list[0].service, "api");
  EXPECT_EQ(list[0].level, "info");
  EXPECT_EQ(list[0].timestamp, "2024-01-01T00:00:00.000Z");
}

TEST_F(EventLogTest, FiltersByService) {
  EventLog log(store_->db());
  ASSERT_TRUE(log.append({event(1, "api"), event(2, "web"), event(3, "api")}).has_value());
  auto list = log.list(10, std::string("web")).value();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].message, "event 2");
}

TEST_F(EventLogTest, KeepsOnlyTheNewestRetainedRows) {
  EventLog log(store_->db(), 4);
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(log.append(event(i)).has_value());
  auto list = log.list(100).value();
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list.front().message, "event 10");
  EXPECT_EQ(list.back().message, "event 7");
}

TEST_F(EventLogTest, RecordQueuesUntilFlush) {
  EventLog log(store_->db(), 3);
  for (int i = 1; i <= 5; ++i) log.record(event(i));
  EXPECT_EQ(log.queued(), 3u);  // the queue is bounded by the retention too
  EXPECT_TRUE(log.list(10).value().empty());
  EXPECT_EQ(log.flush().value(), 3u);
  EXPECT_EQ(log.queued(), 0u);
  auto list = log.list(10).value();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list.front().message, "event 5");
  EXPECT_EQ(log.flush().value(), 0u);
}

TEST_F(EventLogTest, AFailedFlushKeepsTheQueue) {
  EventLog log(store_->db());
  log.record(event(1));
  ASSERT_TRUE(store_->db().exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END").has_value());
  EXPECT_FALSE(log.flush().has_value());
  EXPECT_EQ(log.queued(), 1u);
  ASSERT_TRUE(store_->db().exec("DROP TRIGGER refuse").has_value());
  EXPECT_EQ(log.flush().value(), 1u);
}

TEST_F(EventLogTest, SurvivesReopening) {
  {
    EventLog log(store_->db());
    ASSERT_TRUE(log.append(event(1)).has_value());
  }
  store_.reset();
  auto reopened = Store::open(dir_.str());
  ASSERT_TRUE(reopened.has_value());
  EventLog log((*reopened)->db());
  auto list = log.list(10).value();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].message, "event 1");
}

}  // namespace
