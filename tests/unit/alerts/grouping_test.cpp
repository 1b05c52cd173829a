// alerts::AlertGroups and the grouped Notifier, on the simulated clock:
// group_by, group_wait, group_interval, repeat_interval, and resolved alerts
// that go out once (only when they had been notified firing).
#include "alerts/grouping.h"

#include <gtest/gtest.h>

#include "alerts/notifier.h"
#include "core/json.h"
#include "fake_transport.h"

namespace ballast::alerts {
namespace {

using namespace std::chrono_literals;

Alert alert(std::string name, std::string service, AlertState state = AlertState::kFiring) {
  Alert a;
  a.fingerprint = name + "/" + service;
  a.labels = {{"alertname", name}, {"service", service}, {"severity", "warning"}};
  a.annotations = {{"summary", name + " on " + service}};
  a.state = state;
  return a;
}

GroupingConfig grouping(std::vector<std::string> by = {"alertname"}, std::chrono::milliseconds repeat = 0ms) {
  return GroupingConfig{std::move(by), 30s, 5min, repeat};
}

std::vector<std::string> fingerprints(const GroupNotification& n) {
  std::vector<std::string> out;
  for (const auto& a : n.alerts) out.push_back(a.fingerprint + (a.state == AlertState::kResolved ? ":resolved" : ""));
  return out;
}

class AlertGroupsTest : public ::testing::Test {
 protected:
  core::SimulatedClock clock_;
};

TEST_F(AlertGroupsTest, AlertsStartingTogetherGoOutTogetherAfterGroupWait) {
  AlertGroups groups(grouping());
  groups.add(alert("Down", "web"), clock_.now());
  clock_.advance(10s);
  groups.add(alert("Down", "api"), clock_.now());
  groups.add(alert("Slow", "web"), clock_.now());
  EXPECT_TRUE(groups.due(clock_.now()).empty());
  clock_.advance(19999ms);
  EXPECT_TRUE(groups.due(clock_.now()).empty());
  clock_.advance(1ms);  // 30 s after the first "Down"
  auto sent = groups.due(clock_.now());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].groupKey, "{}:{alertname=\"Down\"}");
  EXPECT_EQ(sent[0].groupLabels, (Labels{{"alertname", "Down"}}));
  EXPECT_EQ(fingerprints(sent[0]), (std::vector<std::string>{"Down/api", "Down/web"}));
  clock_.advance(10s);  // "Slow" started 10 s after "Down": its own group, its own wait
  sent = groups.due(clock_.now());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(fingerprints(sent[0]), (std::vector<std::string>{"Slow/web"}));
}

TEST_F(AlertGroupsTest, ChangesWaitForGroupIntervalAndNothingIsSentTwice) {
  AlertGroups groups(grouping());
  groups.add(alert("Down", "web"), clock_.now());
  clock_.advance(30s);
  ASSERT_EQ(groups.due(clock_.now()).size(), 1u);
  clock_.advance(1min);
  groups.add(alert("Down", "web"), clock_.now());  // the same state again: nothing new
  EXPECT_FALSE(groups.nextDue().has_value());
  groups.add(alert("Down", "api"), clock_.now());
  EXPECT_EQ(*groups.nextDue(), clock_.now() + 4min);  // 5 min after the last notification
  clock_.advance(4min - 1ms);
  EXPECT_TRUE(groups.due(clock_.now()).empty());
  clock_.advance(1ms);
  auto sent = groups.due(clock_.now());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(fingerprints(sent[0]), (std::vector<std::string>{"Down/api", "Down/web"}));
  clock_.advance(24h);
  EXPECT_TRUE(groups.due(clock_.now()).empty());  // repeatInterval 0: never again
}

