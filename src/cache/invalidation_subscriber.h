#pragma once
// InvalidationSubscriber keeps one connection SUBSCRIBEd to the cache's
// invalidation channel, on its own thread, and hands every message from
// another node to the owner (messages carrying this node's id are skipped).
//
// The thread waits in poll(2) on the connection and on an eventfd that stop()
// signals. It PINGs every pingInterval; a PING still unanswered at the next
// one, an EOF, a read error or a protocol error means the subscription is
// lost: the owner is told (stateChanged(false, why)), and the thread
// reconnects and resubscribes with capped exponential backoff, telling the
// owner again once the subscription is confirmed (stateChanged(true)).
// Messages published while no subscription was up are gone (Redis pub/sub
// does not queue them), which is why the owner drops its memory tier then.
//
// Thread-safety: start()/stop() from the owning thread; subscribed() and
// received() from any thread. Listener callbacks run on the subscriber thread.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "cache/backoff.h"
#include "cache/invalidation.h"
#include "cache/redis_connection.h"
#include "core/error.h"
#include "core/random.h"

namespace ballast::cache {

struct SubscriberOptions {
  RedisEndpoint endpoint;
  std::string channel;
  std::string nodeId;  // messages with this id are ours: skipped
  core::Millis pingInterval{1000};
  core::Millis backoffInitial{100};
  core::Millis backoffMax{5000};
};

class InvalidationSubscriber {
 public:
  struct Listener {
    std::function<void(const Invalidation&)> invalidated;
    // `reason` says why, when `subscribed` is false.
    std::function<void(bool subscribed, const std::string& reason)> stateChanged;
  };

  InvalidationSubscriber(SubscriberOptions options, core::Random& random, Listener listener);
  ~InvalidationSubscriber();  // stop()
  InvalidationSubscriber(const InvalidationSubscriber&) = delete;
  InvalidationSubscriber& operator=(const InvalidationSubscriber&) = delete;

  // Starts the thread and waits (about connectTimeout + commandTimeout at
  // most) until the first attempt to subscribe has succeeded or failed.
  void start();
  void stop();

  bool subscribed() const { return subscribed_.load(); }
  // Messages from other nodes handed to the listener.
  uint64_t received() const { return received_.load(); }
  // Subscriptions lost so far (each one clears the owner's memory tier once resubscribed).
  uint64_t losses() const { return losses_.load(); }
  std::string lastError() const;

 private:
  void run();
  // One connection's life: connect, subscribe, listen until lost or stopped.
  core::Status session(Backoff& backoff);
  core::Status listen(RedisConnection& connection);
  void handle(const RedisValue& push, bool& awaitingPong);
  void finishFirstAttempt();
  bool stopping() const { return stopping_.load(); }

  const SubscriberOptions options_;
  core::Random& random_;
  const Listener listener_;
  int wakeFd_ = -1;  // eventfd; readable once stop() is called
  std::atomic<bool> stopping_{false};
  std::atomic<bool> subscribed_{false};
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> losses_{0};

  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool firstAttemptDone_ = false;  // guarded by mu_
  std::string lastError_;          // guarded by mu_
  std::thread thread_;
};

}  // namespace ballast::cache
