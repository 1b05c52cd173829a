// The forecaster on synthetic series: Holt-Winters on a seasonal series beats
// the trend model, its error is tracked, it never goes negative.
#include "scaling/forecast.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

using namespace ballast::scaling;

namespace {

constexpr size_t kSeason = 60;
constexpr double kNoiseSd = 3.0;

// 100 + 50·sin over a 60-sample season, a slow upward drift, and Gaussian noise
// with sd 3.
std::vector<double> seasonalSeries(size_t seasons, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, kNoiseSd);
  std::vector<double> xs;
  for (size_t t = 0; t < seasons * kSeason; ++t) {
    const double phase = 2 * std::numbers::pi * static_cast<double>(t % kSeason) / kSeason;
    xs.push_back(100 + 50 * std::sin(phase) + 0.05 * static_cast<double>(t) + noise(rng));
  }
  return xs;
}

// Mean absolute error of the `ahead`-step forecast over the samples from
// `scoreFrom` on, feeding the whole series.
double meanAbsoluteError(Forecaster& f, const std::vector<double>& xs, size_t ahead,
                         size_t scoreFrom) {
  double sum = 0;
  size_t n = 0;
  for (size_t t = 0; t < xs.size(); ++t) {
    f.add(xs[t]);
    if (t + 1 >= scoreFrom && t + ahead < xs.size()) {
      sum += std::fabs(f.forecast(ahead) - xs[t + ahead]);
      ++n;
    }
  }
  return sum / static_cast<double>(n);
}

}  // namespace

TEST(ScalingForecast, ModelMovesFromNoneToTrendToHoltWinters) {
  Forecaster f({.seasonLength = kSeason});
  EXPECT_EQ(f.model(), ForecastModel::kNone);
  EXPECT_EQ(f.forecast(1), 0);
  const auto xs = seasonalSeries(3, 1);
  f.add(xs[0]);
  EXPECT_EQ(f.model(), ForecastModel::kNone);
  f.add(xs[1]);
  EXPECT_EQ(f.model(), ForecastModel::kTrend);
  for (size_t t = 2; t < 2 * kSeason - 1; ++t) f.add(xs[t]);
  EXPECT_EQ(f.model(), ForecastModel::kTrend);
  f.add(xs[2 * kSeason - 1]);  // two full seasons
  EXPECT_EQ(f.model(), ForecastModel::kSeasonal);
  EXPECT_EQ(f.samples(), 2 * kSeason);
  EXPECT_EQ(f.toJson()["model"], "holt-winters");
}

TEST(ScalingForecast, HoltWintersTracksASeasonalSeriesAndBeatsTheTrendModel) {
  const auto xs = seasonalSeries(6, 2);
  const size_t scoreFrom = 3 * kSeason;  // one season after the seasonal model starts

  // One step ahead. The noise alone costs sd·sqrt(2/π) ≈ 2.39 (what even a
  // perfect model scores); allow 50 % more for the estimated level, trend and
  // seasonal terms.
  Forecaster hw({.seasonLength = kSeason});
  const double hwOneStep = meanAbsoluteError(hw, xs, 1, scoreFrom);
  EXPECT_LT(hwOneStep, 1.5 * kNoiseSd * std::sqrt(2 / std::numbers::pi));

  // Ten steps ahead (a start-up time of ten samples): the seasonal shape is
  // what matters, and the trend model, which extrapolates the current slope,
  // misses it badly.
  Forecaster hw10({.seasonLength = kSeason});
  Forecaster trend10({.seasonLength = 0});
  const double hwTen = meanAbsoluteError(hw10, xs, 10, scoreFrom);
  const double trendTen = meanAbsoluteError(trend10, xs, 10, scoreFrom);
  EXPECT_LT(hwTen, 1.5 * kNoiseSd * std::sqrt(2 / std::numbers::pi));
  EXPECT_GT(trendTen, 3 * hwTen);

  // The live one-step error is visible and matches what was measured.
  const ForecastAccuracy a = hw.accuracy();
  EXPECT_EQ(a.scored, kSeason);  // the window: one season
  EXPECT_LT(a.meanAbsoluteError, 1.5 * kNoiseSd * std::sqrt(2 / std::numbers::pi));
  ASSERT_TRUE(a.meanAbsolutePercentError.has_value());
  EXPECT_LT(*a.meanAbsolutePercentError, 5.0);  // values are 50..170
  const auto json = hw.toJson();
  EXPECT_EQ(json["scored"], kSeason);
  EXPECT_TRUE(json["meanAbsolutePercentError"].is_number());
}

TEST(ScalingForecast, TrendModelFollowsALineBeforeTwoSeasons) {
  Forecaster f({.seasonLength = kSeason});
  for (int t = 0; t < 50; ++t) f.add(10 + 2.0 * t);
  EXPECT_EQ(f.model(), ForecastModel::kTrend);
  EXPECT_NEAR(f.forecast(1), 10 + 2.0 * 50, 0.5);
  EXPECT_NEAR(f.forecast(10), 10 + 2.0 * 59, 1.0);
  EXPECT_NEAR(f.peakForecast(10), f.forecast(10), 1e-9);
  EXPECT_NEAR(f.accuracy().meanAbsoluteError, 0, 1.0);
}

TEST(ScalingForecast, NeverNegative) {
  Forecaster f({.seasonLength = 0});
  for (int t = 0; t < 40; ++t) f.add(std::max(0.0, 100 - 5.0 * t));  // falls to 0 and stays
  EXPECT_GE(f.forecast(1), 0);
  Forecaster falling({.seasonLength = 0});
  for (int t = 0; t < 15; ++t) falling.add(100 - 6.0 * t);  // still falling fast
  EXPECT_EQ(falling.forecast(50), 0);                       // the line would be far below 0
  falling.add(-20);                                         // taken as 0
  EXPECT_EQ(falling.lastSample(), 0);
}

TEST(ScalingForecast, MapeSkipsZeroActualsAndResetForgets) {
  Forecaster f({.seasonLength = 0});
  for (int t = 0; t < 20; ++t) f.add(0);
  const ForecastAccuracy a = f.accuracy();
  EXPECT_GT(a.scored, 0u);
  EXPECT_FALSE(a.meanAbsolutePercentError.has_value());
  f.reset();
  EXPECT_EQ(f.samples(), 0u);
  EXPECT_EQ(f.model(), ForecastModel::kNone);
  EXPECT_EQ(f.accuracy().scored, 0u);
}
