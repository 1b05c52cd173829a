#pragma once
// A task run every `interval` on an event loop until stop(): the control
// loop's periodic work (sampling, sweeps, upkeep). Use on the loop's thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>

namespace ballast::app {

class Periodic {
 public:
  Periodic(boost::asio::io_context& loop, std::chrono::milliseconds interval, std::function<void()> task)
      : timer_(loop), interval_(interval), task_(std::move(task)) {
    arm();
  }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  void stop() {
    stopped_ = true;
    timer_.cancel();
  }

 private:
  void arm() {
    timer_.expires_after(interval_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped_) return;
      task_();
      arm();
    });
  }

  boost::asio::steady_timer timer_;
  const std::chrono::milliseconds interval_;
  const std::function<void()> task_;
  bool stopped_ = false;
};

}  // namespace ballast::app
