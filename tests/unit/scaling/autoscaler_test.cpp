// The autoscaler's rules over scripted metric series: HPA formula, tolerance,
// stabilization windows, rate policies, cooldown, bounds, manual override and
// no flapping on noise.
#include "scaling/autoscaler.h"

#include <gtest/gtest.h>

#include <random>

#include "engine_harness.h"

using namespace ballast;
using namespace ballast::scaling;
using ballast::scaling::testing::cpuPolicy;
using ballast::scaling::testing::ScriptedService;
using core::Millis;

TEST(ScalingAutoscaler, ScalesUpOnARise) {
  ScriptedService s(cpuPolicy(), 2);
  EXPECT_EQ(s.cpuTick(70).desired, 2);
  const Decision d = s.cpuTick(92);
  EXPECT_EQ(d.current, 2);
  EXPECT_EQ(d.desired, 3);  // ceil(2 × 92 / 70) = ceil(2.63)
  EXPECT_EQ(d.trigger, "cpu");
  EXPECT_EQ(d.reason, "CPU 92% over target 70% on 2 instances");
  ASSERT_EQ(d.metrics.size(), 1u);
  EXPECT_EQ(d.metrics[0].proposed, 3);
  EXPECT_NEAR(d.metrics[0].ratio, 92.0 / 70, 1e-9);
  EXPECT_TRUE(d.heldBack.empty());
  EXPECT_EQ(s.instances, 3);
}

TEST(ScalingAutoscaler, NoChangeInsideTheTolerance) {
  ScriptedService s(cpuPolicy(), 4);
  for (double cpu : {70.0, 76.0, 64.0, 63.5, 76.9}) {  // all within 10 % of 70
    const Decision d = s.cpuTick(cpu);
    EXPECT_EQ(d.desired, 4) << cpu;
    EXPECT_TRUE(d.metrics[0].withinTolerance) << cpu;
  }
  // 76.9% on 4 would be ceil(4.39) = 5 without the tolerance: reported as held.
  EXPECT_TRUE(s.scaler.lastDecision()->heldBy(Hold::kTolerance));
  EXPECT_EQ(s.changes, 0);
  EXPECT_EQ(s.cpuTick(77.1).desired, 5);  // 10.1 % over: out of the band
}

TEST(ScalingAutoscaler, ScalesDownOnlyAfterTheStabilizationWindow) {
  ScriptedService s(cpuPolicy(), 4);
  s.cpuTick(70, Millis{1000});  // last recommendation of 4, at t = 0
  // From t = 1 s the load is low: ceil(4 × 20 / 70) = 2 is recommended...
  for (int i = 0; i < 298; ++i) {
    const Decision d = s.cpuTick(20, Millis{1000});
    ASSERT_EQ(d.desired, 4) << "t=" << i + 1;
    ASSERT_EQ(d.recommended, 2);
    ASSERT_TRUE(d.heldBy(Hold::kStabilization));
  }
  // ...but the window (300 s) still holds the recommendation of 4 from t = 0
  // until it is more than 300 s old.
  EXPECT_EQ(s.cpuTick(20, Millis{1000}).desired, 4);  // t = 299
  EXPECT_EQ(s.cpuTick(20, Millis{1000}).desired, 2);  // t = 300: the t = 0 entry is out
  EXPECT_EQ(s.changes, 1);
}

TEST(ScalingAutoscaler, ScaleUpStabilizationIgnoresAShortSpike) {
  ScalingPolicy p = cpuPolicy();
  p.scaleUpStabilization = Millis{60000};
  ScriptedService s(p, 2);
  s.cpuTick(70);
  EXPECT_EQ(s.cpuTick(140).desired, 2);  // lowest in the last 60 s is 2
  EXPECT_EQ(s.cpuTick(70).desired, 2);   // t = 30 s
  for (int i = 0; i < 3; ++i) {          // t = 45, 60, 75 s: the 2 of t = 30 s is in the window
    EXPECT_EQ(s.cpuTick(140).desired, 2);
  }
  EXPECT_EQ(s.cpuTick(140).desired, 4);  // t = 90 s: 60 s of nothing but 4
}

