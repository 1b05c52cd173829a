#include "alerts/evaluator.h"

#include <cstdio>
#include <set>

namespace ballast::alerts {

std::string_view alertStateText(AlertState state) {
  switch (state) {
    case AlertState::kPending: return "pending";
    case AlertState::kFiring: return "firing";
    case AlertState::kResolved: return "resolved";
  }
  return "";
}

std::string fingerprintOf(const std::string& ruleId, const Labels& labels) {
  uint64_t hash = 1469598103934665603ULL;
  auto mix = [&hash](std::string_view text) {
    for (unsigned char c : text) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
    hash ^= 0xff;  // separator: "a"+"bc" != "ab"+"c"
    hash *= 1099511628211ULL;
  };
  mix(ruleId);
  for (const auto& [name, value] : labels) {
    mix(name);
    mix(value);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

bool Evaluator::addRule(Rule rule) {
  std::string id = rule.id;
  return rules_.emplace(std::move(id), std::move(rule)).second;
}

std::optional<std::vector<Transition>> Evaluator::removeRule(const std::string& id) {
  if (rules_.erase(id) == 0) return std::nullopt;
  std::vector<Transition> out;
  for (auto it = active_.begin(); it != active_.end();) {
    if (it->second.ruleId != id) {
      ++it;
      continue;
    }
    if (it->second.state == AlertState::kFiring) out.push_back(resolve(it->second));
    it = active_.erase(it);
  }
  return out;
}

Alert* Evaluator::findActive(const std::string& id) {
  for (auto& [fp, alert] : active_)
    if (alert.id == id) return &alert;
  return nullptr;
}

std::string Evaluator::observe(const Rule& rule, const Sample& sample, std::vector<Transition>& out) {
  Labels labels = rule.labels;
  for (const auto& [k, v] : sample.labels) labels[k] = v;
  labels["alertname"] = rule.name;
  labels["severity"] = std::string(severityText(rule.severity));
  std::string fp = fingerprintOf(rule.id, labels);

  auto now = clock_.now();
  auto [it, created] = active_.try_emplace(fp);
  Alert& alert = it->second;
  if (created) {
    alert.id = "alert-" + std::to_string(nextAlertId_++);
    alert.ruleId = rule.id;
    alert.fingerprint = fp;
    alert.labels = labels;
    alert.severity = rule.severity;
    alert.activeAt = clock_.wallNow();
    alert.pendingSince = now;
  }
  alert.value = sample.value;
  alert.lastTrue = now;
  alert.annotations.clear();
  for (const auto& [k, text] : rule.annotations) alert.annotations[k] = renderTemplate(text, sample.value, labels);

  if (alert.state == AlertState::kPending && now - alert.pendingSince >= rule.forDuration) {
    alert.state = AlertState::kFiring;
    alert.startsAt = clock_.wallNow();
    out.push_back({AlertState::kFiring, alert});
  } else if (created) {
    out.push_back({AlertState::kPending, alert});
  }
  return fp;
}

Transition Evaluator::resolve(Alert& alert) {
  alert.state = AlertState::kResolved;
  alert.endsAt = clock_.wallNow();
  return {AlertState::kResolved, alert};
}

std::vector<Transition> Evaluator::evaluate(const std::vector<Sample>& samples) {
  std::vector<Transition> out;
  std::set<std::string> stillTrue;
  for (const auto& [id, rule] : rules_) {
    for (const auto& sample : samples) {
      if (sample.metric != rule.metric || !rule.conditionHolds(sample.value)) continue;
      stillTrue.insert(observe(rule, sample, out));
    }
  }

  auto now = clock_.now();
  for (auto it = active_.begin(); it != active_.end();) {
    Alert& alert = it->second;
    if (stillTrue.contains(it->first)) {
      ++it;
      continue;
    }
    const Rule& rule = rules_.at(alert.ruleId);
    bool drop = alert.state == AlertState::kPending;
    if (alert.state == AlertState::kFiring && now - alert.lastTrue >= rule.keepFiringFor) {
      out.push_back(resolve(alert));
      drop = true;
    }
    it = drop ? active_.erase(it) : std::next(it);
  }
  return out;
}

}  // namespace ballast::alerts
