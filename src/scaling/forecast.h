#pragma once
// Load forecasting for predictive scaling — plain time-series statistics.
//
// Samples arrive at a fixed step (one per `step` of the caller's choosing, e.g.
// one per minute). Until two full seasons of history exist the model is Holt's
// linear trend (level + trend, double exponential smoothing); from then on it is
// additive Holt-Winters (level + trend + one seasonal term per position in the
// season), initialised from those two seasons. Smoothing parameters are chosen
// by a small grid search that minimises the one-step-ahead squared error over
// the stored history (the trend model: as its history doubles; Holt-Winters:
// when it starts and again once per season, re-deriving its state from the
// last two seasons, so the model follows a pattern that shifts over days).
//
// Every add() first scores the forecast made one step earlier against the new
// value, so the one-step-ahead error (MAE, MAPE) of the live model is always
// visible. Forecasts are never negative (load cannot be).
//
// Thread-safety: none; owned by one autoscaler on the control thread.

#include <cstddef>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace ballast::scaling {

struct ForecastOptions {
  size_t seasonLength =
      1440;  // samples per season (a day of minutes); 0 = no seasonality (trend only)
  size_t errorWindow =
      0;  // one-step errors averaged over the last N samples; 0 = one season (min 60)
};

enum class ForecastModel {
  kNone,      // fewer than two samples
  kTrend,     // Holt's linear trend
  kSeasonal,  // Holt-Winters additive
};
std::string_view modelName(ForecastModel model);  // "none", "trend", "holt-winters"

struct ForecastAccuracy {
  size_t scored = 0;                               // one-step forecasts scored (within the window)
  double meanAbsoluteError = 0;                    // MAE, in the metric's unit
  std::optional<double> meanAbsolutePercentError;  // MAPE in percent; actuals near 0 are skipped
};

class Forecaster {
 public:
  explicit Forecaster(ForecastOptions options = {});

  // Appends the next sample (one step after the previous one). Negative values
  // are taken as 0.
  void add(double value);

  // The value expected `aheadSteps` steps after the last sample (>= 1; 0 is
  // taken as 1). 0 when no model yet. Never negative.
  double forecast(size_t aheadSteps) const;
  // The largest forecast over steps 1..aheadSteps.
  double peakForecast(size_t aheadSteps) const;

  ForecastModel model() const { return model_; }
  size_t samples() const { return samples_; }
  size_t seasonLength() const { return options_.seasonLength; }
  ForecastAccuracy accuracy() const;
  std::optional<double> lastSample() const;

  // Forgets everything.
  void reset();

  // {model, samples, seasonLength, level, trend, alpha, beta, gamma, next, mae, mape}
  core::Json toJson() const;

 private:
  struct Params {
    double alpha = 0.5;
    double beta = 0.1;
    double gamma = 0.3;
  };
  void startSeasonal();
  void fitSeasonalParams();
  void stepTrend(double value);
  void stepSeasonal(double value);
  void scoreError(double actual);

  ForecastOptions options_;
  ForecastModel model_ = ForecastModel::kNone;
  size_t samples_ = 0;
  Params params_;
  double level_ = 0;
  double trend_ = 0;
  std::vector<double> season_;  // seasonal term per position; empty before kSeasonal
  size_t seasonPos_ = 0;        // season_ index of the next sample
  size_t sinceFit_ = 0;         // samples since the parameters were last fitted
  std::deque<double> history_;  // the last two seasons of samples (for initialising and refitting)
  std::optional<double> pending_;  // the one-step forecast for the next sample
  std::deque<double> absErrors_;
  std::deque<std::optional<double>> pctErrors_;
};

}  // namespace ballast::scaling
