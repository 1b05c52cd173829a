// Predictive scaling: a recurring spike is learnt and scaled out for ahead of
// time by the start-up time in forecast-and-scale; forecast-only reports the
// same without acting; a forecast never lowers the count.
#include <gtest/gtest.h>

#include <optional>

#include "engine_harness.h"
#include "scaling/autoscaler.h"

using namespace ballast;
using namespace ballast::scaling;
using ballast::scaling::testing::ScriptedService;
using core::Millis;

namespace {

constexpr int kSeasonSeconds = 600;  // a ten-minute "day" of 60 ten-second steps
constexpr int kSpikeStart = 400;     // the daily spike: seconds 400..460 of each season
constexpr int kSpikeEnd = 460;
constexpr int kTickSeconds = 5;

ScalingPolicy predictivePolicy(PredictiveMode mode) {
  ScalingPolicy p;
  p.enabled = true;
  p.minInstances = 1;
  p.maxInstances = 20;
  p.targetCpuPercent = 0;
  p.targetMemoryPercent = 0;
  p.targetRequestsPerSecond = 10;  // per instance
  p.predictive = {mode, "requests", Millis{kSeasonSeconds * 1000}, Millis{10000}};
  return p;
}

// Requests per second arriving for the whole service at second `t`.
double load(int t) {
  const int inSeason = t % kSeasonSeconds;
  return inSeason >= kSpikeStart && inSeason < kSpikeEnd ? 100 : 20;
}

struct SeasonRun {
  std::optional<int> firstScaleOutInLastSeason;  // seconds into the season
  int instancesJustBeforeSpike = 0;
  int scaleInsTriggeredByForecast = 0;
  Decision decisionJustBeforeSpike;
};

// Four seasons of ticks; the last one is observed.
SeasonRun runSeasons(PredictiveMode mode) {
  ScriptedService s(predictivePolicy(mode), 2);
  s.startupTime = Millis{30000};
  SeasonRun run;
  const int lastSeason = 3 * kSeasonSeconds;
  for (int t = 0; t < 4 * kSeasonSeconds; t += kTickSeconds) {
    const int before = s.instances;
    const Decision d = s.tick({{"requests", load(t) / s.instances}});
    if (s.instances < before && d.trigger == "forecast") ++run.scaleInsTriggeredByForecast;
    if (t >= lastSeason && !run.firstScaleOutInLastSeason && s.instances > before) {
      run.firstScaleOutInLastSeason = t - lastSeason;
    }
    if (t == lastSeason + kSpikeStart - kTickSeconds) {
      run.instancesJustBeforeSpike = s.instances;
      run.decisionJustBeforeSpike = d;
    }
    s.clock.advance(Millis{kTickSeconds * 1000});
  }
  return run;
}

}  // namespace

TEST(ScalingPredictive, ScalesOutAheadOfARecurringSpike) {
  const SeasonRun run = runSeasons(PredictiveMode::kForecastAndScale);
  ASSERT_TRUE(run.firstScaleOutInLastSeason.has_value());
  // Out before the spike, by about the start-up time (30 s), not long before.
  EXPECT_LT(*run.firstScaleOutInLastSeason, kSpikeStart);
  EXPECT_GE(*run.firstScaleOutInLastSeason, kSpikeStart - 40);
  EXPECT_GE(run.instancesJustBeforeSpike, 8);  // the spike needs 100 / 10 = 10
  EXPECT_EQ(run.scaleInsTriggeredByForecast, 0);
  const Decision& d = run.decisionJustBeforeSpike;
  ASSERT_TRUE(d.forecast.has_value());
  EXPECT_EQ(d.forecast->model, "holt-winters");
  EXPECT_TRUE(d.forecast->acting);
  EXPECT_GE(d.forecast->predicted, 80);
  ASSERT_TRUE(d.forecast->meanAbsolutePercentError.has_value());
}

TEST(ScalingPredictive, ForecastOnlyReportsButDoesNotAct) {
  const SeasonRun run = runSeasons(PredictiveMode::kForecastOnly);
  ASSERT_TRUE(run.firstScaleOutInLastSeason.has_value());
  EXPECT_GE(*run.firstScaleOutInLastSeason, kSpikeStart);  // only once the load is there
  EXPECT_EQ(run.instancesJustBeforeSpike, 2);
  const Decision& d = run.decisionJustBeforeSpike;
  ASSERT_TRUE(d.forecast.has_value());
  EXPECT_FALSE(d.forecast->acting);
  EXPECT_FALSE(d.forecast->raised);
  EXPECT_GE(d.forecast->proposed, 8);  // what it would have asked for
  EXPECT_EQ(d.desired, 2);
  EXPECT_NE(d.trigger, "forecast");
}

TEST(ScalingPredictive, OffHasNoForecast) {
  ScriptedService s(predictivePolicy(PredictiveMode::kOff), 2);
  const Decision d = s.tick({{"requests", 10}});
  EXPECT_FALSE(d.forecast.has_value());
  EXPECT_EQ(s.scaler.forecaster(), nullptr);
}

TEST(ScalingPredictive, NeverScalesInOnAForecast) {
  ScalingPolicy p = predictivePolicy(PredictiveMode::kForecastAndScale);
  ScriptedService s(p, 2);
  s.startupTime = Millis{30000};
  // Three quiet seasons: 20 requests/s in all, two instances.
  for (int t = 0; t < 3 * kSeasonSeconds; t += kTickSeconds) {
    s.tick({{"requests", 20.0 / s.instances}});
    s.clock.advance(Millis{kTickSeconds * 1000});
  }
  ASSERT_EQ(s.instances, 2);
  // Now 8 instances carry 80 requests/s, right on target. The forecast, which
  // knows only quiet seasons, asks for 2; the count stays 8.
  s.scaler.recordChange(2, 8, s.clock.now() - Millis{60000});
  s.instances = 8;
  const Decision d = s.tick({{"requests", 10}});
  ASSERT_TRUE(d.forecast.has_value());
  EXPECT_LE(d.forecast->proposed, 3);
  EXPECT_FALSE(d.forecast->raised);
  EXPECT_EQ(d.recommended, 8);
  EXPECT_EQ(d.desired, 8);
  EXPECT_EQ(d.trigger, "requests");
}
