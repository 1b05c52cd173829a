#pragma once
// The alerting facade the daemon and the admin API share: rules, the
// evaluator, silences, acknowledgements, a bounded history of resolved alerts,
// notifications and "alert" events.
//
// Per alert episode it enqueues exactly one firing notification (when it fires,
// or later when a silence covering it ends) and one resolved notification (only
// if the firing one went out). A silenced alert does not notify.
//
// Thread-safety: every method may be called from any thread (one mutex); the
// EventSink and Notifier::enqueue are called under it and must be quick.

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alerts/evaluator.h"
#include "alerts/notifier.h"
#include "alerts/silences.h"
#include "core/clock.h"
#include "core/error.h"
#include "proxy/events.h"

namespace ballast::alerts {

enum class AlertStatus { kActive, kAcknowledged, kSilenced };
std::string_view alertStatusText(AlertStatus status);

struct AlertView {
  Alert alert;
  AlertStatus status = AlertStatus::kActive;
};

class AlertManager {
 public:
  static constexpr size_t kHistoryLimit = 1000;

  // `notifier` may be null (no receivers); it and `events` must outlive this.
  AlertManager(core::Clock& clock, Notifier* notifier, proxy::EventSink events);

  // One evaluation tick (the daemon's control thread, every second).
  void tick(const std::vector<Sample>& samples);

  // Rules. Built-in and configuration-file rules cannot be removed
  // (kConflict); unknown: kNotFound.
  core::Status addRule(Rule rule);
  core::Status removeRule(const std::string& id);
  std::vector<Rule> rules() const;

  // Firing alerts, newest first; history: resolved alerts, newest first.
  std::vector<AlertView> active() const;
  std::vector<Alert> history() const;
  // kNotFound when no firing alert has that id.
  core::Result<AlertView> acknowledge(const std::string& id);

  Silence addSilence(Silence silence);
  bool removeSilence(const std::string& id);
  std::vector<Silence> silences() const;

 private:
  void handle(const std::vector<Transition>& transitions);  // REQUIRES: mu_ held
  void notifyUnsilenced();                                  // REQUIRES: mu_ held
  AlertStatus statusOf(const Alert& alert) const;           // REQUIRES: mu_ held
  void publish(const Alert& alert, const std::string& what);

  core::Clock& clock_;
  Notifier* notifier_;
  proxy::EventSink events_;
  mutable std::mutex mu_;
  Evaluator evaluator_;        // guarded by mu_
  SilenceSet silences_;        // guarded by mu_
  std::deque<Alert> history_;  // guarded by mu_; newest at the front
};

}  // namespace ballast::alerts
