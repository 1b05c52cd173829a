#include "alerts/notifier.h"

#include <algorithm>

#include <spdlog/spdlog.h>
#include "alerts/http_transport.h"
#include "alerts/payload.h"

namespace ballast::alerts {

core::Status validateNotifierConfig(const NotifierConfig& config) {
  std::vector<core::FieldError> errors;
  auto check = [&errors](const std::string& path, const std::string& url) {
    if (auto parsed = parseHttpUrl(url); !parsed) errors.push_back({path, parsed.error().message});
  };
  for (size_t i = 0; i < config.webhooks.size(); ++i)
    check("alerts.webhooks[" + std::to_string(i) + "].url", config.webhooks[i].url);
  if (config.alertmanager) check("alerts.alertmanager.url", *config.alertmanager);
  if (errors.empty()) return {};
  core::Error error{.code = core::ErrorCode::kValidation,
                    .message = "Invalid alert receiver URL",
                    .details = errors};
  return std::unexpected(error);
}

Notifier::Notifier(core::Clock& clock, Transport& transport, NotifierConfig config)
    : clock_(clock), transport_(transport), config_(std::move(config)) {
  if (config_.grouping) groups_.emplace(*config_.grouping);
}

std::vector<Notifier::Delivery> Notifier::deliveriesFor(const std::string& webhookBody,
                                                        const std::string& alertmanagerBody,
                                                        core::MonoTime now) const {
  std::vector<Delivery> fresh;
  for (const auto& hook : config_.webhooks) {
    fresh.push_back({.url = hook.url, .headers = hook.headers, .body = webhookBody, .due = now});
  }
  if (config_.alertmanager) {
    std::string base = *config_.alertmanager;
    while (!base.empty() && base.back() == '/') base.pop_back();
    fresh.push_back({.url = base + "/api/v2/alerts", .body = alertmanagerBody, .due = now});
  }
  return fresh;
}

void Notifier::enqueue(const Alert& alert) {
  const auto now = clock_.now();
  if (groups_) {
    std::lock_guard lock(mu_);
    groups_->add(alert, now);
    return;
  }
  auto fresh = deliveriesFor(webhookPayload(alert, "ballast", config_.externalUrl).dump(),
                             alertmanagerPayload(alert, config_.externalUrl).dump(), now);
  std::lock_guard lock(mu_);
  for (auto& d : fresh) queue_.push_back(std::move(d));
}

std::chrono::milliseconds Notifier::backoffAfter(int attempts) const {
  auto delay = config_.initialBackoff;
  for (int i = 1; i < attempts && delay < config_.maxBackoff; ++i) delay *= 2;
  return std::min(delay, config_.maxBackoff);
}

size_t Notifier::pump() {
  std::vector<Delivery> due;
  {
    std::lock_guard lock(mu_);
    auto now = clock_.now();
    if (groups_) {
      for (const auto& group : groups_->due(now)) {
        for (auto& d : deliveriesFor(webhookPayload(group, "ballast", config_.externalUrl).dump(),
                                     alertmanagerPayload(group, config_.externalUrl).dump(), now)) {
          queue_.push_back(std::move(d));
        }
      }
    }
    auto split = std::stable_partition(queue_.begin(), queue_.end(),
                                       [&](const Delivery& d) { return d.due > now; });
    due.assign(std::make_move_iterator(split), std::make_move_iterator(queue_.end()));
    queue_.erase(split, queue_.end());
  }
  size_t delivered = 0;
  std::vector<Delivery> retry;
  for (auto& d : due) {
    auto sent = transport_.post(d.url, d.headers, d.body, config_.timeout);
    ++d.attempts;
    if (sent) {
      ++delivered;
    } else if (d.attempts >= config_.maxAttempts) {
      spdlog::warn("alert notification to {} dropped after {} attempts: {}", d.url, d.attempts,
                   sent.error().message);
    } else {
      d.due = clock_.now() + backoffAfter(d.attempts);
      retry.push_back(std::move(d));
    }
  }
  std::lock_guard lock(mu_);
  for (auto& d : retry) queue_.push_back(std::move(d));
  return delivered;
}

size_t Notifier::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace ballast::alerts
