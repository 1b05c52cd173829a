#include "proxy/timeout_set.h"

#include <time.h>

namespace ballast::proxy {

int64_t TimeoutSet::nowMillis() {
  // The coarse clock (a few ms resolution) is read without touching the TSC:
  // deadlines are armed several times per request and checked once per tick.
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

TimeoutSet::Handle::Handle(TimeoutSet& set, std::function<void()> onExpire)
    : set_(set), onExpire_(std::move(onExpire)) {
  next_ = set_.head_;
  if (next_ != nullptr) next_->prev_ = this;
  set_.head_ = this;
  ++set_.count_;
}

TimeoutSet::Handle::~Handle() {
  if (set_.cursor_ == this) set_.cursor_ = next_;
  if (prev_ != nullptr) prev_->next_ = next_;
  else set_.head_ = next_;
  if (next_ != nullptr) next_->prev_ = prev_;
  --set_.count_;
}

void TimeoutSet::Handle::arm(std::chrono::milliseconds after) { deadline_ = nowMillis() + after.count(); }

TimeoutSet::TimeoutSet(boost::asio::io_context& loop, std::chrono::milliseconds tick) : timer_(loop), tick_(tick) {}

TimeoutSet::~TimeoutSet() { stop(); }

void TimeoutSet::start() {
  running_ = true;
  schedule();
}

void TimeoutSet::stop() {
  running_ = false;
  timer_.cancel();
}

void TimeoutSet::schedule() {
  timer_.expires_after(tick_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    sweep();
    schedule();
  });
}

void TimeoutSet::sweep() {
  const int64_t now = nowMillis();
  cursor_ = head_;
  while (cursor_ != nullptr) {
    Handle* handle = cursor_;
    cursor_ = handle->next_;
    if (handle->deadline_ != 0 && handle->deadline_ <= now) {
      handle->deadline_ = 0;
      handle->onExpire_();  // may destroy handles; cursor_ is kept valid by ~Handle
    }
  }
}

}  // namespace ballast::proxy