TEST(ScalingAutoscaler, RateLimitByInstancesPerPeriod) {
  ScalingPolicy p = cpuPolicy(1, 20);
  p.scaleUp.policies = {{RatePolicy::Type::kInstances, 1, Millis{60000}}};
  p.cooldown = Millis{0};
  ScriptedService s(p, 2);
  Decision d = s.cpuTick(350, Millis{30000});  // wants ceil(2 × 5) = 10
  EXPECT_EQ(d.recommended, 10);
  EXPECT_EQ(d.desired, 3);
  EXPECT_TRUE(d.heldBy(Hold::kRateLimit));
  d = s.cpuTick(350, Millis{30001});  // 30 s later, still within the 60 s period of the +1
  EXPECT_EQ(d.desired, 3);
  EXPECT_TRUE(d.heldBy(Hold::kRateLimit));
  EXPECT_EQ(s.cpuTick(350).desired, 4);  // the period has passed: one more
}

TEST(ScalingAutoscaler, RateLimitByPercentAndTheDefaultPolicies) {
  ScalingPolicy p = cpuPolicy(1, 100);
  p.scaleUp.policies = {{RatePolicy::Type::kPercent, 50, Millis{60000}}};
  ScriptedService s(p, 4);
  EXPECT_EQ(s.cpuTick(350).desired, 6);  // 4 + 50 %

  // HPA defaults: up by max(100 %, 4 instances) per 15 s.
  ScriptedService d(cpuPolicy(1, 100), 2);
  EXPECT_EQ(d.cpuTick(700).desired, 6);   // 2 + max(2, 4)
  EXPECT_EQ(d.cpuTick(700).desired, 12);  // 15 s later: 6 + max(6, 4)
  // Down by 100 % per 15 s: nothing slows it but the window.
  ScalingPolicy noWindow = cpuPolicy(1, 100);
  noWindow.scaleDownStabilization = Millis{0};
  noWindow.scaleDown.policies = {{RatePolicy::Type::kPercent, 50, Millis{60000}}};
  ScriptedService down(noWindow, 8);
  EXPECT_EQ(down.cpuTick(5).desired, 4);  // wants 1, at most half away
}

TEST(ScalingAutoscaler, SelectPolicyMinAndDisabled) {
  ScalingPolicy p = cpuPolicy(1, 100);
  p.scaleUp.select = SelectPolicy::kMin;  // the smaller of 100 % and 4 instances
  ScriptedService s(p, 8);
  EXPECT_EQ(s.cpuTick(700).desired, 12);

  ScalingPolicy noDown = cpuPolicy();
  noDown.scaleDownStabilization = Millis{0};
  noDown.scaleDown.select = SelectPolicy::kDisabled;
  ScriptedService d(noDown, 5);
  const Decision decision = d.cpuTick(10);
  EXPECT_EQ(decision.desired, 5);
  EXPECT_TRUE(decision.heldBy(Hold::kRateLimit));
}

TEST(ScalingAutoscaler, CooldownAfterEachAppliedChange) {
  ScalingPolicy p = cpuPolicy(1, 20);
  p.cooldown = Millis{60000};
  p.scaleUp.policies.clear();  // no rate limit: only the cooldown holds it
  ScriptedService s(p, 2);
  EXPECT_EQ(s.cpuTick(100, Millis{59000}).desired, 3);
  Decision d = s.cpuTick(200, Millis{1000});  // 59 s after the change
  EXPECT_EQ(d.desired, 3);
  EXPECT_TRUE(d.heldBy(Hold::kCooldown));
  EXPECT_NE(d.reason.find("held at 3 by cooldown"), std::string::npos) << d.reason;
  EXPECT_EQ(s.cpuTick(200).desired, 9);  // 60 s: ceil(3 × 200 / 70)
}

TEST(ScalingAutoscaler, ClampsToMinAndMax) {
  ScriptedService s(cpuPolicy(2, 5), 4);
  Decision d = s.cpuTick(500);
  EXPECT_EQ(d.recommended, 29);
  EXPECT_EQ(d.desired, 5);
  EXPECT_TRUE(d.heldBy(Hold::kMinMax));

  ScalingPolicy p = cpuPolicy(2, 5);
  p.scaleDownStabilization = Millis{0};
  ScriptedService low(p, 4);
  d = low.cpuTick(1);
  EXPECT_EQ(d.desired, 2);
  EXPECT_TRUE(d.heldBy(Hold::kMinMax));

  // Below the minimum with nothing measured (a fresh service): up to min, at once.
  ScriptedService empty(cpuPolicy(3, 5), 0);
  d = empty.tick({});
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.trigger, "min-max");
}

