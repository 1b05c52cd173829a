#include "alerts/alert_manager.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/json.h"
#include "fake_transport.h"

namespace ballast::alerts {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::FakeTransport;

Rule downRule(bool builtIn = false) {
  return Rule{.id = "down", .name = "ServerUnhealthy", .metric = "unhealthy", .comparison = Comparison::kEqual,
              .threshold = 1, .severity = Severity::kCritical, .builtIn = builtIn};
}

std::vector<Sample> server(const std::string& id, double unhealthy) {
  return {{"unhealthy", {{"service", "web"}, {"server", id}}, unhealthy}};
}

class AlertManagerTest : public ::testing::Test {
 protected:
  AlertManagerTest() {
    EXPECT_TRUE(manager_.addRule(downRule()));
  }
  std::vector<std::string> statuses() {
    notifier_.pump();
    std::vector<std::string> out;
    for (const auto& post : transport_.delivered) out.push_back(core::Json::parse(post.body)["status"]);
    return out;
  }

  core::SimulatedClock clock_;
  FakeTransport transport_;
  Notifier notifier_{clock_, transport_, NotifierConfig{.webhooks = {{"http://hook/", {}}}}};
  std::vector<proxy::Event> events_;
  AlertManager manager_{clock_, &notifier_, [this](const proxy::Event& e) { events_.push_back(e); }};
};

TEST_F(AlertManagerTest, OneFiringAndOneResolvedPerEpisode) {
  manager_.tick(server("a", 1));
  clock_.advance(seconds(1));
  manager_.tick(server("a", 1));
  EXPECT_EQ(manager_.active().size(), 1u);
  clock_.advance(seconds(1));
  manager_.tick(server("a", 0));
  clock_.advance(seconds(1));
  manager_.tick(server("a", 0));
  EXPECT_EQ(statuses(), (std::vector<std::string>{"firing", "resolved"}));
  EXPECT_TRUE(manager_.active().empty());
  ASSERT_EQ(manager_.history().size(), 1u);
  EXPECT_EQ(manager_.history()[0].state, AlertState::kResolved);
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(events_[0].type, "alert");
  EXPECT_EQ(events_[0].level, "error");
  EXPECT_EQ(events_[0].serverId, "a");
  EXPECT_EQ(events_[1].level, "info");
}

TEST_F(AlertManagerTest, AcknowledgeMarksTheActiveAlert) {
  manager_.tick(server("a", 1));
  auto id = manager_.active().at(0).alert.id;
  auto acked = manager_.acknowledge(id);
  ASSERT_TRUE(acked);
  EXPECT_EQ(acked->status, AlertStatus::kAcknowledged);
  EXPECT_EQ(manager_.active().at(0).status, AlertStatus::kAcknowledged);
  EXPECT_EQ(manager_.acknowledge("alert-999").error().code, core::ErrorCode::kNotFound);
}

TEST_F(AlertManagerTest, SilencedAlertDoesNotNotifyUntilTheSilenceEnds) {
  manager_.addSilence(Silence{.matchers = {{"server", "a"}}, .startsAt = clock_.wallNow(),
                              .endsAt = clock_.wallNow() + minutes(1), .comment = "maintenance"});
  manager_.tick(server("a", 1));
  EXPECT_EQ(manager_.active().at(0).status, AlertStatus::kSilenced);
  EXPECT_TRUE(statuses().empty());
  clock_.advance(minutes(1));
  manager_.tick(server("a", 1));  // still firing after the silence: notify now
  EXPECT_EQ(statuses(), (std::vector<std::string>{"firing"}));
  EXPECT_TRUE(manager_.silences().empty());  // expired silences are pruned
}

TEST_F(AlertManagerTest, AlertSilencedForItsWholeEpisodeNeverNotifies) {
  auto silence = manager_.addSilence(Silence{.matchers = {{"alertname", "ServerUnhealthy"}},
                                             .startsAt = clock_.wallNow(), .endsAt = clock_.wallNow() + minutes(5)});
  EXPECT_EQ(silence.id, "silence-1");
  manager_.tick(server("a", 1));
  clock_.advance(seconds(1));
  manager_.tick(server("a", 0));
  EXPECT_TRUE(statuses().empty());
  EXPECT_EQ(manager_.history().size(), 1u);
  EXPECT_TRUE(manager_.removeSilence("silence-1"));
  EXPECT_FALSE(manager_.removeSilence("silence-1"));
}

TEST_F(AlertManagerTest, SilenceWithOtherLabelsDoesNotApply) {
  manager_.addSilence(Silence{.matchers = {{"server", "b"}}, .startsAt = clock_.wallNow(),
                              .endsAt = clock_.wallNow() + minutes(5)});
  manager_.tick(server("a", 1));
  EXPECT_EQ(statuses(), (std::vector<std::string>{"firing"}));
}

TEST_F(AlertManagerTest, ConfigFileRulesCannotBeDeletedEither) {
  Rule fromFile = downRule();
  fromFile.id = "from-file";
  fromFile.fromConfig = true;
  ASSERT_TRUE(manager_.addRule(fromFile));
  auto refused = manager_.removeRule("from-file");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("configuration file"), std::string::npos) << refused.error().message;
  EXPECT_EQ(manager_.rules().size(), 2u);
}

TEST_F(AlertManagerTest, BuiltInRulesCannotBeDeleted) {
  auto dup = manager_.addRule(downRule());
  EXPECT_EQ(dup.error().code, core::ErrorCode::kConflict);
  Rule builtIn = downRule(true);
  builtIn.id = "builtin";
  ASSERT_TRUE(manager_.addRule(builtIn));
  EXPECT_EQ(manager_.removeRule("builtin").error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(manager_.removeRule("nope").error().code, core::ErrorCode::kNotFound);
  manager_.tick(server("a", 1));
  EXPECT_TRUE(manager_.removeRule("down"));
  EXPECT_EQ(manager_.rules().size(), 1u);
  // The user rule's alert resolved with it: firing (both rules) + one resolved.
  auto sent = statuses();
  EXPECT_EQ(std::count(sent.begin(), sent.end(), "resolved"), 1);
}

TEST_F(AlertManagerTest, HistoryIsBounded) {
  for (size_t i = 0; i < AlertManager::kHistoryLimit + 5; ++i) {
    manager_.tick(server("a", 1));
    clock_.advance(milliseconds(10));
    manager_.tick(server("a", 0));
  }
  EXPECT_EQ(manager_.history().size(), AlertManager::kHistoryLimit);
}

}  // namespace
}  // namespace ballast::alerts
