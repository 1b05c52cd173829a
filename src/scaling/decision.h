#pragma once
// What the autoscaler is given on each tick and what it answers.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/json.h"

namespace ballast::scaling {

// One metric as the controller measured it this tick.
struct MetricSample {
  // Per-instance metrics (cpu, memory, requests, connections, custom): the
  // average over the instances that reported it. Latency: the service's p95.
  // With no instances at all (scale from zero): the service's total (e.g.
  // requests per second arriving for the service); any value > 0 is activity.
  double value = 0;
  // How many ready instances reported the metric; nullopt = all of them.
  // The others are "missing" and handled as the HPA does (see Autoscaler).
  std::optional<int> reporting;
};

struct EvaluationInputs {
  int currentInstances = 0;  // instances that exist (starting + serving)
  int readyInstances = 0;    // instances healthy and in the pool
  // By metric name ("cpu", "memory", "requests", "latency", "connections",
  // "custom:<name>"); a metric the policy targets but absent here is missing.
  std::map<std::string, MetricSample, std::less<>> metrics;
  // Measured time from start() to serving; the forecast looks this far ahead.
  core::Millis startupTime{0};
};

// Why a decision did not simply follow the metrics.
enum class Hold {
  kDisabled,       // policy.enabled is false: the count is left alone
  kNoMetrics,      // no targeted metric was available: the count is left alone
  kTolerance,      // metrics off target but within the tolerance
  kStabilization,  // limited by the recommendations within a stabilization window
  kRateLimit,      // limited by a rate policy (or selectPolicy disabled)
  kCooldown,       // a change was applied less than `cooldown` ago
  kMinMax,         // clamped to minInstances / maxInstances
  kOverride,       // a manual override holds the count
};
std::string_view holdName(Hold hold);  // "disabled", "no-metrics", "tolerance", "stabilization",
                                       // "rate-limit", "cooldown", "min-max", "override"

struct HeldBack {
  Hold hold;
  int wanted = 0;   // the count before this step
  int allowed = 0;  // the count after it
  std::string detail;
};

// What one metric alone asks for.
struct MetricProposal {
  std::string metric;           // "cpu", "custom:queue_depth"
  std::optional<double> value;  // as reported; nullopt = missing
  double target = 0;
  double ratio = 0;   // value / target (0 when missing)
  int reporting = 0;  // ready instances that reported it
  int proposed = 0;   // desired count from this metric alone
  bool withinTolerance = false;
  bool missing = false;  // no value: this metric does not vote
};

// The predictive part of a decision (policy.predictive.mode != off).
struct ForecastProposal {
  std::string metric;
  std::string model;        // "none", "trend", "holt-winters"
  double predicted = 0;     // service total expected by now + horizon (peak over the horizon)
  double target = 0;        // per-instance target of that metric
  core::Millis horizon{0};  // start-up time looked ahead
  int proposed = 0;         // instances needed for `predicted` (current when within the tolerance)
  bool acting = false;      // mode forecast-and-scale: may raise the count (never lowers it)
  bool raised = false;      // it did raise the recommendation above the metrics'
  std::optional<double> meanAbsoluteError;
  std::optional<double> meanAbsolutePercentError;
};

struct Decision {
  core::MonoTime at{};
  int current = 0;
  int ready = 0;
  int recommended =
      0;  // from the metrics (and an acting forecast), before stabilization/rate/cooldown/bounds
  int wouldBe = 0;  // what the autoscaler alone would set (differs from desired under an override)
  int desired = 0;  // what the controller should make the count
  std::string trigger;  // "cpu", "memory", "requests", "latency", "connections", "custom:<n>",
                        // "forecast", "manual"
  std::string reason;   // "CPU 92% over target 70% on 2 instances"
  std::vector<MetricProposal> metrics;
  std::optional<ForecastProposal> forecast;
  std::vector<HeldBack> heldBack;  // in the order applied
  bool overridden = false;

  bool changes() const { return desired != current; }
  bool heldBy(Hold hold) const;
};

core::Json toJson(const Decision& decision);

}  // namespace ballast::scaling
