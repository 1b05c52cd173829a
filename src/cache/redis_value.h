#pragma once
// RESP (the Redis protocol) as plain C++ values, independent of hiredis so the
// rest of the cache -- and the tests -- never see a redisReply:
//   - RedisArgs / encodeCommand: one command as a RESP array of bulk strings
//     (binary-safe: keys and values may hold any bytes, CRLF included);
//   - RedisValue: one reply (nil, string, status, error, integer, array);
//   - parseResp: bytes -> replies, through hiredis's own reader, for the tests
//     and anyone holding raw RESP.
//
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

struct redisReply;

namespace ballast::cache {

// The words of one command ("SET", key, value, "PX", "1000"); views into
// strings the caller keeps alive until the command is sent.
using RedisArgs = std::vector<std::string_view>;

// "*<n>\r\n" then "$<len>\r\n<bytes>\r\n" per argument.
std::string encodeCommand(const RedisArgs& args);

struct RedisValue {
  enum class Type { kNil, kString, kStatus, kError, kInteger, kArray };
  Type type = Type::kNil;
  std::string text;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<RedisValue> elements;  // kArray

  bool isNil() const { return type == Type::kNil; }
  bool isError() const { return type == Type::kError; }
  bool isString() const { return type == Type::kString; }
  bool isInteger() const { return type == Type::kInteger; }
  bool isArray() const { return type == Type::kArray; }
  // A status reply equal to `status` ("OK", "PONG").
  bool isStatus(std::string_view status) const { return type == Type::kStatus && text == status; }
};

// A copy of a hiredis reply tree.
RedisValue fromHiredis(const redisReply& reply);

// Every complete reply in `bytes`, in order. kBadRequest on a protocol error;
// an incomplete trailing reply is an error too.
core::Result<std::vector<RedisValue>> parseResp(std::string_view bytes);

// "ERR unknown command", "(integer) 3", "[\"message\", ...]": for messages and logs.
std::string describe(const RedisValue& value);

}  // namespace ballast::cache
