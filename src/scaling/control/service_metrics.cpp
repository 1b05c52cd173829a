#include "scaling/control/service_metrics.h"

#include <chrono>

namespace ballast::scaling {

using Histogram = telemetry::LatencyHistogram;

std::optional<double> quantileBetween(const Histogram::Snapshot& before,
                                      const Histogram::Snapshot& after, double quantile) {
  if (after.count <= before.count) return std::nullopt;
  const double rank = quantile * static_cast<double>(after.count - before.count);
  double below = 0;  // samples in the buckets before bucket i
  for (size_t i = 0; i < Histogram::kBoundsMicros.size(); ++i) {
    const auto upTo = static_cast<double>(after.cumulative[i] - before.cumulative[i]);
    if (upTo >= rank && upTo > below) {
      const double lower = i == 0 ? 0.0 : static_cast<double>(Histogram::kBoundsMicros[i - 1]);
      const double upper = static_cast<double>(Histogram::kBoundsMicros[i]);
      return (lower + (upper - lower) * (rank - below) / (upTo - below)) / 1000.0;
    }
    below = upTo;
  }
  return static_cast<double>(Histogram::kBoundsMicros.back()) / 1000.0;  // the +Inf bucket
}

ServiceReading ServiceMeter::read(const proxy::ServiceCounters& counters, core::MonoTime now) {
  const uint64_t requests = counters.requests.load(std::memory_order_relaxed);
  const auto latency = counters.latency.snapshot();
  ServiceReading reading;
  if (last_ && now > *last_) {
    const double seconds = std::chrono::duration<double>(now - *last_).count();
    reading.requestsPerSecond = static_cast<double>(requests - lastRequests_) / seconds;
    reading.p95Millis = quantileBetween(lastLatency_, latency, 0.95);
  }
  last_ = now;
  lastRequests_ = requests;
  lastLatency_ = latency;
  return reading;
}

}  // namespace ballast::scaling
