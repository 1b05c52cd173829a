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

EventRecord typed(const std::string& type, const std::string& service, const std::string& level,
                  const std::string& timestamp) {
  return {0, type, service, "", type + " " + service, level, timestamp};
}

TEST_F(EventLogTest, QueryFiltersByTypeServiceLevelAndSince) {
  EventLog log(store_->db());
  ASSERT_TRUE(log.append({typed("health", "api", "error", "2024-01-01T00:00:00.000Z"),
                          typed("server", "api", "info", "2024-01-02T00:00:00.000Z"),
                          typed("health", "web", "info", "2024-01-03T00:00:00.000Z"),
                          typed("health", "api", "info", "2024-01-04T00:00:00.000Z")}).has_value());
  EventQuery q;
  q.type = "health";
  auto health = log.query(q).value();
  ASSERT_EQ(health.size(), 3u);
  EXPECT_EQ(health[0].timestamp, "2024-01-04T00:00:00.000Z");  // newest first

  q.service = "api";
  EXPECT_EQ(log.query(q).value().size(), 2u);
  q.level = "error";
  EXPECT_EQ(log.query(q).value().size(), 1u);

  EventQuery since;
  since.since = "2024-01-02T00:00:00.000Z";  // inclusive
  EXPECT_EQ(log.query(since).value().size(), 3u);
}

TEST_F(EventLogTest, QueryPagesWithABeforeCursorOrAnOffset) {
  EventLog log(store_->db());
  for (int i = 1; i <= 7; ++i) ASSERT_TRUE(log.append(event(i)).has_value());
  EventQuery q;
  q.limit = 3;
  auto first = log.query(q).value();
  ASSERT_EQ(first.size(), 3u);
  q.beforeId = first.back().id;
  auto second = log.query(q).value();
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second.front().message, "event 4");
  q.beforeId = second.back().id;
  EXPECT_EQ(log.query(q).value().size(), 1u);

  EventQuery byOffset;
  byOffset.limit = 3;
  byOffset.offset = 3;
  EXPECT_EQ(log.query(byOffset).value().front().id, second.front().id);
}

TEST_F(EventLogTest, QueryResumesAfterAnIdOldestFirst) {
  EventLog log(store_->db());
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(log.append(event(i)).has_value());
  const auto all = log.list(10).value();
  EventQuery q;
  q.afterId = all[3].id;  // event 2
  q.oldestFirst = true;
  auto after = log.query(q).value();
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after.front().message, "event 3");
  EXPECT_EQ(after.back().message, "event 5");
  EXPECT_TRUE(q.matches(all[0]));
  EXPECT_FALSE(q.matches(all[4]));
}

TEST_F(EventLogTest, TheWrittenListenerSeesCommittedBatchesWithTheirIds) {
  EventLog log(store_->db());
  std::vector<EventRecord> seen;
  log.setWrittenListener([&seen](const std::vector<EventRecord>& written) {
    seen.insert(seen.end(), written.begin(), written.end());
  });
  log.record(event(1));
  log.record(event(2));
  ASSERT_TRUE(log.flush().has_value());
  ASSERT_TRUE(log.append(event(3)).has_value());
  ASSERT_EQ(seen.size(), 3u);
  const auto stored = log.list(10).value();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(seen[i].id, stored[2 - i].id);
    EXPECT_EQ(seen[i].message, stored[2 - i].message);
  }
  EXPECT_LT(seen[0].id, seen[1].id);

  // A failed write is not reported.
  ASSERT_TRUE(store_->db().exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END").has_value());
  log.record(event(4));
  EXPECT_FALSE(log.flush().has_value());
  EXPECT_EQ(seen.size(), 3u);
}

}  // namespace
