#include "api/events_stream.h"

#include <spdlog/spdlog.h>

#include "api/events_routes.h"
#include "telemetry/sse.h"

namespace ballast::api {

namespace {
constexpr std::chrono::milliseconds kReconnectDelay{3000};
}  // namespace

EventStream::EventStream(store::EventLog& log, EventBus& bus, store::EventQuery filter,
                         std::optional<int64_t> resumeAfter, std::chrono::milliseconds heartbeat)
    : log_(log),
      bus_(bus),
      filter_(std::move(filter)),
      heartbeat_(heartbeat),
      lastSent_(resumeAfter),
      backlog_(resumeAfter.has_value()) {}

void EventStream::attach(std::function<void()> wake) {
  wake_ = std::move(wake);
  subscription_ = bus_.subscribe();
  subscription_->setWake(wake_);
}

void EventStream::detach() noexcept {
  subscription_.reset();
}

void EventStream::send(std::string& out, const store::EventRecord& event) {
  telemetry::appendSseEvent(out, formatEventId(event.id), event.type, eventJsonText(event));
  lastSent_ = event.id;
}

bool EventStream::pullBacklog(std::string& out) {
  store::EventQuery page = filter_;
  page.afterId = lastSent_;
  page.oldestFirst = true;
  page.limit = kBacklogPage;
  auto events = log_.query(page);
  if (!events) {
    spdlog::warn("event stream: cannot read stored events: {}", events.error().message);
    return false;
  }
  for (const auto& e : *events) send(out, e);
  backlog_ = events->size() == kBacklogPage;
  if (backlog_) wake_();  // the next page on the next pull
  return true;
}

bool EventStream::pull(std::string& out, bool idle) {
  if (!started_) {
    started_ = true;
    telemetry::appendSseComment(out, "ballast events");
    telemetry::appendSseRetry(out, kReconnectDelay);
  }
  if (backlog_) {
    if (!pullBacklog(out)) return false;
    if (backlog_) return true;
  }
  live_.clear();
  const bool complete = subscription_->take(live_);
  for (const auto& e : live_) {
    if ((!lastSent_ || e.id > *lastSent_) && filter_.matches(e)) send(out, e);
  }
  if (!complete) {
    spdlog::warn(
        "event stream: a client fell behind by more than the bus holds; closing it to resume");
    return false;
  }
  if (out.empty() && idle) telemetry::appendSseComment(out, "heartbeat");
  return true;
}

}  // namespace ballast::api
