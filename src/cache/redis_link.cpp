#include "cache/redis_link.h"

#include "cache/backoff.h"

namespace ballast::cache {

RedisLink::RedisLink(Timing timing, core::Random& random, Hooks hooks)
    : timing_(timing), random_(random), hooks_(std::move(hooks)) {}

RedisLink::~RedisLink() { stop(); }

void RedisLink::start() { monitor_ = std::thread([this] { monitor(); }); }

void RedisLink::stop() {
  {
    std::lock_guard lock(monitorMu_);
    stopping_ = true;
  }
  monitorWake_.notify_all();
  if (monitor_.joinable()) monitor_.join();
}

void RedisLink::markDown(const std::string& reason) {
  if (!up_.exchange(false)) return;
  if (hooks_.dropConnections) hooks_.dropConnections();
  {
    std::lock_guard lock(monitorMu_);  // so the monitor cannot miss the wake-up
  }
  monitorWake_.notify_all();
  if (hooks_.listener) hooks_.listener(false, reason);
}

void RedisLink::markUp() {
  if (up_.exchange(true)) return;
  if (hooks_.listener) hooks_.listener(true, {});
}

void RedisLink::monitor() {
  Backoff backoff(timing_.backoffInitial, timing_.backoffMax, random_);
  std::unique_lock lock(monitorMu_);
  while (!stopping_) {
    const bool wasUp = up_.load();
    const core::Millis wait = wasUp ? timing_.pingInterval : backoff.next();
    monitorWake_.wait_for(lock, wait, [&] { return stopping_ || (wasUp && !up_.load()); });
    if (stopping_) break;
    lock.unlock();
    if (!wasUp) {
      if (hooks_.connect()) backoff.reset();
    } else if (up_.load()) {
      hooks_.ping();
    }
    lock.lock();
  }
}

}  // namespace ballast::cache
