#include "cache/redis_value.h"

#include <hiredis/hiredis.h>

#include <memory>

#include <fmt/format.h>

namespace ballast::cache {

std::string encodeCommand(const RedisArgs& args) {
  size_t size = 16;
  for (const auto arg : args) size += arg.size() + 16;
  std::string out;
  out.reserve(size);
  out += fmt::format("*{}\r\n", args.size());
  for (const auto arg : args) {
    out += fmt::format("${}\r\n", arg.size());
    out.append(arg);
    out += "\r\n";
  }
  return out;
}

RedisValue fromHiredis(const redisReply& reply) {
  RedisValue out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisValue::Type::kString;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisValue::Type::kStatus;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisValue::Type::kError;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisValue::Type::kInteger;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisValue::Type::kArray;
      out.elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) out.elements.push_back(fromHiredis(*reply.element[i]));
      break;
    default:
      out.type = RedisValue::Type::kNil;
  }
  return out;
}

core::Result<std::vector<RedisValue>> parseResp(std::string_view bytes) {
  const std::unique_ptr<redisReader, decltype(&redisReaderFree)> reader(redisReaderCreate(),
                                                                        &redisReaderFree);
  if (!reader) return core::fail(core::ErrorCode::kInternal, "cannot allocate a RESP reader");
  if (redisReaderFeed(reader.get(), bytes.data(), bytes.size()) != REDIS_OK) {
    return core::fail(core::ErrorCode::kBadRequest, reader->errstr);
  }
  std::vector<RedisValue> out;
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK) {
      return core::fail(core::ErrorCode::kBadRequest, fmt::format("RESP protocol error: {}", reader->errstr));
    }
    if (raw == nullptr) break;
    const std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(static_cast<redisReply*>(raw),
                                                                        &freeReplyObject);
    out.push_back(fromHiredis(*reply));
  }
  // Unread bytes, or a reply begun (a type byte read, an aggregate opened),
  // mean the input ends inside a reply. (After the last complete reply the
  // reader sits at ridx 0 with an untyped task.)
  const bool begun = reader->ridx > 0 || (reader->ridx == 0 && reader->rstack[0].type >= 0);
  if (begun || reader->pos < reader->len) {
    return core::fail(core::ErrorCode::kBadRequest, "RESP input ends inside a reply");
  }
  return out;
}

std::string describe(const RedisValue& value) {
  switch (value.type) {
    case RedisValue::Type::kNil: return "(nil)";
    case RedisValue::Type::kString: return fmt::format("\"{}\"", value.text.substr(0, 64));
    case RedisValue::Type::kStatus:
    case RedisValue::Type::kError: return value.text;
    case RedisValue::Type::kInteger: return fmt::format("(integer) {}", value.integer);
    case RedisValue::Type::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < value.elements.size(); ++i) {
        if (i > 0) out += ", ";
        out += describe(value.elements[i]);
      }
      return out + "]";
    }
  }
  return "?";
}

}  // namespace ballast::cache
