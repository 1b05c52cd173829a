#include "alerts/evaluator.h"

#include <gtest/gtest.h>

namespace ballast::alerts {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Rule cpuRule(milliseconds forDuration, milliseconds keepFiringFor = milliseconds(0)) {
  return Rule{.id = "cpu", .name = "HighCpu", .metric = "cpu", .comparison = Comparison::kGreater,
              .threshold = 80, .forDuration = forDuration, .keepFiringFor = keepFiringFor,
              .severity = Severity::kWarning, .annotations = {{"summary", "CPU at {{value}}%"}}};
}

std::vector<Sample> cpu(double value) { return {{"cpu", {}, value}}; }

class EvaluatorTest : public ::testing::Test {
 protected:
  core::SimulatedClock clock_;
  Evaluator evaluator_{clock_};
};

TEST_F(EvaluatorTest, PendingThenFiringAfterFor) {
  ASSERT_TRUE(evaluator_.addRule(cpuRule(seconds(60))));
  auto t = evaluator_.evaluate(cpu(90));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].to, AlertState::kPending);
  clock_.advance(seconds(30));
  EXPECT_TRUE(evaluator_.evaluate(cpu(91)).empty());
  clock_.advance(seconds(30));
  t = evaluator_.evaluate(cpu(92));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].to, AlertState::kFiring);
  EXPECT_EQ(t[0].alert.annotations.at("summary"), "CPU at 92%");
  EXPECT_EQ(t[0].alert.labels.at("alertname"), "HighCpu");
  EXPECT_EQ(t[0].alert.labels.at("severity"), "warning");
  clock_.advance(seconds(1));
  EXPECT_TRUE(evaluator_.evaluate(cpu(92)).empty());  // no duplicate transition
}

TEST_F(EvaluatorTest, ZeroForFiresAtOnce) {
  evaluator_.addRule(cpuRule(milliseconds(0)));
  auto t = evaluator_.evaluate(cpu(90));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].to, AlertState::kFiring);
}

TEST_F(EvaluatorTest, PendingThatClearsIsDroppedSilently) {
  evaluator_.addRule(cpuRule(seconds(60)));
  evaluator_.evaluate(cpu(90));
  clock_.advance(seconds(10));
  EXPECT_TRUE(evaluator_.evaluate(cpu(10)).empty());
  EXPECT_TRUE(evaluator_.active().empty());
  // A new episode starts the `for` over.
  evaluator_.evaluate(cpu(90));
  clock_.advance(seconds(59));
  EXPECT_TRUE(evaluator_.evaluate(cpu(90)).empty());
}

TEST_F(EvaluatorTest, ResolvesAtOnceWithoutKeepFiringFor) {
  evaluator_.addRule(cpuRule(milliseconds(0)));
  auto fired = evaluator_.evaluate(cpu(90));
  clock_.advance(seconds(5));
  auto t = evaluator_.evaluate(cpu(50));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].to, AlertState::kResolved);
  EXPECT_EQ(t[0].alert.id, fired[0].alert.id);
  EXPECT_EQ(t[0].alert.endsAt - t[0].alert.startsAt, seconds(5));
  EXPECT_TRUE(evaluator_.evaluate(cpu(50)).empty());
}

TEST_F(EvaluatorTest, KeepFiringForHoldsThroughFlaps) {
  evaluator_.addRule(cpuRule(milliseconds(0), seconds(10)));
  evaluator_.evaluate(cpu(90));
  clock_.advance(seconds(5));
  EXPECT_TRUE(evaluator_.evaluate(cpu(50)).empty());
  clock_.advance(seconds(4));
  EXPECT_TRUE(evaluator_.evaluate(cpu(90)).empty());  // true again: still the same episode
  clock_.advance(seconds(9));
  EXPECT_TRUE(evaluator_.evaluate(cpu(50)).empty());
  clock_.advance(seconds(1));
  auto t = evaluator_.evaluate(cpu(50));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].to, AlertState::kResolved);
}

TEST_F(EvaluatorTest, SeriesAreSeparateAndMissingSeriesCountsAsFalse) {
  evaluator_.addRule(Rule{.id = "down", .name = "Down", .metric = "unhealthy", .comparison = Comparison::kEqual,
                          .threshold = 1, .annotations = {{"summary", "{{server}} of {{service}}"}}});
  auto t = evaluator_.evaluate({{"unhealthy", {{"service", "web"}, {"server", "a"}}, 1},
                                {"unhealthy", {{"service", "web"}, {"server", "b"}}, 1}});
  ASSERT_EQ(t.size(), 2u);
  EXPECT_NE(t[0].alert.fingerprint, t[1].alert.fingerprint);
  EXPECT_EQ(t[0].alert.annotations.at("summary"), "a of web");
  t = evaluator_.evaluate({{"unhealthy", {{"service", "web"}, {"server", "a"}}, 1}});
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].alert.labels.at("server"), "b");
  EXPECT_EQ(t[0].to, AlertState::kResolved);
}

TEST_F(EvaluatorTest, RemovingARuleResolvesItsAlerts) {
  evaluator_.addRule(cpuRule(milliseconds(0)));
  evaluator_.evaluate(cpu(90));
  auto t = evaluator_.removeRule("cpu");
  ASSERT_TRUE(t);
  ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ((*t)[0].to, AlertState::kResolved);
  EXPECT_FALSE(evaluator_.removeRule("cpu"));
  EXPECT_TRUE(evaluator_.addRule(cpuRule(milliseconds(0))));  // the id is free again
}

TEST(FingerprintTest, StableAndLabelSensitive) {
  EXPECT_EQ(fingerprintOf("r", {{"a", "b"}}), fingerprintOf("r", {{"a", "b"}}));
  EXPECT_NE(fingerprintOf("r", {{"a", "bc"}}), fingerprintOf("r", {{"ab", "c"}}));
  EXPECT_EQ(fingerprintOf("r", {}).size(), 16u);
}

}  // namespace
}  // namespace ballast::alerts