TEST(ScalingAutoscaler, OverrideHoldsExpiresAndRecordsWhatItWouldHaveDone) {
  ScriptedService s(cpuPolicy(1, 10), 2);
  ASSERT_TRUE(s.scaler.setOverride(
      {.instances = 5, .until = s.clock.now() + Millis{60000}, .reason = "sale"}));
  Decision d = s.cpuTick(92, Millis{30000});
  EXPECT_EQ(d.desired, 5);
  EXPECT_TRUE(d.overridden);
  EXPECT_EQ(d.trigger, "manual");
  EXPECT_EQ(d.wouldBe, 3);  // ceil(2 × 92 / 70), what the autoscaler wanted
  EXPECT_NE(d.reason.find("would scale to 3"), std::string::npos) << d.reason;
  EXPECT_TRUE(d.heldBy(Hold::kOverride));
  // Held while load says fewer (5 × 20 % wants 2, the window would keep 5 anyway).
  d = s.cpuTick(20, Millis{30000});
  EXPECT_EQ(d.desired, 5);
  // Expired at 60 s: the autoscaler is back. Its recommendations in the
  // scale-down window were 3 and 2, so it goes to the highest, 3.
  d = s.cpuTick(20);
  EXPECT_FALSE(d.overridden);
  EXPECT_FALSE(s.scaler.activeOverride().has_value());
  EXPECT_EQ(d.desired, 3);
  EXPECT_NE(d.reason.find("override expired"), std::string::npos) << d.reason;
}

TEST(ScalingAutoscaler, OverrideUntilReleasedAndForcedBeyondTheBounds) {
  ScriptedService s(cpuPolicy(2, 6), 3);
  auto refused = s.scaler.setOverride({.instances = 9});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::kValidation);
  ASSERT_FALSE(s.scaler.setOverride({.instances = 1}));
  ASSERT_FALSE(s.scaler.setOverride({.instances = -1, .force = true}));

  ASSERT_TRUE(s.scaler.setOverride({.instances = 9, .force = true}));
  for (int i = 0; i < 100; ++i) ASSERT_EQ(s.cpuTick(70, Millis{60000}).desired, 9);  // no expiry
  s.scaler.releaseOverride();
  const Decision d = s.cpuTick(70);
  EXPECT_FALSE(d.overridden);
  EXPECT_EQ(d.desired, 6);  // 9 is above max: back within bounds
  EXPECT_TRUE(d.heldBy(Hold::kMinMax));
}

TEST(ScalingAutoscaler, NoFlappingOnANoisyFlatSeries) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> noise(-0.08, 0.08);
  ScriptedService s(cpuPolicy(1, 20), 4);
  for (int tick = 0; tick < 3600 / 5; ++tick)
    s.cpuTick(70 * (1 + noise(rng)), Millis{5000});  // an hour
  EXPECT_EQ(s.changes, 0);
  EXPECT_EQ(s.instances, 4);
}

TEST(ScalingAutoscaler, WiderNoiseSettlesInsteadOfFlapping) {
  // ±25 % crosses the tolerance often; the scale-down window keeps the count
  // that covered the peaks, so the service settles after the first step.
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> noise(-0.25, 0.25);
  ScriptedService s(cpuPolicy(1, 20), 4);
  const double totalLoad = 4 * 70;  // the service's CPU, shared by its instances
  for (int tick = 0; tick < 3600 / 5; ++tick) {
    s.cpuTick(totalLoad / s.instances * (1 + noise(rng)), Millis{5000});
  }
  EXPECT_LE(s.changes, 2);
  EXPECT_GE(s.instances, 4);
}

TEST(ScalingAutoscaler, DisabledPolicyLeavesTheCountAlone) {
  ScalingPolicy p = cpuPolicy();
  p.enabled = false;
  ScriptedService s(p, 2);
  const Decision d = s.cpuTick(300);
  EXPECT_EQ(d.recommended, 9);
  EXPECT_EQ(d.desired, 2);
  EXPECT_TRUE(d.heldBy(Hold::kDisabled));
}
