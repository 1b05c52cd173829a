#pragma once
// A scripted service for autoscaler tests: a simulated clock, an autoscaler and
// an instance count that follows each decision at once (every instance ready
// immediately unless a test says otherwise), with the changes counted.

#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "scaling/autoscaler.h"

namespace ballast::scaling::testing {

inline ScalingPolicy cpuPolicy(int minInstances = 1, int maxInstances = 10, double targetCpu = 70) {
  ScalingPolicy p;
  p.enabled = true;
  p.minInstances = minInstances;
  p.maxInstances = maxInstances;
  p.targetCpuPercent = targetCpu;
  p.targetMemoryPercent = 0;
  return p;
}

class ScriptedService {
 public:
  ScriptedService(ScalingPolicy policy, int initialInstances)
      : scaler(clock, std::move(policy)), instances(initialInstances) {}

  // One tick at the current time with these per-instance metrics; applies the
  // decision (reporting the change to the autoscaler) and returns it.
  Decision tick(std::vector<std::pair<std::string, double>> metrics, int ready = -1) {
    EvaluationInputs in;
    in.currentInstances = instances;
    in.readyInstances = ready < 0 ? instances : ready;
    in.startupTime = startupTime;
    for (auto& [name, value] : metrics) in.metrics[name] = MetricSample{value, std::nullopt};
    Decision d = scaler.evaluate(in);
    if (d.desired != instances) {
      scaler.recordChange(instances, d.desired, clock.now());
      instances = d.desired;
      ++changes;
    }
    return d;
  }

  // One tick with a CPU value, then time moves on by `after`.
  Decision cpuTick(double cpu, core::Millis after = core::Millis{15000}) {
    Decision d = tick({{"cpu", cpu}});
    clock.advance(after);
    return d;
  }

  core::SimulatedClock clock;
  Autoscaler scaler;
  int instances;
  int changes = 0;
  core::Millis startupTime{0};
};

}  // namespace ballast::scaling::testing
