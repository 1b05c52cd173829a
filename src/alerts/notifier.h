#pragma once
// Delivers alert notifications to the configured receivers with retries:
// enqueue() turns one alert transition into one delivery per receiver;
// pump() posts every delivery that is due. A failed delivery is retried after
// initialBackoff, doubling up to maxBackoff, at most maxAttempts times in all,
// then dropped (logged). A delivered notification is never sent again.
//
// With NotifierConfig::grouping, alerts are first grouped as Alertmanager does
// (alerts/grouping.h): enqueue() only records the alert's state, and pump()
// turns each group notification that falls due into one delivery per receiver.
// Without it, every transition is delivered on its own at once.
//
// Only http:// URLs are supported (https is not yet).
//
// Thread-safety: enqueue()/pending() from any thread; pump() from one thread
// at a time (the notifier thread). The transport is called without the lock.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alerts/evaluator.h"
#include "alerts/grouping.h"
#include "alerts/transport.h"
#include "core/clock.h"

namespace ballast::alerts {

struct WebhookReceiver {
  std::string url;
  HeaderList headers;
};

struct NotifierConfig {
  std::vector<WebhookReceiver> webhooks;    // alerts.webhooks
  std::optional<std::string> alertmanager;  // alerts.alertmanager.url (base URL)
  std::string externalUrl;                  // this daemon's admin URL, for generatorURL
  int maxAttempts = 5;
  std::chrono::milliseconds initialBackoff{1000};
  std::chrono::milliseconds maxBackoff{30000};
  std::chrono::milliseconds timeout{5000};
  std::optional<GroupingConfig> grouping;  // alerts.grouping; none: each alert alone, at once
};

// Every receiver URL is a valid http:// URL (https is refused: not supported
// yet); the error names each bad one ("alerts.webhooks[0].url").
core::Status validateNotifierConfig(const NotifierConfig& config);

class Notifier {
 public:
  Notifier(core::Clock& clock, Transport& transport, NotifierConfig config);

  // REQUIRES: alert.state is kFiring or kResolved.
  void enqueue(const Alert& alert);
  // Posts every due delivery; returns how many succeeded.
  size_t pump();
  size_t pending() const;
  bool hasReceivers() const {
    return !config_.webhooks.empty() || config_.alertmanager.has_value();
  }

 private:
  struct Delivery {
    std::string url;
    HeaderList headers;
    std::string body;
    int attempts = 0;
    core::MonoTime due;
  };
  std::chrono::milliseconds backoffAfter(int attempts) const;
  // One delivery per receiver, due at `now`.
  std::vector<Delivery> deliveriesFor(const std::string& webhookBody,
                                      const std::string& alertmanagerBody,
                                      core::MonoTime now) const;

  core::Clock& clock_;
  Transport& transport_;
  const NotifierConfig config_;
  mutable std::mutex mu_;
  std::vector<Delivery> queue_;        // guarded by mu_
  std::optional<AlertGroups> groups_;  // with config_.grouping; guarded by mu_
};

}  // namespace ballast::alerts
