#pragma once
// ballast::Infrastructure — the seed's InstanceService calls for scaling,
// over the daemon's scaling controller (the same object the admin API uses):
//
//   ballast::Infrastructure infra(controller);
//   auto events = infra.getScalingEvents(50);         // Result<vector<ScalingEvent>>, newest first
//   auto sub = infra.on("scaling", [](const ballast::ScalingEvent& e) {
//     fmt::print("{} {} -> {}: {}\n", e.type, e.from, e.to, e.reason);
//   });
//   infra.off(*sub);
//
// Callbacks run on the controller's thread after each change is stored; they
// must be quick and must not block. They may call back into Infrastructure.
//
// Thread-safety: every method may be called from any thread.

#include <ballast/scaling_event.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ballast {

namespace scaling {
class ScalingController;
}  // namespace scaling

class Infrastructure {
 public:
  using ScalingCallback = std::function<void(const ScalingEvent&)>;
  using Subscription = uint64_t;

  // `controller` must outlive this object.
  explicit Infrastructure(scaling::ScalingController& controller);
  ~Infrastructure();
  Infrastructure(const Infrastructure&) = delete;
  Infrastructure& operator=(const Infrastructure&) = delete;

  // The newest `limit` scaling events (1-1000), newest first.
  core::Result<std::vector<ScalingEvent>> getScalingEvents(size_t limit = 50) const;

  // Subscribes to `event`; only "scaling" exists here (kValidation otherwise).
  core::Result<Subscription> on(std::string_view event, ScalingCallback callback);
  // Ends a subscription; false when it was not active. Subscriptions end with
  // this object too.
  bool off(Subscription subscription);

 private:
  scaling::ScalingController& controller_;
  mutable std::mutex mu_;
  std::vector<Subscription> subscriptions_;  // guarded by mu_
};

}  // namespace ballast
