// How the autoscaler treats its inputs: not-ready instances, missing metrics,
// several metrics at once, service-wide latency, and scale to and from zero.
#include <gtest/gtest.h>

#include "engine_harness.h"
#include "scaling/autoscaler.h"

using namespace ballast;
using namespace ballast::scaling;
using ballast::scaling::testing::cpuPolicy;
using ballast::scaling::testing::ScriptedService;
using core::Millis;

namespace {

Decision evaluateOnce(const ScalingPolicy& policy, int current, int ready,
                      std::map<std::string, MetricSample, std::less<>> metrics) {
  core::SimulatedClock clock;
  Autoscaler scaler(clock, policy);
  EvaluationInputs in;
  in.currentInstances = current;
  in.readyInstances = ready;
  in.metrics = std::move(metrics);
  return scaler.evaluate(in);
}

ScalingPolicy noDownWindow(ScalingPolicy p) {
  p.scaleDownStabilization = Millis{0};
  return p;
}

}  // namespace

TEST(ScalingInputs, NotReadyInstancesCountAsZeroWhenScalingUp) {
  // 4 instances, 2 still starting; the 2 ready ones run at 140 %. Counting the
  // starting ones as idle, the service's 280 % fits 4 × 70 %: no new instance.
  Decision d = evaluateOnce(cpuPolicy(), 4, 2, {{"cpu", {140}}});
  EXPECT_EQ(d.desired, 4);
  EXPECT_EQ(d.metrics[0].proposed, 4);
  // The same load with all four ready asks for 8.
  d = evaluateOnce(cpuPolicy(), 4, 4, {{"cpu", {140}}});
  EXPECT_EQ(d.desired, 8);
  // 2 ready at 210 % with 2 starting: 420 % needs ceil(420 / 70) = 6.
  d = evaluateOnce(cpuPolicy(), 4, 2, {{"cpu", {210}}});
  EXPECT_EQ(d.desired, 6);
}

TEST(ScalingInputs, MissingValuesCountAsAtTargetWhenScalingDown) {
  const ScalingPolicy p = noDownWindow(cpuPolicy());
  // All 4 report 20 %: ceil(4 × 20 / 70) = 2.
  EXPECT_EQ(evaluateOnce(p, 4, 4, {{"cpu", {20}}}).desired, 2);
  // Only 2 report 20 %; the 2 silent ones are taken as at 70 %:
  // (2 × 20 + 2 × 70) / 70 = 2.57 -> 3.
  const Decision d = evaluateOnce(p, 4, 4, {{"cpu", {20, 2}}});
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.metrics[0].reporting, 2);
  // Starting instances are taken as at target too: 4 exist, 1 ready at 30 %:
  // (30 + 3 × 70) / 70 = 3.43 -> 4: nothing to remove.
  EXPECT_EQ(evaluateOnce(p, 4, 1, {{"cpu", {30}}}).desired, 4);
}

TEST(ScalingInputs, MissingValuesCountAsZeroWhenScalingUp) {
  // 4 ready, 2 report 140 %: 280 % in all fits 4 × 70 %.
  EXPECT_EQ(evaluateOnce(cpuPolicy(), 4, 4, {{"cpu", {140, 2}}}).desired, 4);
  EXPECT_EQ(evaluateOnce(cpuPolicy(), 4, 4, {{"cpu", {210, 2}}}).desired, 6);
}

TEST(ScalingInputs, NoMetricKeepsTheCount) {
  const Decision d =
      evaluateOnce(cpuPolicy(), 3, 3, {{"requests", {500}}});  // not a targeted metric
  EXPECT_EQ(d.desired, 3);
  EXPECT_TRUE(d.heldBy(Hold::kNoMetrics));
  EXPECT_TRUE(d.metrics[0].missing);
  // No instance ready yet: nothing is measured either.
  EXPECT_EQ(evaluateOnce(cpuPolicy(), 3, 0, {{"cpu", {0}}}).desired, 3);
}

TEST(ScalingInputs, TheLargestProposalOverAllMetricsWins) {
  ScalingPolicy p = cpuPolicy(1, 20);
  p.targetMemoryPercent = 80;
  p.targetRequestsPerSecond = 100;
  p.customMetrics = {{"queue_depth", 10}};
  const Decision d = evaluateOnce(p, 2, 2,
                                  {{"cpu", {100}},                  // 3
                                   {"memory", {40}},                // 1
                                   {"requests", {240}},             // 5
                                   {"custom:queue_depth", {19}}});  // 4
  EXPECT_EQ(d.desired, 5);
  EXPECT_EQ(d.trigger, "requests");
  EXPECT_EQ(d.reason, "240 requests/s per instance over target 100/s on 2 instances");
  ASSERT_EQ(d.metrics.size(), 4u);
  EXPECT_EQ(d.metrics[3].metric, "custom:queue_depth");
  EXPECT_EQ(d.metrics[3].proposed, 4);
}

