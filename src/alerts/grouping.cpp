#include "alerts/grouping.h"

#include <algorithm>

namespace ballast::alerts {

namespace {

std::string groupKeyOf(const Labels& labels) {
  std::string key = "{}:{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    key += (first ? "" : ",") + name + "=\"" + value + "\"";
    first = false;
  }
  return key + "}";
}

bool isFiring(const Alert& alert) {
  return alert.state != AlertState::kResolved;
}

}  // namespace

Labels AlertGroups::groupLabelsOf(const Alert& alert) const {
  if (config_.groupBy.size() == 1 && config_.groupBy[0] == "...") return alert.labels;
  Labels out;
  for (const auto& name : config_.groupBy) {
    if (auto it = alert.labels.find(name); it != alert.labels.end()) out[name] = it->second;
  }
  return out;
}

bool AlertGroups::changed(const Group& group) {
  for (const auto& [fingerprint, alert] : group.alerts) {
    const bool wasNotified = group.notifiedFiring.contains(fingerprint);
    if (isFiring(alert) != wasNotified) return true;  // newly firing, or notified and now resolved
  }
  return false;
}

void AlertGroups::add(const Alert& alert, core::MonoTime now) {
  Labels labels = groupLabelsOf(alert);
  const std::string key = groupKeyOf(labels);
  auto [it, created] = groups_.try_emplace(key);
  Group& group = it->second;
  if (created) group.labels = std::move(labels);
  group.alerts.insert_or_assign(alert.fingerprint, alert);
  if (!changed(group)) return;
  // First notification after groupWait; later ones groupInterval after the last.
  const core::MonoTime earliest =
      group.lastSent ? *group.lastSent + config_.groupInterval : now + config_.groupWait;
  const core::MonoTime at = std::max(earliest, now);
  if (!group.dueAt || at < *group.dueAt) group.dueAt = at;
}

std::vector<GroupNotification> AlertGroups::due(core::MonoTime now) {
  std::vector<GroupNotification> out;
  for (auto it = groups_.begin(); it != groups_.end();) {
    Group& group = it->second;
    if (!group.dueAt || *group.dueAt > now) {
      ++it;
      continue;
    }
    GroupNotification notification{it->first, group.labels, {}};
    std::vector<Alert> resolved;
    for (const auto& [fingerprint, alert] : group.alerts) {
      if (isFiring(alert)) {
        notification.alerts.push_back(alert);
      } else if (group.notifiedFiring.contains(fingerprint)) {
        resolved.push_back(alert);  // never notified firing: leaves without a word
      }
    }
    notification.alerts.insert(notification.alerts.end(), resolved.begin(), resolved.end());
    std::erase_if(group.alerts, [](const auto& entry) { return !isFiring(entry.second); });
    group.notifiedFiring.clear();
    for (const auto& [fingerprint, alert] : group.alerts) group.notifiedFiring.insert(fingerprint);
    if (!notification.alerts.empty()) {
      group.lastSent = now;
      out.push_back(std::move(notification));
    }
    group.dueAt.reset();
    if (group.alerts.empty()) {
      it = groups_.erase(it);
      continue;
    }
    if (config_.repeatInterval.count() > 0) group.dueAt = now + config_.repeatInterval;
    ++it;
  }
  return out;
}

std::optional<core::MonoTime> AlertGroups::nextDue() const {
  std::optional<core::MonoTime> next;
  for (const auto& [key, group] : groups_) {
    if (group.dueAt && (!next || *group.dueAt < *next)) next = group.dueAt;
  }
  return next;
}

}  // namespace ballast::alerts
