#pragma once
// alerts::AlertGroups — Alertmanager's grouping of notifications (its route's
// group_by, group_wait, group_interval and repeat_interval), as pure logic
// over times the caller passes in.
//
//   - Alerts whose `groupBy` labels have the same values form one group; one
//     notification carries the whole group. groupBy {"..."} groups by every
//     label (each alert alone); an empty groupBy puts every alert in one group.
//   - A new group is first notified groupWait after its first alert, so alerts
//     that start together go out together.
//   - After that, a change (an alert newly firing, or one that was notified
//     firing now resolved) is notified no sooner than groupInterval after the
//     group's previous notification.
//   - With nothing new, a group with firing alerts is notified again every
//     repeatInterval (0: never).
//   - A resolved alert goes out once, in the group's next notification, and
//     only if it had been notified firing; then it leaves the group. A group
//     left without alerts is forgotten.
//
// Thread-safety: none; Notifier calls it under its mutex.

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "alerts/evaluator.h"
#include "core/clock.h"

namespace ballast::alerts {

struct GroupingConfig {
  std::vector<std::string> groupBy{
      "alertname"};  // Alertmanager's default route groups by alertname
  std::chrono::milliseconds groupWait{30000};
  std::chrono::milliseconds groupInterval{300000};
  std::chrono::milliseconds repeatInterval{14400000};  // 0 = never repeat
};

// One notification of a group.
struct GroupNotification {
  std::string groupKey;  // Alertmanager's form: {}:{label="value",...}
  Labels groupLabels;
  std::vector<Alert> alerts;  // firing ones first, then resolved ones; by fingerprint within each
};

class AlertGroups {
 public:
  explicit AlertGroups(GroupingConfig config) : config_(std::move(config)) {}

  // The alert's latest state (firing or resolved), as of `now`.
  void add(const Alert& alert, core::MonoTime now);
  // The notifications due at `now`; each group's state moves on as if they were sent.
  std::vector<GroupNotification> due(core::MonoTime now);
  // When the next notification falls due; nullopt when none is scheduled.
  std::optional<core::MonoTime> nextDue() const;
  size_t groups() const { return groups_.size(); }

 private:
  struct Group {
    Labels labels;
    std::map<std::string, Alert> alerts;   // by fingerprint: the latest state
    std::set<std::string> notifiedFiring;  // fingerprints the last notification sent as firing
    std::optional<core::MonoTime> lastSent;
    std::optional<core::MonoTime> dueAt;
  };

  Labels groupLabelsOf(const Alert& alert) const;
  // Whether the group holds something its last notification did not say.
  static bool changed(const Group& group);

  const GroupingConfig config_;
  std::map<std::string, Group> groups_;  // by group key
};

}  // namespace ballast::alerts
