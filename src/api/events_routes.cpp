#include "api/events_routes.h"

#include <fmt/format.h>

#include <charconv>
#include <memory>

#include "api/query_reader.h"
#include "core/time_format.h"
#include "telemetry/sse.h"

namespace ballast::api {

namespace {

constexpr size_t kDefaultLimit = 100;
constexpr int64_t kMaxLimit = 1000;

// `text` as stored timestamps are written ("2024-01-01T00:00:00.000Z"), so
// they compare as strings; nullopt unless it is a real UTC time up to 2262
// (31 February is not normalised to March, nor a far year wrapped around).
std::optional<std::string> canonicalTime(std::string_view text) {
  constexpr size_t kSecondsLength = 19;  // "YYYY-MM-DDTHH:MM:SS"
  const auto time = core::parseIsoUtc(text);
  if (!time || text.size() <= kSecondsLength) return std::nullopt;
  std::string canonical = core::isoUtc(*time);
  if (canonical.compare(0, kSecondsLength, text.substr(0, kSecondsLength)) != 0)
    return std::nullopt;
  return canonical;
}

// The filters both endpoints take: type, service, level.
store::EventQuery readFilters(QueryReader& q) {
  store::EventQuery query;
  query.type = q.string("type", {.maxLength = 64});
  query.service = q.string("service", {.maxLength = 253});
  query.level = q.string("level", {.oneOf = {"info", "warning", "error"}});
  return query;
}

core::Result<store::EventQuery> readListQuery(const http::Request& request) {
  QueryReader q(request.query);
  store::EventQuery query = readFilters(q);
  if (auto since = q.string("since")) {
    query.since = canonicalTime(*since);
    if (!query.since)
      q.addError("since", "must be an ISO 8601 UTC time such as 2024-01-01T00:00:00Z");
  }
  query.limit =
      static_cast<size_t>(q.integer("limit", {.min = 1, .max = kMaxLimit}).value_or(kDefaultLimit));
  if (auto before = q.string("before")) {
    query.beforeId = parseEventId(*before);
    if (!query.beforeId) q.addError("before", "must be an event id such as event-42");
  }
  query.offset = static_cast<size_t>(q.integer("offset", {.min = 0, .max = 1'000'000}).value_or(0));
  q.rejectUnknown();
  if (auto s = q.result(); !s) return std::unexpected(s.error());
  return query;
}

}  // namespace

std::string formatEventId(int64_t id) {
  return fmt::format("event-{}", id);
}

std::optional<int64_t> parseEventId(std::string_view text) {
  if (text.starts_with("event-")) text.remove_prefix(6);
  int64_t id = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, id);
  if (text.empty() || ec != std::errc() || ptr != end || id < 0) return std::nullopt;
  return id;
}

core::Json eventJson(const store::EventRecord& e) {
  core::Json json = {{"id", formatEventId(e.id)}, {"type", e.type},   {"service", e.service},
                     {"message", e.message},      {"level", e.level}, {"timestamp", e.timestamp}};
  if (!e.serverId.empty()) json["serverId"] = e.serverId;
  return json;
}

std::string eventJsonText(const store::EventRecord& event) {
  return eventJson(event).dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

void registerEventsRoutes(AdminApi& api, EventsDeps deps) {
  const std::string base = "/api/infrastructure/events";

  api.add("GET", base, security::Role::kViewer, [deps](RequestContext& ctx) -> core::Result<Reply> {
    auto query = readListQuery(ctx.request);
    if (!query) return std::unexpected(query.error());
    auto events = deps.log.query(*query);
    if (!events) return std::unexpected(events.error());
    core::Json list = core::Json::array();
    for (const auto& e : *events) list.push_back(eventJson(e));
    return Reply{.data = std::move(list)};
  });

  api.add("GET", base + "/stream", security::Role::kViewer,
          [deps](RequestContext& ctx) -> core::Result<Reply> {
            QueryReader q(ctx.request.query);
            store::EventQuery filter = readFilters(q);
            q.rejectUnknown();
            if (auto s = q.result(); !s) return std::unexpected(s.error());
            std::optional<int64_t> resumeAfter;
            if (const auto last = ctx.request.header("last-event-id"); !last.empty()) {
              resumeAfter = parseEventId(last);
              if (!resumeAfter) {
                core::Error error{
                    core::ErrorCode::kValidation,
                    "Invalid Last-Event-ID header: must be an event id such as event-42",
                    {{"Last-Event-ID", "must be an event id such as event-42"}}};
                return std::unexpected(std::move(error));
              }
            }
            return Reply{.headers = {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}},
                         .stream = std::make_shared<EventStream>(
                             deps.log, deps.bus, std::move(filter), resumeAfter, deps.heartbeat),
                         .contentType = std::string(telemetry::kEventStreamContentType)};
          });
}

}  // namespace ballast::api
