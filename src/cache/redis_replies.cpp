#include "cache/redis_replies.h"

#include <fmt/format.h>

namespace ballast::cache {

namespace {

std::unexpected<core::Error> unexpectedReply(std::string_view command, const RedisValue& reply) {
  return core::fail(core::ErrorCode::kUnavailable,
                    fmt::format("Redis answered {} with {}", command, describe(reply)));
}

}  // namespace

core::Result<std::optional<StoredValue>> storedValueOf(const RedisValue& get, const RedisValue& pttl) {
  if (get.isNil()) return std::nullopt;
  if (!get.isString()) return unexpectedReply("GET", get);
  if (!pttl.isInteger()) return unexpectedReply("PTTL", pttl);
  if (pttl.integer == -2) return std::nullopt;  // expired or deleted between GET and PTTL
  StoredValue out{get.text, std::nullopt};
  if (pttl.integer >= 0) out.ttl = core::Millis{std::max<int64_t>(1, pttl.integer)};
  return out;
}

core::Result<ScanPage> scanPageOf(const RedisValue& reply) {
  if (!reply.isArray() || reply.elements.size() != 2 || !reply.elements[0].isString() ||
      !reply.elements[1].isArray()) {
    return unexpectedReply("SCAN", reply);
  }
  ScanPage page{reply.elements[0].text, {}};
  page.keys.reserve(reply.elements[1].elements.size());
  for (const auto& key : reply.elements[1].elements) {
    if (!key.isString()) return unexpectedReply("SCAN", reply);
    page.keys.push_back(key.text);
  }
  return page;
}

core::Result<int64_t> integerOf(const RedisValue& reply) {
  if (!reply.isInteger()) return unexpectedReply("a command expecting an integer", reply);
  return reply.integer;
}

core::Status expectStatus(const RedisValue& reply, std::string_view expected) {
  if (reply.isStatus(expected)) return {};
  return unexpectedReply(fmt::format("a command expecting {}", expected), reply);
}

PubSubEvent pubSubEventOf(const RedisValue& reply) {
  PubSubEvent out;
  if (!reply.isArray() || reply.elements.empty() || !reply.elements[0].isString()) {
    // A PING outside subscribed mode; kept for completeness.
    if (reply.isStatus("PONG")) out.kind = PubSubEvent::Kind::kPong;
    return out;
  }
  const auto& kind = reply.elements[0].text;
  const auto& e = reply.elements;
  if (kind == "message" && e.size() == 3 && e[1].isString() && e[2].isString()) {
    out.kind = PubSubEvent::Kind::kMessage;
    out.channel = e[1].text;
    out.payload = e[2].text;
  } else if (kind == "subscribe" && e.size() == 3 && e[1].isString()) {
    out.kind = PubSubEvent::Kind::kSubscribed;
    out.channel = e[1].text;
  } else if (kind == "pong") {
    out.kind = PubSubEvent::Kind::kPong;
  }
  return out;
}

}  // namespace ballast::cache
