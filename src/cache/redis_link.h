#pragma once
// Whether a Redis connection pool is usable, and the thread that keeps finding
// out: while up it pings every `pingInterval`; once down (the owner calls
// markDown() on its first I/O error) it reconnects with capped exponential
// backoff until connect() works again. Both the cache's Redis tier and the
// Redis rate-limit store are built on it.
//
// Thread-safety: up(), markDown() and markUp() from any thread. The listener
// runs on the thread that noticed the change, without locks held.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/random.h"

namespace ballast::cache {

class RedisLink {
 public:
  struct Timing {
    core::Millis pingInterval{1000};
    core::Millis backoffInitial{100};
    core::Millis backoffMax{5000};
  };
  struct Hooks {
    std::function<bool()> connect;  // one attempt; calls markUp() when it works
    std::function<void()> ping;     // checks a live link; calls markDown() when it fails
    std::function<void()> dropConnections;  // on the way down
    std::function<void(bool up, const std::string& reason)> listener;  // may be empty
  };

  RedisLink(Timing timing, core::Random& random, Hooks hooks);
  ~RedisLink();  // stop()
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // Starts the monitor thread (the owner makes the first connect() itself).
  void start();
  void stop();

  bool up() const { return up_.load(); }
  void markDown(const std::string& reason);
  void markUp();

 private:
  void monitor();

  const Timing timing_;
  core::Random& random_;
  const Hooks hooks_;
  std::atomic<bool> up_{false};

  std::mutex monitorMu_;
  std::condition_variable monitorWake_;
  bool stopping_ = false;  // guarded by monitorMu_
  std::thread monitor_;
};

}  // namespace ballast::cache
