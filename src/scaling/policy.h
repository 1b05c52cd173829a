#pragma once
// A service's scaling policy: what to measure, the targets, and the rules
// (tolerance, stabilization windows, rate policies, cooldown, bounds) that keep
// the autoscaler from flapping. The same JSON shape is read from the config
// file (`services[i].scaling`), from the admin API and from the store; one
// parser validates all three and reports every problem with its path.
//
// Defaults follow the Kubernetes HorizontalPodAutoscaler (v2 behavior) where it
// has one: tolerance 10 %, scale-up stabilization 0 s, scale-down stabilization
// 300 s, scale-up rate max(100 % or 4 instances per 15 s), scale-down rate
// 100 % per 15 s. The seed's `scaling.autoScaling` keys (enabled, min/max,
// CPU and memory targets) give the rest (see defaultPolicy()).
//
// JSON shape (durations in milliseconds):
//   { "enabled": true, "minInstances": 1, "maxInstances": 4,
//     "targetCpuPercent": 70, "targetMemoryPercent": 80,          // 0 = not used
//     "targetRequestsPerSecond": 200, "targetLatencyP95Ms": 0,     // 0 = not used
//     "targetConnections": 0,                                      // 0 = not used
//     "customMetrics": [{"name": "queue_depth", "target": 30}],
//     "tolerance": 0.1, "cooldown": 5000,
//     "scaleUpStabilization": 0, "scaleDownStabilization": 300000,
//     "policies": {"scaleUp": [{"type": "percent", "value": 100, "periodMs": 15000},
//                              {"type": "instances", "value": 4, "periodMs": 15000}],
//                  "scaleDown": [{"type": "percent", "value": 100, "periodMs": 15000}],
//                  "selectPolicy": "max"},   // or scaleUpSelectPolicy / scaleDownSelectPolicy
//     "predictive": {"mode": "off", "metric": "requests",
//                    "seasonPeriodMs": 86400000, "stepMs": 60000} }
//
// Per-instance targets (CPU, memory, requests, connections, custom) are compared
// with the average per ready instance; the latency target with the service's p95.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "core/json.h"
#include "core/json_reader.h"

namespace ballast::scaling {

// Metric names as used in EvaluationInputs::metrics, in decisions ("trigger")
// and in predictive.metric. Custom metrics are "custom:<name>".
namespace metric {
inline constexpr std::string_view kCpu = "cpu";            // percent of one core, per instance
inline constexpr std::string_view kMemory = "memory";      // percent, per instance
inline constexpr std::string_view kRequests = "requests";  // requests per second, per instance
inline constexpr std::string_view kLatency = "latency";    // p95 in ms, whole service
inline constexpr std::string_view kConnections = "connections";  // open connections, per instance
inline constexpr std::string_view kCustomPrefix = "custom:";
// Decision triggers that are not metrics.
inline constexpr std::string_view kForecast = "forecast";
inline constexpr std::string_view kManual = "manual";
std::string custom(std::string_view name);  // "custom:" + name
}  // namespace metric

// One rate policy: at most `value` instances (or percent of the count at the
// start of the period) added/removed within any `period`.
struct RatePolicy {
  enum class Type { kInstances, kPercent };
  Type type = Type::kInstances;
  int value = 4;
  core::Millis period{15000};
};

// How several rate policies of one direction combine (HPA selectPolicy):
// kMax allows the largest change, kMin the smallest, kDisabled none at all.
enum class SelectPolicy { kMax, kMin, kDisabled };

struct DirectionRules {
  std::vector<RatePolicy> policies;  // empty: no rate limit in this direction
  SelectPolicy select = SelectPolicy::kMax;
};

// Where ballast reads a custom metric itself: each ready instance's Prometheus
// endpoint, the samples of `metric` summed over their labels.
struct MetricScrape {
  std::string path = "/metrics";
  std::string metric;  // the exposition's metric name; empty = the custom metric's name
};

struct CustomMetricTarget {
  std::string name;   // letters, digits, '_', '.', '-', ':'; 1-64 characters
  double target = 0;  // per-instance average
  std::optional<MetricScrape> scrape;  // absent: values are pushed through the API
};

enum class PredictiveMode { kOff, kForecastOnly, kForecastAndScale };

struct PredictivePolicy {
  PredictiveMode mode = PredictiveMode::kOff;
  // The metric forecast: cpu, memory, requests, connections or custom:<name>;
  // it must have a target. Empty: the first of requests, cpu, connections,
  // memory, custom metrics that has one (resolved by the parser).
  std::string metric;
  core::Millis seasonPeriod{86'400'000};  // one day: the load's recurring pattern
  core::Millis step{60'000};              // one sample of the service's total per step
};

struct ScalingPolicy {
  bool enabled = false;
  int minInstances = 2;  // 0 allows scale to zero (KEDA style) and back on any activity
  int maxInstances = 10;
  double targetCpuPercent = 70;     // 0 = not used
  double targetMemoryPercent = 80;  // 0 = not used
  double targetRequestsPerSecond = 0;
  double targetLatencyP95Ms = 0;
  double targetConnections = 0;
  std::vector<CustomMetricTarget> customMetrics;
  double tolerance = 0.1;  // no change while |value/target - 1| <= tolerance
  // After any applied change, no further automatic change for this long. The
  // HPA has no cooldown (its windows do that work); 5 s lets a new instance's
  // metrics show before the next step without slowing a burst much. Flapping
  // is prevented by the scale-down window, not by this.
  core::Millis cooldown{5000};
  core::Millis scaleUpStabilization{0};  // scale up to the lowest recommendation in the window
  core::Millis scaleDownStabilization{
      300'000};  // scale down to the highest recommendation in the window
  DirectionRules scaleUp{{{RatePolicy::Type::kPercent, 100, core::Millis{15000}},
                          {RatePolicy::Type::kInstances, 4, core::Millis{15000}}},
                         SelectPolicy::kMax};
  DirectionRules scaleDown{{{RatePolicy::Type::kPercent, 100, core::Millis{15000}}},
                           SelectPolicy::kMax};
  PredictivePolicy predictive;

  // The target for a metric name ("cpu", "custom:x"); nullopt when the policy
  // does not use that metric (no target or target 0).
  std::optional<double> targetFor(std::string_view metricName) const;
  // Every metric with a target, in a fixed order: cpu, memory, requests,
  // latency, connections, then custom metrics as listed.
  std::vector<std::pair<std::string, double>> targets() const;
};

// The policy every service starts from: HPA defaults plus the seed's
// `scaling.autoScaling` keys.
ScalingPolicy defaultPolicy(const core::AutoScalingConfig& config);

// Reads a policy from JSON on top of `defaults` (absent keys keep the default).
// Errors: kValidation with one detail per problem (path + reason), every problem
// at once; unknown keys are rejected; minInstances <= maxInstances.
// `pathPrefix` is the path of `json` itself ("" or "/scaling" in the API,
// "services[0].scaling" in the file). `style`: how paths are written; when not
// given, dotted for a non-empty prefix not starting with '/', else JSON pointer.
core::Result<ScalingPolicy> parseScalingPolicy(const core::Json& json,
                                               const ScalingPolicy& defaults,
                                               std::string pathPrefix,
                                               std::optional<core::PathStyle> style = std::nullopt);

// The full policy in the shape parseScalingPolicy reads (parse(toJson(p)) == p).
core::Json toJson(const ScalingPolicy& policy);

std::string_view modeName(PredictiveMode mode);  // "off", "forecast-only", "forecast-and-scale"
std::string_view selectPolicyName(SelectPolicy select);  // "max", "min", "disabled"

}  // namespace ballast::scaling
