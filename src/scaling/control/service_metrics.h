#pragma once
// What the controller reads from a service's own counters each evaluation:
// requests per second (from the change of the requests counter) and the p95
// latency of the responses since the last reading (from the change of the
// latency histogram, interpolated within its bucket as Prometheus'
// histogram_quantile does).
//
// Thread-safety: none; one meter per service, on the control thread.

#include <optional>

#include "core/clock.h"
#include "proxy/service.h"
#include "telemetry/latency_histogram.h"

namespace ballast::scaling {

struct ServiceReading {
  std::optional<double> requestsPerSecond;  // service total; none on the first reading
  std::optional<double> p95Millis;          // none without responses since the last reading
};

class ServiceMeter {
 public:
  // The first call sets the baseline and returns nothing.
  ServiceReading read(const proxy::ServiceCounters& counters, core::MonoTime now);

 private:
  std::optional<core::MonoTime> last_;
  uint64_t lastRequests_ = 0;
  telemetry::LatencyHistogram::Snapshot lastLatency_;
};

// The `quantile` (0..1) of the samples recorded between two snapshots, in
// milliseconds; none when there were none. Samples in the +Inf bucket read as
// the largest finite bound.
std::optional<double> quantileBetween(const telemetry::LatencyHistogram::Snapshot& before,
                                      const telemetry::LatencyHistogram::Snapshot& after,
                                      double quantile);

}  // namespace ballast::scaling
