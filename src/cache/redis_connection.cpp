#include "cache/redis_connection.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cerrno>

#include <fmt/format.h>


namespace ballast::cache {

namespace {

timeval toTimeval(core::Millis ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

}  // namespace

std::string RedisEndpoint::address() const { return fmt::format("{}:{}", host, port); }

core::Result<std::unique_ptr<RedisConnection>> RedisConnection::open(const RedisEndpoint& endpoint) {
  redisContext* context = redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port,
                                                  toTimeval(endpoint.connectTimeout));
  if (context == nullptr) return core::fail(core::ErrorCode::kUnavailable, "cannot allocate a Redis context");
  if (context->err != 0) {
    auto error = core::fail(core::ErrorCode::kUnavailable,
                            fmt::format("cannot connect to Redis at {}: {}", endpoint.address(), context->errstr));
    redisFree(context);
    return error;
  }
  std::unique_ptr<RedisConnection> connection(new RedisConnection(context, endpoint.commandTimeout));
  if (redisSetTimeout(context, toTimeval(endpoint.commandTimeout)) != REDIS_OK) {
    return connection->failed("setting socket timeouts");
  }
  // AUTH, or else PING: either way the server must answer before the
  // connection counts (a hung Redis still accepts TCP connections).
  const bool auth = !endpoint.password.empty();
  auto reply = auth ? connection->command({"AUTH", endpoint.password}) : connection->command({"PING"});
  if (!reply) return std::unexpected(reply.error());
  if (!reply->isStatus(auth ? "OK" : "PONG")) {
    return core::fail(core::ErrorCode::kUnavailable,
                      fmt::format("Redis at {} refused {}: {}", endpoint.address(), auth ? "AUTH" : "PING",
                                  describe(*reply)));
  }
  return connection;
}

RedisConnection::RedisConnection(redisContext* context, core::Millis commandTimeout)
    : context_(context), commandTimeout_(commandTimeout) {}

RedisConnection::~RedisConnection() { redisFree(context_); }

int RedisConnection::fd() const { return context_->fd; }

std::unexpected<core::Error> RedisConnection::failed(std::string_view during) {
  broken_ = true;
  const bool timedOut = context_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
  const std::string why = timedOut ? fmt::format("no answer within {} ms", commandTimeout_.count())
                                   : std::string(context_->errstr);
  return core::fail(core::ErrorCode::kUnavailable, fmt::format("Redis {}: {}", during, why));
}

core::Status RedisConnection::send(std::span<const RedisArgs> commands) {
  if (broken_) return core::fail(core::ErrorCode::kUnavailable, "Redis connection is broken");
  for (const auto& args : commands) {
    const std::string encoded = encodeCommand(args);
    if (redisAppendFormattedCommand(context_, encoded.data(), encoded.size()) != REDIS_OK) {
      return failed("buffering a command");
    }
  }
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(context_, &done) != REDIS_OK) return failed("write");
  }
  return {};
}

core::Result<std::vector<RedisValue>> RedisConnection::pipeline(std::span<const RedisArgs> commands) {
  if (auto sent = send(commands); !sent) return std::unexpected(sent.error());
  std::vector<RedisValue> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return failed("read");
    const ReplyPtr reply(static_cast<redisReply*>(raw));
    replies.push_back(fromHiredis(*reply));
  }
  return replies;
}

core::Result<RedisValue> RedisConnection::command(const RedisArgs& args) {
  auto replies = pipeline(std::span<const RedisArgs>(&args, 1));
  if (!replies) return std::unexpected(replies.error());
  return std::move(replies->front());
}

core::Status RedisConnection::readSome() {
  if (broken_) return core::fail(core::ErrorCode::kUnavailable, "Redis connection is broken");
  if (redisBufferRead(context_) != REDIS_OK) return failed("read");
  return {};
}

core::Result<std::optional<RedisValue>> RedisConnection::takeBuffered() {
  void* raw = nullptr;
  if (redisGetReplyFromReader(context_, &raw) != REDIS_OK) return failed("protocol");
  if (raw == nullptr) return std::nullopt;
  const ReplyPtr reply(static_cast<redisReply*>(raw));
  return fromHiredis(*reply);
}

}  // namespace ballast::cache
