#pragma once
// The outcome stage of the request path: the one place that records what a
// request came to, for the server that served it (circuit breaker, outlier
// detection, latency EWMA and percentiles) and for its service (counters,
// status classes, the latency histogram). Whatever way a request ends, each
// fact is recorded once: a breaker permit is reported or given back, never
// leaked.
//
// Thread-safety: one per request, on that request's thread; what it records
// into is thread-safe.

#include <chrono>

#include "core/error.h"
#include "health/outlier_detector.h"
#include "proxy/service.h"

namespace ballast::proxy {

class OutcomeRecorder {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  OutcomeRecorder(Service& service, SteadyTime started) : service_(service), started_(started) {}
  ~OutcomeRecorder();
  OutcomeRecorder(const OutcomeRecorder&) = delete;
  OutcomeRecorder& operator=(const OutcomeRecorder&) = delete;

  // `server` now has the request, holding its breaker permit (the selector took it).
  void attach(const ServerRuntime& server);
  const ServerRuntime* server() const { return server_; }

  // The attached server failed the request (no connection, a reset, a
  // timeout, a malformed or broken-off response): a gateway failure for its
  // breaker and outlier detection.
  void gatewayFailure(SteadyTime now);
  // Its response head arrived: latency, breaker, outliers, service counters.
  void responded(int status, SteadyTime now);
  // ballast answered the client itself with `code` (no server, a limit, a failure).
  void answeredLocally(core::ErrorCode code);

 private:
  void applyOutlier(health::Outcome outcome);

  Service& service_;
  const SteadyTime started_;
  const ServerRuntime* server_ = nullptr;
  bool permitHeld_ = false;  // the attached server's breaker permit is not reported yet
};

}  // namespace ballast::proxy
