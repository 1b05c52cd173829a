#pragma once
// An in-process broadcaster: publish() hands each event to every live
// subscription (the Server-Sent Events streams). Each subscription has a
// bounded queue that its reader drains with take(); a reader too slow to keep
// up loses events and is told so (overflowed), so it can end its stream and
// let the client resume from the store.
//
// A subscription lives as long as its reader holds the shared_ptr; the bus
// keeps only weak references and forgets dropped ones on the next publish.
//
// Thread-safety: every method may be called from any thread. The wake
// callback runs on the publishing thread, outside the bus's and the
// subscription's locks; it must be quick and must not call publish().

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace ballast::telemetry {

template <typename Event>
class EventBus {
 public:
  class Subscription {
   public:
    explicit Subscription(size_t capacity) : capacity_(capacity) {}

    // Called after events were queued. Set it before the events can matter:
    // events queued earlier stay queued without a call.
    void setWake(std::function<void()> wake) {
      std::lock_guard lock(mu_);
      wake_ = std::make_shared<const std::function<void()>>(std::move(wake));
    }

    // Appends the queued events to `out` in publish order and empties the
    // queue. False when events were dropped since the subscription began
    // (the queue overflowed); it stays false.
    bool take(std::vector<Event>& out) {
      std::lock_guard lock(mu_);
      for (auto& e : queue_) out.push_back(std::move(e));
      queue_.clear();
      return !overflowed_;
    }

    size_t queued() const {
      std::lock_guard lock(mu_);
      return queue_.size();
    }

   private:
    friend class EventBus;

    // Queues `event`; returns the wake callback to call, if any.
    std::shared_ptr<const std::function<void()>> push(const Event& event) {
      std::lock_guard lock(mu_);
      if (queue_.size() >= capacity_) {
        overflowed_ = true;
      } else {
        queue_.push_back(event);
      }
      return wake_;
    }

    const size_t capacity_;
    mutable std::mutex mu_;
    std::deque<Event> queue_;                            // guarded by mu_
    bool overflowed_ = false;                            // guarded by mu_
    std::shared_ptr<const std::function<void()>> wake_;  // guarded by mu_
  };

  // `queueCapacity`: events a subscription may hold before it overflows.
  // REQUIRES: queueCapacity > 0.
  explicit EventBus(size_t queueCapacity = 1024) : queueCapacity_(queueCapacity) {}

  std::shared_ptr<Subscription> subscribe() {
    auto subscription = std::make_shared<Subscription>(queueCapacity_);
    std::lock_guard lock(mu_);
    subscriptions_.push_back(subscription);
    return subscription;
  }

  // Queues `event` on every live subscription, then wakes them.
  void publish(const Event& event) { publish(std::span<const Event>(&event, 1)); }

  // Queues `events`, in order, on every live subscription, then wakes each once.
  void publish(std::span<const Event> events) {
    if (events.empty()) return;
    for (const auto& subscription : liveSubscriptions()) {
      std::shared_ptr<const std::function<void()>> wake;
      for (const auto& event : events) wake = subscription->push(event);
      if (wake && *wake) (*wake)();
    }
  }

  // Live subscriptions (those dropped since the last publish may be counted).
  size_t subscribers() const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& weak : subscriptions_) n += weak.expired() ? 0 : 1;
    return n;
  }

 private:
  // The subscriptions still held by a reader; forgets the others.
  std::vector<std::shared_ptr<Subscription>> liveSubscriptions() {
    std::vector<std::shared_ptr<Subscription>> live;
    std::lock_guard lock(mu_);
    std::erase_if(subscriptions_, [&live](const std::weak_ptr<Subscription>& weak) {
      auto subscription = weak.lock();
      if (!subscription) return true;
      live.push_back(std::move(subscription));
      return false;
    });
    return live;
  }

  const size_t queueCapacity_;
  mutable std::mutex mu_;
  std::vector<std::weak_ptr<Subscription>> subscriptions_;  // guarded by mu_
};

}  // namespace ballast::telemetry
