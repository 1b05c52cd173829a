#include "core/clock.h"

#include <vector>

namespace ballast::core {

SystemClock& SystemClock::instance() {
  static SystemClock clock;
  return clock;
}

SimulatedClock::SimulatedClock()
    : monoStart_(MonoTime{} + std::chrono::hours(1000)),
      wallStart_(WallTime{} + std::chrono::seconds(1704067200)) {}

MonoTime SimulatedClock::now() const {
  std::lock_guard lock(mu_);
  return monoStart_ + elapsed_;
}

WallTime SimulatedClock::wallNow() const {
  std::lock_guard lock(mu_);
  return wallStart_ + std::chrono::duration_cast<WallTime::duration>(elapsed_);
}

void SimulatedClock::advance(std::chrono::nanoseconds by) {
  std::unique_lock lock(mu_);
  const auto target = elapsed_ + by;
  // Fire due timers one at a time, without the lock, so callbacks may read the
  // clock and schedule more timers.
  while (!timers_.empty() && timers_.begin()->first <= target) {
    auto node = timers_.extract(timers_.begin());
    elapsed_ = node.key();
    auto callback = std::move(node.mapped().second);
    lock.unlock();
    callback();
    lock.lock();
  }
  elapsed_ = target;
}

SimulatedClock::TimerId SimulatedClock::schedule(std::chrono::nanoseconds after,
                                                 std::function<void()> callback) {
  std::lock_guard lock(mu_);
  const TimerId id = nextId_++;
  timers_.emplace(elapsed_ + after, std::make_pair(id, std::move(callback)));
  return id;
}

bool SimulatedClock::cancel(TimerId id) {
  std::lock_guard lock(mu_);
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    if (it->second.first == id) {
      timers_.erase(it);
      return true;
    }
  }
  return false;
}

size_t SimulatedClock::pendingTimers() const {
  std::lock_guard lock(mu_);
  return timers_.size();
}

}  // namespace ballast::core