TEST_F(AlertGroupsTest, AResolvedAlertGoesOutOnceThenTheEmptyGroupIsForgotten) {
  AlertGroups groups(grouping());
  groups.add(alert("Down", "web"), clock_.now());
  groups.add(alert("Down", "api"), clock_.now());
  clock_.advance(30s);
  ASSERT_EQ(groups.due(clock_.now()).size(), 1u);
  groups.add(alert("Down", "web", AlertState::kResolved), clock_.now());
  clock_.advance(5min);
  auto sent = groups.due(clock_.now());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(fingerprints(sent[0]), (std::vector<std::string>{"Down/api", "Down/web:resolved"}));
  groups.add(alert("Down", "api", AlertState::kResolved), clock_.now());
  clock_.advance(5min);
  sent = groups.due(clock_.now());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(fingerprints(sent[0]), (std::vector<std::string>{"Down/api:resolved"}));
  EXPECT_EQ(groups.groups(), 0u);
}

TEST_F(AlertGroupsTest, AnAlertResolvedBeforeItsGroupWasNotifiedIsNeverSent) {
  AlertGroups groups(grouping());
  groups.add(alert("Blip", "web"), clock_.now());
  clock_.advance(5s);
  groups.add(alert("Blip", "web", AlertState::kResolved), clock_.now());
  clock_.advance(1h);
  EXPECT_TRUE(groups.due(clock_.now()).empty());
  EXPECT_EQ(groups.groups(), 0u);
}

TEST_F(AlertGroupsTest, FiringGroupsAreRepeatedEveryRepeatInterval) {
  AlertGroups groups(grouping({"alertname"}, 4h));
  groups.add(alert("Down", "web"), clock_.now());
  clock_.advance(30s);
  ASSERT_EQ(groups.due(clock_.now()).size(), 1u);
  clock_.advance(4h - 1ms);
  EXPECT_TRUE(groups.due(clock_.now()).empty());
  clock_.advance(1ms);
  auto sent = groups.due(clock_.now());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(fingerprints(sent[0]), (std::vector<std::string>{"Down/web"}));
}

TEST_F(AlertGroupsTest, GroupByEverythingOrNothing) {
  AlertGroups alone(grouping({"..."}));
  alone.add(alert("Down", "web"), clock_.now());
  alone.add(alert("Down", "api"), clock_.now());
  clock_.advance(30s);
  EXPECT_EQ(alone.due(clock_.now()).size(), 2u);
  AlertGroups together(grouping({}));
  together.add(alert("Down", "web"), clock_.now());
  together.add(alert("Slow", "api"), clock_.now());
  clock_.advance(30s);
  auto sent = together.due(clock_.now());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].groupKey, "{}:{}");
  EXPECT_EQ(sent[0].alerts.size(), 2u);
}

TEST_F(AlertGroupsTest, AGroupedNotifierSendsOneWebhookPerGroupWithCommonLabels) {
  testing::FakeTransport transport;
  NotifierConfig config{.webhooks = {{"http://127.0.0.1:9/hook", {}}}, .externalUrl = "http://ballast:3006"};
  config.grouping = grouping({"alertname"});
  Notifier notifier(clock_, transport, config);
  notifier.enqueue(alert("Down", "web"));
  notifier.enqueue(alert("Down", "api"));
  EXPECT_EQ(notifier.pump(), 0u);  // group_wait
  clock_.advance(30s);
  EXPECT_EQ(notifier.pump(), 1u);
  ASSERT_EQ(transport.delivered.size(), 1u);
  auto body = core::Json::parse(transport.delivered[0].body);
  EXPECT_EQ(body["version"], "4");
  EXPECT_EQ(body["status"], "firing");
  EXPECT_EQ(body["groupKey"], "{}:{alertname=\"Down\"}");
  EXPECT_EQ(body["groupLabels"], (core::Json{{"alertname", "Down"}}));
  EXPECT_EQ(body["commonLabels"], (core::Json{{"alertname", "Down"}, {"severity", "warning"}}));
  EXPECT_EQ(body["commonAnnotations"], core::Json::object());
  EXPECT_EQ(body["alerts"].size(), 2u);
  clock_.advance(1h);
  EXPECT_EQ(notifier.pump(), 0u);  // nothing new
}

}  // namespace
}  // namespace ballast::alerts
