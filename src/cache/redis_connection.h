#pragma once
// RedisConnection is one blocking hiredis connection with bounded waits:
// connecting gives up after `connectTimeout`, and every read or write on the
// socket after `commandTimeout` (SO_RCVTIMEO/SO_SNDTIMEO), so a dead or slow
// Redis costs a caller at most about that long per round trip.
//
// Commands are pipelined: pipeline() writes them all, then reads one reply
// each. An error *reply* (-ERR ...) is an ordinary RedisValue; an I/O error,
// a timeout or a protocol error fails the call with kUnavailable and leaves the
// connection broken() for good (hiredis cannot resynchronise it); the owner
// then drops it.
//
// For a subscribed connection (a stream of pushes), send() writes without
// reading, and readSome() / takeBuffered() read what poll(2) on fd() says has
// arrived.
//
// Thread-safety: none; one thread uses a connection at a time (RedisPool
// hands each to one caller).

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cache/redis_value.h"
#include "core/clock.h"
#include "core/error.h"

struct redisContext;

namespace ballast::cache {

struct RedisEndpoint {
  std::string host = "localhost";
  int port = 6379;
  std::string password;  // AUTH <password> after connecting, when not empty
  core::Millis connectTimeout{200};
  core::Millis commandTimeout{200};

  std::string address() const;  // "host:port", for messages
};

class RedisConnection {
 public:
  // Connects, sets the socket timeouts and authenticates (or PINGs without a
  // password), so the server has answered once. kUnavailable, with what went
  // wrong, when any step fails.
  static core::Result<std::unique_ptr<RedisConnection>> open(const RedisEndpoint& endpoint);

  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends `commands` in one write and reads their replies, in order.
  core::Result<std::vector<RedisValue>> pipeline(std::span<const RedisArgs> commands);
  core::Result<RedisValue> command(const RedisArgs& args);

  // Writes `commands` without reading any reply.
  core::Status send(std::span<const RedisArgs> commands);
  // One read(2) into the reply buffer. REQUIRES: fd() is readable (else it
  // blocks up to commandTimeout). Fails when the server closed the connection.
  core::Status readSome();
  // A complete reply already read, if any.
  core::Result<std::optional<RedisValue>> takeBuffered();

  int fd() const;
  bool broken() const { return broken_; }

 private:
  RedisConnection(redisContext* context, core::Millis commandTimeout);
  // Marks the connection broken; kUnavailable naming `during` and hiredis's error.
  std::unexpected<core::Error> failed(std::string_view during);

  redisContext* context_;
  core::Millis commandTimeout_;
  bool broken_ = false;
};

}  // namespace ballast::cache
