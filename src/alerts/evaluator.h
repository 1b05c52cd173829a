#pragma once
// Evaluates rules against one tick's samples and runs Prometheus' alert
// lifecycle per (rule, series labels):
//   inactive -> pending (condition true; skipped when `for` is 0)
//            -> firing  (condition true for `for`)
//            -> resolved (condition false for `keepFiringFor`; 0: at once).
// A pending alert whose condition clears is dropped without a transition.
// A series missing from a tick counts as "condition false".
// Each transition is returned exactly once, by the evaluate() that made it.
//
// Thread-safety: none; AlertManager serializes access. Time comes from Clock.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alerts/rule.h"
#include "core/clock.h"

namespace ballast::alerts {

struct Sample {
  std::string metric;
  Labels labels;  // series labels, e.g. {service, server}
  double value = 0;
};

enum class AlertState { kPending, kFiring, kResolved };
std::string_view alertStateText(AlertState state);

struct Alert {
  std::string id;           // "alert-<n>", new per episode
  std::string ruleId;
  std::string fingerprint;  // 16 hex digits over rule id and labels; stable across episodes
  Labels labels;            // rule labels + series labels + alertname + severity
  Labels annotations;       // rendered
  Severity severity = Severity::kWarning;
  AlertState state = AlertState::kPending;
  double value = 0;
  core::WallTime activeAt{};  // became pending
  core::WallTime startsAt{};  // became firing
  core::WallTime endsAt{};    // resolved
  bool acknowledged = false;
  bool notified = false;      // a firing notification went out (AlertManager)
  core::MonoTime pendingSince{};
  core::MonoTime lastTrue{};
};

struct Transition {
  AlertState to;
  Alert alert;  // as it is after the transition
};

class Evaluator {
 public:
  explicit Evaluator(core::Clock& clock) : clock_(clock) {}

  // False when a rule with that id exists.
  bool addRule(Rule rule);
  // Drops the rule; its firing alerts resolve (returned). nullopt: no such rule.
  std::optional<std::vector<Transition>> removeRule(const std::string& id);
  const std::map<std::string, Rule>& rules() const { return rules_; }

  std::vector<Transition> evaluate(const std::vector<Sample>& samples);

  // Pending and firing alerts by fingerprint.
  const std::map<std::string, Alert>& active() const { return active_; }
  Alert* findActive(const std::string& id);

 private:
  // Updates (or starts) the alert of `sample`; returns its fingerprint.
  std::string observe(const Rule& rule, const Sample& sample, std::vector<Transition>& out);
  Transition resolve(Alert& alert);

  core::Clock& clock_;
  std::map<std::string, Rule> rules_;
  std::map<std::string, Alert> active_;  // by fingerprint
  uint64_t nextAlertId_ = 1;
};

// FNV-1a over the rule id and the labels, as 16 hex digits.
std::string fingerprintOf(const std::string& ruleId, const Labels& labels);

}  // namespace ballast::alerts
