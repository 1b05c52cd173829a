#pragma once
// The rise/fall state machine of an active health check (HAProxy's `rise` and
// `fall`, the seed's healthyThreshold/unhealthyThreshold). A healthy server
// turns unhealthy after `unhealthyThreshold` consecutive failed checks; an
// unhealthy one turns healthy after `healthyThreshold` consecutive passed
// checks. A result in the other direction restarts the count, so one flap
// changes nothing.
//
// Thread-safety: none; one checker drives it from the control thread.

#include <optional>
#include <string_view>

namespace ballast::health {

enum class HealthStatus { kHealthy, kUnhealthy };

// "healthy" / "unhealthy", as the API shows it.
std::string_view toString(HealthStatus status);

struct HealthThresholdConfig {
  // Consecutive passed checks that make an unhealthy server healthy (seed: 2).
  int healthyThreshold = 2;
  // Consecutive failed checks that make a healthy server unhealthy (seed: 3).
  int unhealthyThreshold = 3;
  // Status before the first check. Healthy, so a server added to a running
  // service takes traffic at once (slow start softens that); choose unhealthy
  // to wait for `healthyThreshold` passed checks first.
  HealthStatus initial = HealthStatus::kHealthy;
};

struct HealthTransition {
  HealthStatus from;
  HealthStatus to;
  bool operator==(const HealthTransition&) const = default;
};

class HealthThreshold {
 public:
  // Thresholds below 1 are taken as 1.
  explicit HealthThreshold(HealthThresholdConfig config = {});

  // Records one check result; returns the transition when this result crossed a
  // threshold, nullopt otherwise.
  std::optional<HealthTransition> record(bool passed);

  HealthStatus status() const { return status_; }
  bool isHealthy() const { return status_ == HealthStatus::kHealthy; }
  // Length of the current run of passed (or failed) checks.
  int consecutivePassed() const { return passed_; }
  int consecutiveFailed() const { return failed_; }

  // Sets the status without a threshold (e.g. an admin override) and clears the counts.
  void reset(HealthStatus status);

 private:
  int healthyThreshold_;
  int unhealthyThreshold_;
  HealthStatus status_;
  int passed_ = 0;
  int failed_ = 0;
};

}  // namespace ballast::health
