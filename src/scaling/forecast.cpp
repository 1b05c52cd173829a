#include "scaling/forecast.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ballast::scaling {

namespace {

constexpr size_t kMinErrorWindow = 60;
constexpr size_t kMinTrendHistory = 240;
constexpr double kNearZero = 1e-6;

// Smoothing parameters tried by the fits. Coarse on purpose: the error surface
// is flat near its minimum, and each fit replays the whole stored history.
constexpr double kAlphas[] = {0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9};
constexpr double kBetas[] = {0.0, 0.01, 0.05, 0.1, 0.2};
constexpr double kGammas[] = {0.05, 0.1, 0.2, 0.3, 0.5};

struct HoltState {
  double level = 0;
  double trend = 0;
};

// Holt's linear trend over `xs`; returns the one-step squared error sum.
double replayTrend(const std::deque<double>& xs, double alpha, double beta, HoltState& state) {
  state = {xs.empty() ? 0 : xs.front(), 0};
  double sse = 0;
  for (size_t t = 1; t < xs.size(); ++t) {
    const double predicted = state.level + state.trend;
    sse += (xs[t] - predicted) * (xs[t] - predicted);
    const double level = alpha * xs[t] + (1 - alpha) * predicted;
    state.trend = beta * (level - state.level) + (1 - beta) * state.trend;
    state.level = level;
  }
  return sse;
}

struct SeasonalState {
  double level = 0;
  double trend = 0;
  std::vector<double> season;
  size_t pos = 0;
};

// Holt-Winters additive over `xs` (two or more whole seasons of length m):
// initialised from the first two seasons, then run over all of `xs`.
double replaySeasonal(const std::deque<double>& xs, size_t m, double alpha, double beta,
                      double gamma, SeasonalState& state) {
  double mean1 = 0;
  double mean2 = 0;
  for (size_t i = 0; i < m; ++i) {
    mean1 += xs[i];
    mean2 += xs[m + i];
  }
  mean1 /= static_cast<double>(m);
  mean2 /= static_cast<double>(m);
  state.trend = (mean2 - mean1) / static_cast<double>(m);
  // mean1 is the level in the middle of the first season; step back to just
  // before its first sample.
  state.level = mean1 - state.trend * (static_cast<double>(m) + 1) / 2;
  state.season.assign(m, 0);
  for (size_t i = 0; i < m; ++i) state.season[i] = ((xs[i] - mean1) + (xs[m + i] - mean2)) / 2;
  state.pos = 0;

  double sse = 0;
  for (double x : xs) {
    const double s = state.season[state.pos];
    const double predicted = state.level + state.trend + s;
    sse += (x - predicted) * (x - predicted);
    const double level = alpha * (x - s) + (1 - alpha) * (state.level + state.trend);
    state.trend = beta * (level - state.level) + (1 - beta) * state.trend;
    state.level = level;
    state.season[state.pos] = gamma * (x - level) + (1 - gamma) * s;
    state.pos = (state.pos + 1) % m;
  }
  return sse;
}

}  // namespace

std::string_view modelName(ForecastModel model) {
  switch (model) {
    case ForecastModel::kNone:
      return "none";
    case ForecastModel::kTrend:
      return "trend";
    case ForecastModel::kSeasonal:
      return "holt-winters";
  }
  return "none";
}

Forecaster::Forecaster(ForecastOptions options) : options_(options) {
  if (options_.errorWindow == 0)
    options_.errorWindow = std::max(kMinErrorWindow, options_.seasonLength);
}

void Forecaster::reset() {
  model_ = ForecastModel::kNone;
  samples_ = 0;
  params_ = {};
  level_ = 0;
  trend_ = 0;
  season_.clear();
  seasonPos_ = 0;
  sinceFit_ = 0;
  history_.clear();
  pending_.reset();
  absErrors_.clear();
  pctErrors_.clear();
}

std::optional<double> Forecaster::lastSample() const {
  if (history_.empty()) return std::nullopt;
  return history_.back();
}

void Forecaster::scoreError(double actual) {
  if (!pending_) return;
  const double error = std::fabs(actual - *pending_);
  absErrors_.push_back(error);
  pctErrors_.push_back(std::fabs(actual) > kNearZero
                           ? std::optional<double>(100 * error / std::fabs(actual))
                           : std::nullopt);
  while (absErrors_.size() > options_.errorWindow) {
    absErrors_.pop_front();
    pctErrors_.pop_front();
  }
}

