#pragma once
// RedisPool keeps a fixed number of open RedisConnections and lends each to
// one caller at a time. Callers that find none idle wait a bounded time for
// one to come back, then give up (kUnavailable) -- they never open a
// connection themselves, so a request never pays for a connect.
//
// reconnect() replaces every connection (the Redis tier's monitor thread
// calls it to recover); connections lent out at that moment are dropped
// when they come back, as are broken ones.
//
// Thread-safety: every method may be called from any thread.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "cache/redis_connection.h"
#include "core/clock.h"
#include "core/error.h"

namespace ballast::cache {

class RedisPool {
 public:
  // A borrowed connection, returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    RedisConnection* operator->() const { return connection_.get(); }
    RedisConnection& operator*() const { return *connection_; }

   private:
    friend class RedisPool;
    Lease(RedisPool* pool, std::unique_ptr<RedisConnection> connection, uint64_t generation);
    RedisPool* pool_;
    std::unique_ptr<RedisConnection> connection_;
    uint64_t generation_;
  };

  // REQUIRES: size >= 1. Opens nothing until reconnect().
  RedisPool(RedisEndpoint endpoint, size_t size);
  // REQUIRES: no lease outlives the pool.
  ~RedisPool();

  // An idle connection, waiting up to `wait` for one. kUnavailable when none.
  core::Result<Lease> acquire(core::Millis wait);
  // Opens `size` fresh connections and makes them the pool's; stops at the
  // first failure, leaving the pool empty, and returns it.
  core::Status reconnect();
  // Drops every idle connection (leased ones are dropped when returned).
  void closeAll();

  size_t idle() const;
  const RedisEndpoint& endpoint() const { return endpoint_; }

 private:
  void release(std::unique_ptr<RedisConnection> connection, uint64_t generation);

  const RedisEndpoint endpoint_;
  const size_t size_;
  mutable std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;  // guarded by mu_
  uint64_t generation_ = 0;                             // guarded by mu_
};

}  // namespace ballast::cache
