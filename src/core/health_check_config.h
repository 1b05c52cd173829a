#pragma once
// Active health-check settings: the loadBalancer-wide defaults and each
// service's own (see config.h, service_spec.h).

#include <string>

namespace ballast::core {

struct HealthCheckConfig {
  bool enabled = true;
  int interval = 10000;              // ms between active checks of one server
  int timeout = 5000;                // ms before a check counts as failed
  std::string path = "/health";      // HTTP path probed on each server
  int unhealthyThreshold = 3;        // consecutive failures to mark unhealthy
  int healthyThreshold = 2;          // consecutive successes to mark healthy
};

}  // namespace ballast::core
