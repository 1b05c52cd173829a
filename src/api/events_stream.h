#pragma once
// The body of GET /api/infrastructure/events/stream, as Server-Sent Events:
//   id: event-42        the same id GET /api/infrastructure/events shows
//   event: health       the event's type
//   data: {...}         the event as JSON, in the GET endpoint's shape
//
// With a resume point (the client's Last-Event-ID) the stored events after it
// are sent first, oldest first, a page per pull; then live events as the
// event log writes them (EventLog's written listener publishes them on the
// bus). The subscription is taken before the store is read, and events are
// sent in id order without repeats, so nothing falls between the two.
// Only events passing `filter` (type, service, level) are sent. After each
// heartbeat interval of silence a comment line keeps proxies from timing the
// connection out. A subscriber too slow for the bus ends its stream; the
// client reconnects and resumes from the store.
//
// Thread-safety: an http::BodyStream: driven by one connection's loop.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/body_stream.h"
#include "store/event_log.h"
#include "telemetry/event_bus.h"

namespace ballast::api {

using EventBus = telemetry::EventBus<store::EventRecord>;

class EventStream final : public http::BodyStream {
 public:
  static constexpr size_t kBacklogPage = 200;

  // `log` and `bus` must outlive the stream.
  EventStream(store::EventLog& log, EventBus& bus, store::EventQuery filter,
              std::optional<int64_t> resumeAfter, std::chrono::milliseconds heartbeat);

  void attach(std::function<void()> wake) override;
  bool pull(std::string& out, bool idle) override;
  std::chrono::milliseconds idleInterval() const override { return heartbeat_; }
  void detach() noexcept override;

 private:
  // Sends the next page of stored events; false when the store failed.
  bool pullBacklog(std::string& out);
  void send(std::string& out, const store::EventRecord& event);

  store::EventLog& log_;
  EventBus& bus_;
  const store::EventQuery filter_;
  const std::chrono::milliseconds heartbeat_;
  std::optional<int64_t> lastSent_;  // id of the newest event sent (or the resume point)
  bool backlog_;                     // stored events may remain to be sent
  bool started_ = false;
  std::function<void()> wake_;
  std::shared_ptr<EventBus::Subscription> subscription_;
  std::vector<store::EventRecord> live_;  // reused between pulls
};

}  // namespace ballast::api
