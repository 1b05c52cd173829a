#include "scaling/autoscaler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "scaling/metric_proposals.h"

namespace ballast::scaling {

namespace {

// The forecast acts only once it has seen this many steps (a trend through a
// handful of points is noise).
constexpr size_t kMinForecastSamples = 10;

std::string seconds(core::Millis ms) {
  return formatAmount(static_cast<double>(ms.count()) / 1000.0) + " s";
}

int64_t millisBetween(core::MonoTime from, core::MonoTime to) {
  return std::chrono::duration_cast<core::Millis>(to - from).count();
}

// The rate limit of one direction: the count allowed at most (up) or at least
// (down) now, from the count at the start of each policy's period.
struct PeriodChange {
  int added = 0;
  int removed = 0;
};

}  // namespace

Autoscaler::Autoscaler(core::Clock& clock, ScalingPolicy policy)
    : clock_(clock), policy_(std::move(policy)) {
  resetForecaster();
}

void Autoscaler::setPolicy(ScalingPolicy policy) {
  const auto& oldP = policy_.predictive;
  const auto& newP = policy.predictive;
  const bool forecastChanged =
      oldP.metric != newP.metric || oldP.seasonPeriod != newP.seasonPeriod ||
      oldP.step != newP.step ||
      (oldP.mode == PredictiveMode::kOff) != (newP.mode == PredictiveMode::kOff);
  policy_ = std::move(policy);
  if (forecastChanged) resetForecaster();
}

void Autoscaler::resetForecaster() {
  bucketStart_.reset();
  bucketSum_ = 0;
  bucketCount_ = 0;
  const auto& p = policy_.predictive;
  if (p.mode == PredictiveMode::kOff || p.metric.empty() || p.step.count() <= 0) {
    forecaster_.reset();
    return;
  }
  const auto seasonLength = static_cast<size_t>(p.seasonPeriod.count() / p.step.count());
  forecaster_.emplace(ForecastOptions{.seasonLength = seasonLength >= 2 ? seasonLength : 0});
}

void Autoscaler::feedForecaster(const EvaluationInputs& inputs, core::MonoTime now) {
  if (!forecaster_) return;
  const int64_t step = policy_.predictive.step.count();
  if (!bucketStart_) bucketStart_ = now;
  const int64_t elapsedSteps = millisBetween(*bucketStart_, now) / step;
  if (elapsedSteps > 0) {
    // A gap longer than two seasons breaks the pattern: start over.
    if (elapsedSteps >
        static_cast<int64_t>(2 * std::max<size_t>(forecaster_->seasonLength(), 1) + 1)) {
      forecaster_->reset();
      bucketStart_ = now;
    } else {
      // The finished step's mean; steps without a tick repeat the last value.
      const std::optional<double> fill = bucketCount_ > 0
                                             ? std::optional<double>(bucketSum_ / bucketCount_)
                                             : forecaster_->lastSample();
      if (fill) {
        for (int64_t i = 0; i < elapsedSteps; ++i) forecaster_->add(*fill);
      }
      *bucketStart_ += core::Millis{elapsedSteps * step};
    }
    bucketSum_ = 0;
    bucketCount_ = 0;
  }
  auto it = inputs.metrics.find(policy_.predictive.metric);
  if (it == inputs.metrics.end()) return;
  const int current = std::max(0, inputs.currentInstances);
  const int ready = std::clamp(inputs.readyInstances, 0, current);
  const int reporting = std::clamp(it->second.reporting.value_or(ready), 0, ready);
  // The service's total: per-instance average × instances that reported it
  // (with no instances the value already is the total).
  const double value = std::max(0.0, it->second.value);
  bucketSum_ += current == 0 ? value : value * reporting;
  ++bucketCount_;
}

void Autoscaler::applyForecast(const EvaluationInputs& inputs, Decision& d) {
  if (!forecaster_) return;
  const auto& p = policy_.predictive;
  const double target = policy_.targetFor(p.metric).value_or(0);
  if (target <= 0) return;
  ForecastProposal f;
  f.metric = p.metric;
  f.model = std::string(modelName(forecaster_->model()));
  f.target = target;
  f.horizon = std::max(core::Millis{0}, inputs.startupTime);
  f.acting = p.mode == PredictiveMode::kForecastAndScale;
  f.proposed = d.current;
  if (const auto accuracy = forecaster_->accuracy(); accuracy.scored > 0) {
    f.meanAbsoluteError = accuracy.meanAbsoluteError;
    f.meanAbsolutePercentError = accuracy.meanAbsolutePercentError;
  }
  if (forecaster_->model() != ForecastModel::kNone && bucketStart_) {
    // The last sample covers the step ending at bucketStart_; look at every
    // step up to the one holding now + horizon, and take the peak.
    const int64_t step = p.step.count();
    const int64_t until = millisBetween(*bucketStart_, d.at) + f.horizon.count();
    const auto steps = static_cast<size_t>(std::max<int64_t>(0, until) / step + 1);
    f.predicted = forecaster_->peakForecast(steps);
    const double needed = f.predicted / target;
    if (d.current == 0) {
      f.proposed = f.predicted > 0 ? std::max(1, ceilCount(needed)) : 0;
    } else if (std::fabs(needed / d.current - 1) > policy_.tolerance) {
      f.proposed = ceilCount(needed);
    }
    // It may only ever raise the count, and only from a model with some history.
    if (f.acting && forecaster_->samples() >= kMinForecastSamples && f.proposed > d.recommended) {
      f.raised = true;
      d.recommended = f.proposed;
      if (f.proposed > d.current) {
        // Scaling out ahead of the load: the forecast is the trigger.
        d.trigger = std::string(metric::kForecast);
        d.reason = fmt::format(
            "forecast of {}: {} in total within {} needs {} instances ({}{})", p.metric,
            formatAmount(f.predicted), seconds(f.horizon), f.proposed, f.model,
            f.meanAbsolutePercentError
                ? fmt::format(", one-step MAPE {}%", formatAmount(*f.meanAbsolutePercentError))
                : std::string());
      } else {
        // The metrics scale in; the forecast only keeps a floor under them.
        d.reason += fmt::format("; the forecast of {} keeps at least {}", p.metric, f.proposed);
      }
    }
  }
  d.forecast = std::move(f);
}

int Autoscaler::stabilize(int recommended, int current, core::MonoTime now, Decision& d) {
  int up = recommended;    // lowest within the scale-up window
  int down = recommended;  // highest within the scale-down window
  for (const auto& r : recommendations_) {
    if (r.at > now - policy_.scaleUpStabilization) up = std::min(up, r.count);
    if (r.at > now - policy_.scaleDownStabilization) down = std::max(down, r.count);
  }
  int result = current;
  if (result < up) result = up;
  if (result > down) result = down;
  if (result != recommended) {
    const bool holdingDown = recommended < result;
    d.heldBack.push_back({Hold::kStabilization, recommended, result,
                          holdingDown ? fmt::format("highest recommendation in the last {} is {}",
                                                    seconds(policy_.scaleDownStabilization), down)
                                      : fmt::format("lowest recommendation in the last {} is {}",
                                                    seconds(policy_.scaleUpStabilization), up)});
  }
  return result;
}

int Autoscaler::rateLimit(int wanted, int current, core::MonoTime now, Decision& d) const {
  if (wanted == current) return wanted;
  const bool up = wanted > current;
  const DirectionRules& rules = up ? policy_.scaleUp : policy_.scaleDown;
  auto changeWithin = [&](core::Millis period) {
    PeriodChange c;
    for (const auto& change : changes_) {
      if (change.at <= now - period) continue;
      if (change.to > change.from)
        c.added += change.to - change.from;
      else
        c.removed += change.from - change.to;
    }
    return c;
  };

  int limit = wanted;
  std::string detail;
  if (rules.select == SelectPolicy::kDisabled) {
    limit = current;
    detail = fmt::format("scaling {} is disabled by its selectPolicy", up ? "up" : "down");
  } else if (!rules.policies.empty()) {
    std::optional<int> chosen;
    for (const auto& policy : rules.policies) {
      const PeriodChange c = changeWithin(policy.period);
      int allowed = 0;
      if (up) {
        const int start = std::max(0, current - c.added);
        allowed = policy.type == RatePolicy::Type::kInstances
                      ? start + policy.value
                      : ceilCount(start * (1 + policy.value / 100.0));
      } else {
        const int start = current + c.removed;
        allowed = policy.type == RatePolicy::Type::kInstances
                      ? start - policy.value
                      : static_cast<int>(std::floor(start * (1 - policy.value / 100.0) + 1e-9));
        allowed = std::max(allowed, 0);
      }
      // kMax: the policy allowing the biggest change; kMin: the smallest.
      const bool better =
          !chosen ||
          (up == (rules.select == SelectPolicy::kMax) ? allowed > *chosen : allowed < *chosen);
      if (better) chosen = allowed;
    }
    limit = *chosen;
    if (up)
      limit = std::max(limit, current);
    else
      limit = std::min(limit, current);
    detail = fmt::format("rate policies allow {} now", limit);
  }
  // From zero, one instance is always allowed (a percentage of 0 is 0).
  if (up && current == 0 && limit < 1 && rules.select != SelectPolicy::kDisabled) limit = 1;
  const int result = up ? std::min(wanted, limit) : std::max(wanted, limit);
  if (result != wanted) d.heldBack.push_back({Hold::kRateLimit, wanted, result, detail});
  return result;
}

void Autoscaler::prune(core::MonoTime now) {
  const core::Millis keepRecommendations =
      std::max(policy_.scaleUpStabilization, policy_.scaleDownStabilization);
  while (!recommendations_.empty() && recommendations_.front().at <= now - keepRecommendations) {
    recommendations_.pop_front();
  }
  core::Millis longestPeriod{0};
  for (const auto* rules : {&policy_.scaleUp, &policy_.scaleDown}) {
    for (const auto& p : rules->policies) longestPeriod = std::max(longestPeriod, p.period);
  }
  while (!changes_.empty() && changes_.front().at <= now - longestPeriod) changes_.pop_front();
}

Decision Autoscaler::evaluate(const EvaluationInputs& inputs) {
  const core::MonoTime now = clock_.now();
  bool overrideExpired = false;
  if (override_ && override_->until && now >= *override_->until) {
    override_.reset();
    overrideExpired = true;
  }
  prune(now);

  Decision d;
  d.at = now;
  d.current = std::max(0, inputs.currentInstances);
  d.ready = std::clamp(inputs.readyInstances, 0, d.current);
  feedForecaster(inputs, now);

  // 1-2. Each metric alone, then the largest.
  const ProposalContext context{d.current, d.ready, policy_.tolerance};
  for (const auto& [name, target] : policy_.targets()) {
    auto it = inputs.metrics.find(name);
    d.metrics.push_back(proposeForMetric(name, it == inputs.metrics.end() ? nullptr : &it->second,
                                         target, context));
  }
  const MetricProposal* driver = nullptr;
  for (const auto& m : d.metrics) {
    if (m.missing) continue;
    if (driver == nullptr || m.proposed > driver->proposed ||
        (m.proposed == driver->proposed && std::fabs(m.ratio - 1) > std::fabs(driver->ratio - 1))) {
      driver = &m;
    }
  }
  const bool haveMetrics = driver != nullptr;
  d.recommended = haveMetrics ? driver->proposed : d.current;
  if (haveMetrics) {
    d.trigger = driver->metric;
    d.reason = describeProposal(*driver, d.current, policy_.tolerance);
  } else {
    d.reason = fmt::format("no metric measured: keeping {} instances", d.current);
  }

  // 3. Scale to zero: every activity metric measured and at exactly 0.
  if (policy_.minInstances == 0 && d.current > 0 && haveMetrics) {
    const MetricProposal* idle = nullptr;
    bool allIdle = true;
    for (const auto& m : d.metrics) {
      if (!isActivityMetric(m.metric)) continue;
      if (m.missing || m.value.value_or(1) > 0)
        allIdle = false;
      else if (idle == nullptr)
        idle = &m;
    }
    if (allIdle && idle != nullptr) {
      d.recommended = 0;
      d.trigger = idle->metric;
      d.reason = fmt::format("no activity ({} at 0) on {} instances: scale to zero", idle->metric,
                             d.current);
    }
  }

  // A metric measured within the scale-down window but missing now (a failed
  // read) may be the one that would say "keep them": no scale-down on the
  // others' word (HPA). One absent for longer than the window is ignored.
  for (const auto& m : d.metrics) {
    if (!m.missing) lastSeen_[m.metric] = now;
  }
  if (haveMetrics && d.recommended < d.current) {
    for (const auto& m : d.metrics) {
      auto seen = lastSeen_.find(m.metric);
      if (!m.missing || seen == lastSeen_.end() ||
          seen->second <= now - policy_.scaleDownStabilization)
        continue;
      d.heldBack.push_back(
          {Hold::kNoMetrics, d.recommended, d.current,
           fmt::format("{} is missing (measured {} ago): no scale-down without it", m.metric,
                       seconds(core::Millis{millisBetween(seen->second, now)}))});
      d.recommended = d.current;
      d.reason += fmt::format("; no scale-down while {} is missing", m.metric);
      break;
    }
  }

  // 4. The forecast may raise the recommendation.
  applyForecast(inputs, d);

  if (haveMetrics && d.recommended == d.current) {
    for (const auto& m : d.metrics) {
      if (!m.withinTolerance || m.ratio == 1) continue;
      const int without =
          std::max(ceilCount(d.current * m.ratio), isActivityMetric(m.metric) ? 0 : 1);
      if (without != d.current) {
        d.heldBack.push_back({Hold::kTolerance, without, d.current,
                              fmt::format("{} is within {}% of its target", m.metric,
                                          formatAmount(policy_.tolerance * 100))});
        break;
      }
    }
  }

  int result = d.current;
  if (!policy_.enabled) {
    if (d.recommended != d.current) {
      d.heldBack.push_back({Hold::kDisabled, d.recommended, d.current, "auto-scaling is disabled"});
    }
  } else if (!haveMetrics && !(d.forecast && d.forecast->raised)) {
    d.heldBack.push_back(
        {Hold::kNoMetrics, d.current, d.current, "no targeted metric was measured"});
  } else {
    // 5-7. Stabilization windows, rate policies, cooldown.
    recommendations_.push_back({now, d.recommended});
    result = stabilize(d.recommended, d.current, now, d);
    result = rateLimit(result, d.current, now, d);
    if (result != d.current && lastChange_ && now < *lastChange_ + policy_.cooldown) {
      d.heldBack.push_back({Hold::kCooldown, result, d.current,
                            fmt::format("last change {} ago, cooldown {}",
                                        seconds(core::Millis{millisBetween(*lastChange_, now)}),
                                        seconds(policy_.cooldown))});
      result = d.current;
    }
  }
  // 8. Bounds, always while enabled.
  if (policy_.enabled) {
    const int bounded = std::clamp(result, policy_.minInstances, policy_.maxInstances);
    if (bounded != result) {
      d.heldBack.push_back(
          {Hold::kMinMax, result, bounded,
           fmt::format("bounds are {} to {}", policy_.minInstances, policy_.maxInstances)});
      if (!haveMetrics || d.trigger.empty()) d.trigger = "min-max";
      result = bounded;
    }
  }
  d.wouldBe = result;

  // Say what held it back.
  if (!d.heldBack.empty() && d.wouldBe != d.recommended) {
    std::string holds;
    for (const auto& h : d.heldBack) {
      if (h.hold == Hold::kTolerance) continue;
      holds += holds.empty() ? "" : ", ";
      holds += holdName(h.hold);
    }
    if (!holds.empty()) {
      d.reason += d.wouldBe == d.current ? fmt::format("; held at {} by {}", d.current, holds)
                                         : fmt::format("; limited to {} by {}", d.wouldBe, holds);
    }
  }
  if (overrideExpired) d.reason = "manual override expired; " + d.reason;

  // 9. A manual override has the last word.
  d.desired = d.wouldBe;
  if (override_) {
    d.overridden = true;
    d.desired = override_->instances;
    d.heldBack.push_back({Hold::kOverride, d.wouldBe, d.desired,
                          override_->reason.empty() ? "manual override" : override_->reason});
    const std::string automatic = d.reason;
    d.reason = fmt::format("manual override holds {} instances{}", d.desired,
                           override_->reason.empty() ? "" : " (" + override_->reason + ")");
    if (d.wouldBe != d.desired)
      d.reason += fmt::format("; would scale to {}: {}", d.wouldBe, automatic);
    d.trigger = std::string(metric::kManual);
  }
  last_ = d;
  return d;
}

void Autoscaler::recordChange(int from, int to, core::MonoTime at) {
  if (from == to) return;
  changes_.push_back({at, from, to});
  if (!lastChange_ || at > *lastChange_) lastChange_ = at;
}

core::Status Autoscaler::setOverride(Override override) {
  if (override.instances < 0 || override.instances > kMaxForcedInstances) {
    return std::unexpected(core::Error::validation(
        "/instances", fmt::format("must be between 0 and {}", kMaxForcedInstances)));
  }
  if (!override.force &&
      (override.instances < policy_.minInstances || override.instances > policy_.maxInstances)) {
    return std::unexpected(core::Error::validation(
        "/instances",
        fmt::format("must be between minInstances ({}) and maxInstances ({}) unless forced",
                    policy_.minInstances, policy_.maxInstances)));
  }
  override_ = std::move(override);
  return {};
}

void Autoscaler::releaseOverride() {
  override_.reset();
}

std::optional<core::MonoTime> Autoscaler::lastChangeAt() const {
  return lastChange_;
}

}  // namespace ballast::scaling
