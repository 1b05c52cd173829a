#include "proxy/outcome_recorder.h"

namespace ballast::proxy {

OutcomeRecorder::~OutcomeRecorder() {
  // The request ended without an outcome for its server (the client left):
  // the permit goes back unreported, so a half-open trial is not lost.
  if (permitHeld_) server_->breaker->releasePermission();
}

void OutcomeRecorder::attach(const ServerRuntime& server) {
  if (permitHeld_) server_->breaker->releasePermission();
  server_ = &server;
  permitHeld_ = true;
}

void OutcomeRecorder::applyOutlier(health::Outcome outcome) {
  if (auto ejection = server_->outlier->record(outcome)) service_.applyEjection(*ejection);
}

void OutcomeRecorder::gatewayFailure(SteadyTime now) {
  if (server_ == nullptr) return;
  if (permitHeld_) server_->breaker->onError(now - started_);
  permitHeld_ = false;
  applyOutlier(health::Outcome::kGatewayFailure);
}

void OutcomeRecorder::responded(int status, SteadyTime now) {
  const auto elapsed = now - started_;
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed);
  server_->state->recordLatency(micros);
  server_->state->recordResponseTime(micros, now);  // p50/p95/p99 per server
  if (permitHeld_) {
    if (status >= 500)
      server_->breaker->onError(elapsed);
    else
      server_->breaker->onSuccess(elapsed);
    permitHeld_ = false;
  }
  applyOutlier(health::outcomeFromStatus(status));
  auto& counters = service_.counters();
  if (status >= 500) counters.errors.fetch_add(1, std::memory_order_relaxed);
  counters.responses.fetch_add(1, std::memory_order_relaxed);
  counters.responseMicros.fetch_add(static_cast<uint64_t>(micros.count()),
                                    std::memory_order_relaxed);
  counters.statusClasses.record(status);
  counters.latency.record(micros);
}

void OutcomeRecorder::answeredLocally(core::ErrorCode code) {
  auto& counters = service_.counters();
  const int status = core::httpStatus(code);
  if (status >= 500) counters.errors.fetch_add(1, std::memory_order_relaxed);
  counters.statusClasses.record(status);
}

}  // namespace ballast::proxy
