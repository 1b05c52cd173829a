#include <ballast/infrastructure.h>

#include <algorithm>

#include "scaling/control/controller.h"

namespace ballast {

Infrastructure::Infrastructure(scaling::ScalingController& controller) : controller_(controller) {}

Infrastructure::~Infrastructure() {
  std::lock_guard lock(mu_);
  for (auto id : subscriptions_) controller_.unsubscribe(id);
}

core::Result<std::vector<ScalingEvent>> Infrastructure::getScalingEvents(size_t limit) const {
  if (limit < 1 || limit > 1000) {
    return std::unexpected(core::Error::validation("limit", "must be between 1 and 1000"));
  }
  return controller_.events(limit);
}

core::Result<Infrastructure::Subscription> Infrastructure::on(std::string_view event,
                                                              ScalingCallback callback) {
  if (event != "scaling") {
    return std::unexpected(
        core::Error::validation("event", "only \"scaling\" can be subscribed to here"));
  }
  if (!callback) return std::unexpected(core::Error::validation("callback", "must be callable"));
  std::lock_guard lock(mu_);
  const auto id = controller_.subscribe(std::move(callback));
  subscriptions_.push_back(id);
  return id;
}

bool Infrastructure::off(Subscription subscription) {
  std::lock_guard lock(mu_);
  auto it = std::find(subscriptions_.begin(), subscriptions_.end(), subscription);
  if (it == subscriptions_.end()) return false;
  subscriptions_.erase(it);
  return controller_.unsubscribe(subscription);
}

}  // namespace ballast
