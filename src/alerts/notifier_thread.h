#pragma once
// Runs Notifier::pump() on a dedicated thread every `period` until destroyed,
// so slow receivers never block the control thread.
//
// Thread-safety: construct and destroy on one thread; the notifier must
// outlive this.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "alerts/notifier.h"

namespace ballast::alerts {

class NotifierThread {
 public:
  NotifierThread(Notifier& notifier, std::chrono::milliseconds period = std::chrono::milliseconds(200));
  ~NotifierThread();  // stops and joins (after the delivery in progress, bounded by its timeout)
  NotifierThread(const NotifierThread&) = delete;
  NotifierThread& operator=(const NotifierThread&) = delete;

 private:
  void run(std::stop_token stop);

  Notifier& notifier_;
  const std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: starts after the members above exist
};

}  // namespace ballast::alerts
