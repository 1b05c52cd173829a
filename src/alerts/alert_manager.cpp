#include "alerts/alert_manager.h"

#include <algorithm>

namespace ballast::alerts {

std::string_view alertStatusText(AlertStatus status) {
  switch (status) {
    case AlertStatus::kActive:
      return "active";
    case AlertStatus::kAcknowledged:
      return "acknowledged";
    case AlertStatus::kSilenced:
      return "silenced";
  }
  return "";
}

AlertManager::AlertManager(core::Clock& clock, Notifier* notifier, proxy::EventSink events)
    : clock_(clock), notifier_(notifier), events_(std::move(events)), evaluator_(clock) {}

void AlertManager::tick(const std::vector<Sample>& samples) {
  std::lock_guard lock(mu_);
  silences_.prune(clock_.wallNow());
  handle(evaluator_.evaluate(samples));
  notifyUnsilenced();
}

void AlertManager::publish(const Alert& alert, const std::string& what) {
  if (!events_) return;
  auto summary = alert.annotations.find("summary");
  auto service = alert.labels.find("service");
  auto server = alert.labels.find("server");
  events_(proxy::Event{
      .type = "alert",
      .service = service == alert.labels.end() ? "" : service->second,
      .message = "Alert " + alert.labels.at("alertname") + " " + what +
                 (summary == alert.annotations.end() ? "" : ": " + summary->second),
      .level = alert.state == AlertState::kResolved    ? "info"
               : alert.severity == Severity::kCritical ? "error"
                                                       : "warning",
      .serverId = server == alert.labels.end() ? "" : server->second,
  });
}

void AlertManager::handle(const std::vector<Transition>& transitions) {
  for (const auto& t : transitions) {
    if (t.to == AlertState::kPending) continue;  // not notified, not an event
    publish(t.alert, std::string(alertStateText(t.to)));
    if (t.to != AlertState::kResolved) continue;
    if (notifier_ && t.alert.notified) notifier_->enqueue(t.alert);
    history_.push_front(t.alert);
    if (history_.size() > kHistoryLimit) history_.pop_back();
  }
}

void AlertManager::notifyUnsilenced() {
  auto now = clock_.wallNow();
  for (const auto& [fp, alert] : evaluator_.active()) {
    if (alert.state != AlertState::kFiring || alert.notified ||
        silences_.silenced(alert.labels, now))
      continue;
    Alert* stored = evaluator_.findActive(alert.id);
    stored->notified = true;
    if (notifier_) notifier_->enqueue(*stored);
  }
}

AlertStatus AlertManager::statusOf(const Alert& alert) const {
  if (silences_.silenced(alert.labels, clock_.wallNow())) return AlertStatus::kSilenced;
  return alert.acknowledged ? AlertStatus::kAcknowledged : AlertStatus::kActive;
}

core::Status AlertManager::addRule(Rule rule) {
  std::lock_guard lock(mu_);
  std::string id = rule.id;
  if (!evaluator_.addRule(std::move(rule)))
    return core::fail(core::ErrorCode::kConflict, "A rule with id '" + id + "' exists");
  return {};
}

core::Status AlertManager::removeRule(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = evaluator_.rules().find(id);
  if (it == evaluator_.rules().end())
    return core::fail(core::ErrorCode::kNotFound, "No alert rule '" + id + "'");
  if (it->second.builtIn)
    return core::fail(core::ErrorCode::kConflict, "Built-in rule '" + id + "' cannot be deleted");
  if (it->second.fromConfig) {
    return core::fail(core::ErrorCode::kConflict,
                      "Rule '" + id +
                          "' comes from the configuration file (alerts.rules): remove it "
                          "there and reload; only rules added through the API can be "
                          "deleted here");
  }
  handle(*evaluator_.removeRule(id));
  return {};
}

std::vector<Rule> AlertManager::rules() const {
  std::lock_guard lock(mu_);
  std::vector<Rule> out;
  for (const auto& [id, rule] : evaluator_.rules()) out.push_back(rule);
  return out;
}

std::vector<AlertView> AlertManager::active() const {
  std::lock_guard lock(mu_);
  std::vector<AlertView> out;
  for (const auto& [fp, alert] : evaluator_.active())
    if (alert.state == AlertState::kFiring) out.push_back({alert, statusOf(alert)});
  std::ranges::sort(out, [](const AlertView& a, const AlertView& b) {
    return a.alert.startsAt > b.alert.startsAt;
  });
  return out;
}

std::vector<Alert> AlertManager::history() const {
  std::lock_guard lock(mu_);
  return {history_.begin(), history_.end()};
}

core::Result<AlertView> AlertManager::acknowledge(const std::string& id) {
  std::lock_guard lock(mu_);
  Alert* alert = evaluator_.findActive(id);
  if (!alert || alert->state != AlertState::kFiring)
    return core::fail(core::ErrorCode::kNotFound, "No active alert '" + id + "'");
  alert->acknowledged = true;
  return AlertView{*alert, statusOf(*alert)};
}

Silence AlertManager::addSilence(Silence silence) {
  std::lock_guard lock(mu_);
  return silences_.add(std::move(silence));
}

bool AlertManager::removeSilence(const std::string& id) {
  std::lock_guard lock(mu_);
  return silences_.remove(id);
}

std::vector<Silence> AlertManager::silences() const {
  std::lock_guard lock(mu_);
  return silences_.list();
}

}  // namespace ballast::alerts
