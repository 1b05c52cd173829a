#include "cache/redis_pool.h"

#include <fmt/format.h>

namespace ballast::cache {

RedisPool::Lease::Lease(RedisPool* pool, std::unique_ptr<RedisConnection> connection, uint64_t generation)
    : pool_(pool), connection_(std::move(connection)), generation_(generation) {}

RedisPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)), generation_(other.generation_) {}

RedisPool::Lease::~Lease() {
  if (connection_) pool_->release(std::move(connection_), generation_);
}

RedisPool::RedisPool(RedisEndpoint endpoint, size_t size) : endpoint_(std::move(endpoint)), size_(size) {}

RedisPool::~RedisPool() = default;

core::Result<RedisPool::Lease> RedisPool::acquire(core::Millis wait) {
  std::unique_lock lock(mu_);
  if (!returned_.wait_for(lock, wait, [this] { return !idle_.empty(); })) {
    return core::fail(core::ErrorCode::kUnavailable,
                      fmt::format("no Redis connection free within {} ms", wait.count()));
  }
  auto connection = std::move(idle_.back());
  idle_.pop_back();
  return Lease(this, std::move(connection), generation_);
}

core::Status RedisPool::reconnect() {
  std::vector<std::unique_ptr<RedisConnection>> fresh;
  fresh.reserve(size_);
  core::Status result;
  for (size_t i = 0; i < size_ && result; ++i) {
    auto connection = RedisConnection::open(endpoint_);
    if (connection) {
      fresh.push_back(std::move(*connection));
    } else {
      result = std::unexpected(connection.error());
      fresh.clear();
    }
  }
  {
    std::lock_guard lock(mu_);
    ++generation_;
    idle_ = std::move(fresh);
  }
  returned_.notify_all();
  return result;
}

void RedisPool::closeAll() {
  std::vector<std::unique_ptr<RedisConnection>> dropped;
  std::lock_guard lock(mu_);
  ++generation_;
  dropped.swap(idle_);
}

size_t RedisPool::idle() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}

void RedisPool::release(std::unique_ptr<RedisConnection> connection, uint64_t generation) {
  {
    std::lock_guard lock(mu_);
    if (connection->broken() || generation != generation_) return;  // dropped with the lock released below
    idle_.push_back(std::move(connection));
  }
  returned_.notify_one();
}

}  // namespace ballast::cache
