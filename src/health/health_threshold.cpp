#include "health/health_threshold.h"

#include <algorithm>

namespace ballast::health {

std::string_view toString(HealthStatus status) {
  return status == HealthStatus::kHealthy ? "healthy" : "unhealthy";
}

HealthThreshold::HealthThreshold(HealthThresholdConfig config)
    : healthyThreshold_(std::max(config.healthyThreshold, 1)),
      unhealthyThreshold_(std::max(config.unhealthyThreshold, 1)),
      status_(config.initial) {}

std::optional<HealthTransition> HealthThreshold::record(bool passed) {
  if (passed) {
    ++passed_;
    failed_ = 0;
  } else {
    ++failed_;
    passed_ = 0;
  }
  const HealthStatus from = status_;
  if (status_ == HealthStatus::kHealthy && failed_ >= unhealthyThreshold_) {
    status_ = HealthStatus::kUnhealthy;
  } else if (status_ == HealthStatus::kUnhealthy && passed_ >= healthyThreshold_) {
    status_ = HealthStatus::kHealthy;
  }
  if (status_ == from) return std::nullopt;
  return HealthTransition{from, status_};
}

void HealthThreshold::reset(HealthStatus status) {
  status_ = status;
  passed_ = 0;
  failed_ = 0;
}

}  // namespace ballast::health
