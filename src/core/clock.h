#pragma once
// Time for everything that decides by time (balancing, health, breakers, caches,
// scaling, alerts). Components take a `Clock&` in their constructor and never read
// std::chrono clocks themselves, so tests drive them with SimulatedClock.
//
// Thread-safety: SystemClock is stateless. SimulatedClock is safe to read from any
// thread; advance() and schedule() are meant for the single test thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace ballast::core {

using MonoTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time: use for intervals, timeouts and windows.
  virtual MonoTime now() const = 0;
  // Wall-clock time: use only for timestamps shown to people or stored.
  virtual WallTime wallNow() const = 0;

  // Milliseconds since the monotonic epoch; handy for atomics.
  int64_t nowMillis() const {
    return std::chrono::duration_cast<Millis>(now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  MonoTime now() const override { return std::chrono::steady_clock::now(); }
  WallTime wallNow() const override { return std::chrono::system_clock::now(); }
  // The process-wide real clock.
  static SystemClock& instance();
};

// A clock that moves only when told to. Timers scheduled on it fire, in time
// order, inside advance() when their time falls due.
class SimulatedClock final : public Clock {
 public:
  using TimerId = uint64_t;

  // Starts at an arbitrary non-zero monotonic time and at 2024-01-01T00:00:00Z.
  SimulatedClock();

  MonoTime now() const override;
  WallTime wallNow() const override;

  // Moves time forward by `by`, firing every timer that falls due on the way.
  // A timer callback may schedule further timers; those fire too if due.
  void advance(std::chrono::nanoseconds by);

  // Runs `callback` once when time reaches now() + `after`.
  TimerId schedule(std::chrono::nanoseconds after, std::function<void()> callback);
  // Cancels a pending timer; false when it already fired or never existed.
  bool cancel(TimerId id);
  size_t pendingTimers() const;

 private:
  mutable std::mutex mu_;
  std::chrono::nanoseconds elapsed_{0};                           // guarded by mu_
  std::multimap<std::chrono::nanoseconds, std::pair<TimerId, std::function<void()>>>
      timers_;                                                      // guarded by mu_
  TimerId nextId_ = 1;                                             // guarded by mu_
  const MonoTime monoStart_;
  const WallTime wallStart_;
};

}  // namespace ballast::core
