#pragma once
// The decision engine of one service: given this tick's instance counts and
// metrics, how many instances the service should have, and why.
//
// Horizontal Pod Autoscaler semantics:
//   1. Per metric with a target: desired = ceil(current × value / target); no
//      change while |value/target − 1| <= tolerance. Conservative handling:
//      when a metric points up, instances that did not report it and instances
//      not yet ready count as 0 (so starting instances are not re-counted);
//      when it points down, they count as exactly at target. If the adjusted
//      ratio flips direction or falls within the tolerance, no change.
//      Latency (a service-wide p95) scales up from the ready count and down
//      from the current count.
//   2. The largest proposal over all metrics wins; no metric at all → no change.
//      A metric measured within the scale-down window but missing now blocks
//      a scale-down (the HPA skips it when a metric cannot be read); one absent
//      for longer is ignored (a provider that never reports CPU, say).
//   3. Scale to and from zero (KEDA style, only when minInstances == 0): with
//      no instances, any activity (a value > 0 of requests, connections or a
//      custom metric) asks for at least one; with instances, all activity
//      metrics at exactly 0 ask for zero (CPU and memory are not activity).
//   4. Predictive (forecast-and-scale): the forecast of the chosen metric's
//      service total, peak over now .. now + startupTime, divided by its
//      target, may raise the recommendation — never lower it. forecast-only
//      reports the same proposal without acting on it.
//   5. Stabilization: every recommendation is remembered; scaling up goes to
//      the lowest recommendation within scaleUpStabilization, scaling down to
//      the highest within scaleDownStabilization.
//   6. Rate policies per period, measured from the changes reported through
//      recordChange(): up to the count at the start of the period plus N
//      instances / P percent (down: minus), combined by selectPolicy. From zero
//      one instance is always allowed.
//   7. Cooldown: no automatic change within `cooldown` of the last applied one.
//   8. minInstances / maxInstances, always (even during a cooldown).
//   9. A manual override replaces the result; steps 1-8 still run and their
//      result is reported as wouldBe ("would scale to 5").
//
// Time comes from the Clock given at construction. Thread-safety: none; one
// instance per service, used from the control thread.

#include <deque>
#include <map>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "scaling/decision.h"
#include "scaling/forecast.h"
#include "scaling/policy.h"

namespace ballast::scaling {

struct Override {
  int instances = 0;
  std::optional<core::MonoTime> until;  // nullopt: held until releaseOverride()
  bool force = false;                   // allows a count outside minInstances..maxInstances
  std::string reason;
};

class Autoscaler {
 public:
  Autoscaler(core::Clock& clock, ScalingPolicy policy);

  const ScalingPolicy& policy() const { return policy_; }
  // Replaces the policy; history (recommendations, changes, forecast) is kept
  // unless the predictive metric, season or step changed (the forecast restarts).
  void setPolicy(ScalingPolicy policy);

  // Decides for this tick (now = clock.now()) and remembers the decision.
  Decision evaluate(const EvaluationInputs& inputs);

  // The controller applied a change of the instance count (by the autoscaler
  // or by an override); starts the cooldown and counts toward rate policies.
  void recordChange(int from, int to, core::MonoTime at);

  // Holds the count at `instances` until `until` or releaseOverride().
  // kValidation when instances < 0, or outside minInstances..maxInstances
  // without `force`; force still caps at kMaxForcedInstances.
  core::Status setOverride(Override override);
  void releaseOverride();
  // The override in force (an expired one is dropped by the next evaluate()).
  const std::optional<Override>& activeOverride() const { return override_; }

  const std::optional<Decision>& lastDecision() const { return last_; }
  std::optional<core::MonoTime> lastChangeAt() const;
  // The forecaster of policy.predictive.metric; null while predictive is off.
  const Forecaster* forecaster() const { return forecaster_ ? &*forecaster_ : nullptr; }

  static constexpr int kMaxForcedInstances = 1000;

 private:
  struct Recommendation {
    core::MonoTime at;
    int count;
  };
  struct Change {
    core::MonoTime at;
    int from;
    int to;
  };

  void resetForecaster();
  void feedForecaster(const EvaluationInputs& inputs, core::MonoTime now);
  void applyForecast(const EvaluationInputs& inputs, Decision& d);
  int stabilize(int recommended, int current, core::MonoTime now, Decision& d);
  int rateLimit(int wanted, int current, core::MonoTime now, Decision& d) const;
  void prune(core::MonoTime now);

  core::Clock& clock_;
  ScalingPolicy policy_;
  std::deque<Recommendation> recommendations_;
  std::deque<Change> changes_;  // within the longest rate-policy period
  std::optional<core::MonoTime> lastChange_;
  std::map<std::string, core::MonoTime, std::less<>>
      lastSeen_;  // when each metric last had a value
  std::optional<Override> override_;
  std::optional<Decision> last_;

  // Predictive: the chosen metric's service total, averaged per step.
  std::optional<Forecaster> forecaster_;
  std::optional<core::MonoTime> bucketStart_;
  double bucketSum_ = 0;
  int bucketCount_ = 0;
};

}  // namespace ballast::scaling
