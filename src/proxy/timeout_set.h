#pragma once
// Deadlines of many connections checked by one periodic timer per event loop
// (the idea of Proxygen's AsyncTimeoutSet): arming a deadline is a store, not
// a timer operation, so a request costs no timer-queue work. Expired handles
// have their callback run on the loop's thread; precision is one tick.
//
// Thread-safety: a TimeoutSet and its handles belong to one event loop thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>

namespace ballast::proxy {

class TimeoutSet {
 public:
  class Handle {
   public:
    // `onExpire` runs on the loop thread when an armed deadline passes.
    Handle(TimeoutSet& set, std::function<void()> onExpire);
    ~Handle();
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    void arm(std::chrono::milliseconds after);
    // Expires at `deadlineMillis` (nowMillis()'s clock).
    void armAt(int64_t deadlineMillis) { deadline_ = deadlineMillis == 0 ? 1 : deadlineMillis; }
    void disarm() { deadline_ = 0; }
    bool armed() const { return deadline_ != 0; }

   private:
    friend class TimeoutSet;
    TimeoutSet& set_;
    std::function<void()> onExpire_;
    int64_t deadline_ = 0;  // steady ms; 0 = disarmed
    Handle* prev_ = nullptr;
    Handle* next_ = nullptr;
  };

  explicit TimeoutSet(boost::asio::io_context& loop,
                      std::chrono::milliseconds tick = std::chrono::milliseconds(50));
  ~TimeoutSet();
  void start();
  void stop();
  size_t size() const { return count_; }

  static int64_t nowMillis();

 private:
  void schedule();
  void sweep();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds tick_;
  Handle* head_ = nullptr;
  Handle* cursor_ = nullptr;  // next handle the sweep visits (survives removals during callbacks)
  size_t count_ = 0;
  bool running_ = false;
};

}  // namespace ballast::proxy