TEST(ScalingInputs, LatencyScalesUpFromTheReadyCount) {
  ScalingPolicy p = cpuPolicy(1, 20);
  p.targetCpuPercent = 0;
  p.targetLatencyP95Ms = 300;
  // p95 of 600 ms with 2 of 3 ready: ceil(2 × 2) = 4.
  Decision d = evaluateOnce(p, 3, 2, {{"latency", {600}}});
  EXPECT_EQ(d.desired, 4);
  EXPECT_EQ(d.reason, "p95 latency 600 ms over target 300 ms on 3 instances");
  // 400 ms with 2 of 3 ready: ceil(2.67) = 3: the starting one should do.
  EXPECT_EQ(evaluateOnce(p, 3, 2, {{"latency", {400}}}).desired, 3);
}

TEST(ScalingInputs, ScalesToZeroWithoutActivityAndBackOnTheFirstRequest) {
  ScalingPolicy p = cpuPolicy(0, 5);
  p.targetRequestsPerSecond = 10;
  p.scaleDownStabilization = Millis{60000};
  ScriptedService s(p, 2);
  Decision d = s.tick({{"cpu", 30}, {"requests", 10}});  // busy: 2 is right
  EXPECT_EQ(d.desired, 2);
  s.clock.advance(Millis{30000});
  // Idle: no requests, a little CPU. CPU alone never asks for zero; the idle
  // activity metric does, once the window has forgotten the busy tick.
  d = s.tick({{"cpu", 2}, {"requests", 0}});
  EXPECT_EQ(d.recommended, 0);
  EXPECT_EQ(d.desired, 2);
  EXPECT_TRUE(d.heldBy(Hold::kStabilization));
  s.clock.advance(Millis{30000});
  d = s.tick({{"cpu", 2}, {"requests", 0}});
  EXPECT_EQ(d.desired, 0);
  EXPECT_EQ(d.trigger, "requests");
  EXPECT_NE(d.reason.find("scale to zero"), std::string::npos) << d.reason;
  s.clock.advance(Millis{60000});
  // With no instances the value is the service's total; 0 keeps it at zero,
  // 3 requests/s wake it up.
  d = s.tick({{"requests", 0}});
  EXPECT_EQ(d.desired, 0);
  s.clock.advance(Millis{1000});
  d = s.tick({{"requests", 3}, {"cpu", 0}});
  EXPECT_EQ(d.desired, 1);
  EXPECT_EQ(d.trigger, "requests");
  // 35 requests/s waiting: ceil(35 / 10) = 4 straight from zero.
  ScriptedService cold(p, 0);
  EXPECT_EQ(cold.tick({{"requests", 35}}).desired, 4);
}

TEST(ScalingInputs, MinimumAboveZeroNeverIdlesOut) {
  ScalingPolicy p = noDownWindow(cpuPolicy(1, 5));
  p.targetRequestsPerSecond = 10;
  // Requests at 0 but CPU high: CPU wins, no scale to zero with min 1.
  EXPECT_EQ(evaluateOnce(p, 2, 2, {{"cpu", {140}}, {"requests", {0}}}).desired, 4);
  EXPECT_EQ(evaluateOnce(p, 2, 2, {{"cpu", {1}}, {"requests", {0}}}).desired, 1);
}

TEST(ScalingInputs, AMetricMissingForAWhileBlocksScaleDownNotScaleUp) {
  ScalingPolicy p = cpuPolicy(1, 10);
  p.targetRequestsPerSecond = 10;
  p.scaleDownStabilization = Millis{60000};
  ScriptedService s(p, 4);
  s.tick({{"cpu", 70}, {"requests", 10}});  // both on target
  s.clock.advance(Millis{30000});
  // Requests fall, CPU cannot be read: CPU might be what keeps 4 busy.
  Decision d = s.tick({{"requests", 2}});
  EXPECT_EQ(d.desired, 4);
  EXPECT_TRUE(d.heldBy(Hold::kNoMetrics));
  EXPECT_NE(d.reason.find("no scale-down while cpu is missing"), std::string::npos) << d.reason;
  // Scaling up on the metrics that are there goes ahead.
  s.clock.advance(Millis{15000});
  EXPECT_EQ(s.tick({{"requests", 15}}).desired, 6);
  // CPU absent for longer than the window: ignored, so requests alone decide
  // (once the window has let go of the higher recommendations).
  s.clock.advance(Millis{120000});
  EXPECT_EQ(s.tick({{"requests", 2}}).desired, 2);
}
