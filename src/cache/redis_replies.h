#pragma once
// What the Redis tier's replies mean, as pure functions over RedisValue (so
// they are tested on RESP bytes, without a server):
//   GET + PTTL    -> the stored value and its remaining TTL
//   SCAN          -> the next cursor and a page of keys
//   pub/sub push  -> a message, a subscribe confirmation, or a PING's pong
//
// Thread-safety: pure functions.

#include <optional>
#include <string>
#include <vector>

#include "cache/redis_value.h"
#include "core/clock.h"
#include "core/error.h"

namespace ballast::cache {

// A value read from Redis.
struct StoredValue {
  std::string value;
  // Time left from PTTL; nullopt when the key has no expiry (written by
  // someone else: ballast always sets one).
  std::optional<core::Millis> ttl;
};

// The meaning of the replies to a pipelined GET and PTTL of one key: nullopt
// when absent (or gone between the two commands). kUnavailable for an error
// reply or a reply of the wrong type.
core::Result<std::optional<StoredValue>> storedValueOf(const RedisValue& get, const RedisValue& pttl);

struct ScanPage {
  std::string cursor;  // "0" when the iteration is complete
  std::vector<std::string> keys;
};
core::Result<ScanPage> scanPageOf(const RedisValue& reply);

// The integer of an integer reply (EXISTS, UNLINK, PUBLISH); kUnavailable otherwise.
core::Result<int64_t> integerOf(const RedisValue& reply);
// Success when the reply is the status `expected` ("OK").
core::Status expectStatus(const RedisValue& reply, std::string_view expected);

// A push on a subscribed connection.
struct PubSubEvent {
  enum class Kind { kMessage, kSubscribed, kPong, kOther };
  Kind kind = Kind::kOther;
  std::string channel;  // kMessage, kSubscribed
  std::string payload;  // kMessage
};
PubSubEvent pubSubEventOf(const RedisValue& reply);

}  // namespace ballast::cache