void Forecaster::add(double value) {
  if (!std::isfinite(value) || value < 0) value = 0;
  scoreError(value);
  ++samples_;
  ++sinceFit_;
  history_.push_back(value);
  const size_t m = options_.seasonLength;
  const size_t keep = m >= 2 ? 2 * m : kMinTrendHistory;
  while (history_.size() > keep) history_.pop_front();

  if (model_ == ForecastModel::kSeasonal) {
    if (sinceFit_ >= m) {
      fitSeasonalParams();  // replays the last two seasons, which include this sample
    } else {
      stepSeasonal(value);
    }
  } else if (m >= 2 && samples_ >= 2 * m) {
    startSeasonal();
  } else if (samples_ == 1) {
    level_ = value;
    trend_ = 0;
  } else {
    model_ = ForecastModel::kTrend;
    // Refit as the history doubles (10, 20, 40, ... samples), else one step.
    if (samples_ >= 10 && sinceFit_ * 2 >= samples_) {
      sinceFit_ = 0;
      double best = std::numeric_limits<double>::infinity();
      for (double alpha : kAlphas) {
        for (double beta : kBetas) {
          HoltState state;
          const double sse = replayTrend(history_, alpha, beta, state);
          if (sse < best) {
            best = sse;
            params_.alpha = alpha;
            params_.beta = beta;
            level_ = state.level;
            trend_ = state.trend;
          }
        }
      }
    } else {
      stepTrend(value);
    }
  }
  pending_ = model_ == ForecastModel::kNone ? std::nullopt : std::optional<double>(forecast(1));
}

void Forecaster::stepTrend(double value) {
  const double predicted = level_ + trend_;
  const double level = params_.alpha * value + (1 - params_.alpha) * predicted;
  trend_ = params_.beta * (level - level_) + (1 - params_.beta) * trend_;
  level_ = level;
}

void Forecaster::stepSeasonal(double value) {
  const double s = season_[seasonPos_];
  const double level = params_.alpha * (value - s) + (1 - params_.alpha) * (level_ + trend_);
  trend_ = params_.beta * (level - level_) + (1 - params_.beta) * trend_;
  level_ = level;
  season_[seasonPos_] = params_.gamma * (value - level) + (1 - params_.gamma) * s;
  seasonPos_ = (seasonPos_ + 1) % season_.size();
}

void Forecaster::startSeasonal() {
  model_ = ForecastModel::kSeasonal;
  fitSeasonalParams();
}

void Forecaster::fitSeasonalParams() {
  sinceFit_ = 0;
  const size_t m = options_.seasonLength;
  double best = std::numeric_limits<double>::infinity();
  SeasonalState bestState;
  for (double alpha : kAlphas) {
    for (double beta : kBetas) {
      for (double gamma : kGammas) {
        SeasonalState state;
        const double sse = replaySeasonal(history_, m, alpha, beta, gamma, state);
        if (sse < best) {
          best = sse;
          params_ = {alpha, beta, gamma};
          bestState = std::move(state);
        }
      }
    }
  }
  level_ = bestState.level;
  trend_ = bestState.trend;
  season_ = std::move(bestState.season);
  // history_ holds exactly 2m samples here, so the replay ends where the live
  // series is: the next sample takes season position `pos`.
  seasonPos_ = bestState.pos;
}

double Forecaster::forecast(size_t aheadSteps) const {
  const size_t h = std::max<size_t>(aheadSteps, 1);
  double value = 0;
  switch (model_) {
    case ForecastModel::kNone:
      return 0;
    case ForecastModel::kTrend:
      value = level_ + static_cast<double>(h) * trend_;
      break;
    case ForecastModel::kSeasonal:
      value =
          level_ + static_cast<double>(h) * trend_ + season_[(seasonPos_ + h - 1) % season_.size()];
      break;
  }
  return std::max(0.0, value);
}

double Forecaster::peakForecast(size_t aheadSteps) const {
  double peak = 0;
  for (size_t h = 1; h <= std::max<size_t>(aheadSteps, 1); ++h) peak = std::max(peak, forecast(h));
  return peak;
}

ForecastAccuracy Forecaster::accuracy() const {
  ForecastAccuracy a;
  a.scored = absErrors_.size();
  if (a.scored == 0) return a;
  double sum = 0;
  for (double e : absErrors_) sum += e;
  a.meanAbsoluteError = sum / static_cast<double>(a.scored);
  double pctSum = 0;
  size_t pctCount = 0;
  for (const auto& p : pctErrors_) {
    if (!p) continue;
    pctSum += *p;
    ++pctCount;
  }
  if (pctCount > 0) a.meanAbsolutePercentError = pctSum / static_cast<double>(pctCount);
  return a;
}

core::Json Forecaster::toJson() const {
  const ForecastAccuracy a = accuracy();
  const bool seasonal = model_ == ForecastModel::kSeasonal;
  const bool fitted = model_ != ForecastModel::kNone;
  return {
      {"model", modelName(model_)},
      {"samples", samples_},
      {"seasonLength", options_.seasonLength},
      {"level", fitted ? core::Json(level_) : core::Json(nullptr)},
      {"trend", fitted ? core::Json(trend_) : core::Json(nullptr)},
      {"alpha", fitted ? core::Json(params_.alpha) : core::Json(nullptr)},
      {"beta", fitted ? core::Json(params_.beta) : core::Json(nullptr)},
      {"gamma", seasonal ? core::Json(params_.gamma) : core::Json(nullptr)},
      {"next", fitted ? core::Json(forecast(1)) : core::Json(nullptr)},
      {"scored", a.scored},
      {"meanAbsoluteError", a.scored > 0 ? core::Json(a.meanAbsoluteError) : core::Json(nullptr)},
      {"meanAbsolutePercentError",
       a.meanAbsolutePercentError ? core::Json(*a.meanAbsolutePercentError) : core::Json(nullptr)}};
}

}  // namespace ballast::scaling
