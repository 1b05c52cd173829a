#include "alerts/notifier_thread.h"

namespace ballast::alerts {

NotifierThread::NotifierThread(Notifier& notifier, std::chrono::milliseconds period)
    : notifier_(notifier), period_(period), thread_([this](std::stop_token stop) { run(stop); }) {}

NotifierThread::~NotifierThread() {
  thread_.request_stop();
  wake_.notify_all();
}

void NotifierThread::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    notifier_.pump();
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, stop, period_, [] { return false; });
  }
}

}  // namespace ballast::alerts
