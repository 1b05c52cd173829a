#include "alerts/notifier.h"

#include <gtest/gtest.h>

#include "alerts/payload.h"
#include "fake_transport.h"

namespace ballast::alerts {
namespace {

using std::chrono::milliseconds;
using testing::FakeTransport;

Alert firingAlert() {
  return Alert{.id = "alert-1", .ruleId = "down", .fingerprint = "0123456789abcdef",
               .labels = {{"alertname", "ServerUnhealthy"}, {"severity", "warning"}, {"service", "web"}},
               .annotations = {{"summary", "down"}}, .state = AlertState::kFiring};
}

class NotifierTest : public ::testing::Test {
 protected:
  NotifierConfig config(int maxAttempts = 4) {
    return NotifierConfig{.webhooks = {{"http://127.0.0.1:9/hook", {{"Authorization", "Bearer x"}}}},
                          .externalUrl = "http://ballast:8080", .maxAttempts = maxAttempts,
                          .initialBackoff = milliseconds(100), .maxBackoff = milliseconds(250)};
  }
  core::SimulatedClock clock_;
  FakeTransport transport_;
};

TEST_F(NotifierTest, DeliversOnceInWebhookFormat) {
  Notifier notifier(clock_, transport_, config());
  notifier.enqueue(firingAlert());
  EXPECT_EQ(notifier.pump(), 1u);
  EXPECT_EQ(notifier.pump(), 0u);
  ASSERT_EQ(transport_.posts.size(), 1u);
  EXPECT_EQ(transport_.posts[0].url, "http://127.0.0.1:9/hook");
  EXPECT_EQ(transport_.posts[0].headers.at(0).second, "Bearer x");
  auto body = core::Json::parse(transport_.posts[0].body);
  EXPECT_EQ(body["version"], "4");
  EXPECT_EQ(body["status"], "firing");
  EXPECT_EQ(body["receiver"], "ballast");
  EXPECT_EQ(body["groupLabels"]["alertname"], "ServerUnhealthy");
  EXPECT_EQ(body["commonLabels"]["service"], "web");
  EXPECT_EQ(body["externalURL"], "http://ballast:8080");
  ASSERT_EQ(body["alerts"].size(), 1u);
  EXPECT_EQ(body["alerts"][0]["fingerprint"], "0123456789abcdef");
  EXPECT_EQ(body["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_TRUE(body.contains("groupKey"));
}

TEST_F(NotifierTest, RetriesWithExponentialBackoffThenSucceeds) {
  transport_.failures = 2;
  Notifier notifier(clock_, transport_, config());
  notifier.enqueue(firingAlert());
  EXPECT_EQ(notifier.pump(), 0u);  // attempt 1 fails; next in 100 ms
  clock_.advance(milliseconds(99));
  notifier.pump();
  EXPECT_EQ(transport_.posts.size(), 1u);
  clock_.advance(milliseconds(1));
  EXPECT_EQ(notifier.pump(), 0u);  // attempt 2 fails; next in 200 ms
  clock_.advance(milliseconds(199));
  notifier.pump();
  EXPECT_EQ(transport_.posts.size(), 2u);
  clock_.advance(milliseconds(1));
  EXPECT_EQ(notifier.pump(), 1u);
  EXPECT_EQ(notifier.pending(), 0u);
  EXPECT_EQ(transport_.delivered.size(), 1u);
}

TEST_F(NotifierTest, BackoffIsCappedAndAttemptsAreBounded) {
  transport_.failures = 100;
  Notifier notifier(clock_, transport_, config(4));
  notifier.enqueue(firingAlert());
  for (int i = 0; i < 20; ++i) {
    notifier.pump();
    clock_.advance(milliseconds(250));  // the cap: every retry is due by then
  }
  EXPECT_EQ(transport_.posts.size(), 4u);
  EXPECT_EQ(notifier.pending(), 0u);
}

TEST_F(NotifierTest, AlertmanagerGetsTheV2AlertList) {
  NotifierConfig cfg = config();
  cfg.webhooks.clear();
  cfg.alertmanager = "http://am:9093/";
  Notifier notifier(clock_, transport_, cfg);
  Alert alert = firingAlert();
  alert.state = AlertState::kResolved;
  alert.endsAt = clock_.wallNow();
  notifier.enqueue(alert);
  notifier.pump();
  ASSERT_EQ(transport_.posts.size(), 1u);
  EXPECT_EQ(transport_.posts[0].url, "http://am:9093/api/v2/alerts");
  auto body = core::Json::parse(transport_.posts[0].body);
  ASSERT_TRUE(body.is_array());
  EXPECT_EQ(body[0]["labels"]["alertname"], "ServerUnhealthy");
  EXPECT_EQ(body[0]["endsAt"], "2024-01-01T00:00:00.000Z");
  EXPECT_TRUE(body[0].contains("generatorURL"));
}

TEST(NotifierConfigTest, ReceiverUrlsMustBePlainHttp) {
  EXPECT_TRUE(validateNotifierConfig({.webhooks = {{"http://127.0.0.1:5001/hook", {}}}}));
  auto bad = validateNotifierConfig({.webhooks = {{"http://ok/", {}}, {"https://secure/", {}}},
                                     .alertmanager = "am:9093"});
  ASSERT_FALSE(bad);
  ASSERT_EQ(bad.error().details.size(), 2u);
  EXPECT_EQ(bad.error().details[0].path, "alerts.webhooks[1].url");
  EXPECT_EQ(bad.error().details[1].path, "alerts.alertmanager.url");
}

}  // namespace
}  // namespace ballast::alerts
