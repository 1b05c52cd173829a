#pragma once
// Infrastructure events (the seed's shape: id, type, service, message, level,
// timestamp; plus serverId when the event concerns one server):
//   GET /api/infrastructure/events         viewer; newest first
//       filters: type, service, level (info|warning|error), since (ISO 8601
//       UTC, inclusive); paging: limit (default 100, at most 1000) and either
//       before=<id> (the last id of the previous page) or offset. An unknown or
//       invalid parameter is a 400 naming it.
//   GET /api/infrastructure/events/stream  viewer; Server-Sent Events
//       (events_stream.h): filters type, service, level; Last-Event-ID
//       resumes after that event.
// Ids are "event-<n>", n increasing; the stream and the list use the same ids.
//
// Thread-safety: the handlers may run on any thread (EventLog and the bus are
// thread-safe).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/admin_api.h"
#include "api/events_stream.h"
#include "core/json.h"
#include "store/event_log.h"

namespace ballast::api {

struct EventsDeps {
  store::EventLog& log;
  EventBus& bus;  // carries what `log` writes (EventLog::setWrittenListener)
  std::chrono::milliseconds heartbeat{15000};
};

// `deps.log` and `deps.bus` must outlive `api`.
void registerEventsRoutes(AdminApi& api, EventsDeps deps);

// "event-42".
std::string formatEventId(int64_t id);
// "event-42" or "42" -> 42; nullopt otherwise.
std::optional<int64_t> parseEventId(std::string_view text);
core::Json eventJson(const store::EventRecord& event);
// eventJson() as compact text (invalid UTF-8 replaced).
std::string eventJsonText(const store::EventRecord& event);

}  // namespace ballast::api
