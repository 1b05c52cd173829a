#pragma once
// How the cache reaches its Redis tier (config cache.redis.*, REDIS_HOST,
// REDIS_PORT, REDIS_PASSWORD) and how it behaves when Redis misbehaves.

#include <cstddef>
#include <memory>
#include <string>

#include "core/clock.h"
#include "security/sealer.h"

namespace ballast::cache {

struct RedisOptions {
  std::string host = "localhost";
  int port = 6379;
  std::string password;  // AUTH when not empty (REDIS_PASSWORD)
  // Every key ballast writes is prefix + key; clear removes only these. The
  // invalidation channel is prefix + "invalidations". Must not be empty.
  std::string keyPrefix = "ballast:cache:";
  // TTL of entries written without one (cache.redis.ttl).
  core::Millis defaultTtl = std::chrono::hours(1);
  // Connections for commands; callers beyond it wait up to commandTimeout.
  size_t poolSize = 4;
  core::Millis connectTimeout{200};
  core::Millis commandTimeout{200};
  // How often the pool and the subscription are probed with PING.
  core::Millis pingInterval{1000};
  // Reconnection delays: doubling from backoffInitial up to backoffMax.
  core::Millis backoffInitial{100};
  core::Millis backoffMax{5000};
  // This node's id in invalidation messages; empty: a random one.
  std::string nodeId;
  // cache.redis.encryptValues: values are sealed (AES-256-GCM, with their
  // Redis key as associated data) before they are written, and opened when
  // read. A value that does not open — sealed under another key, changed, or
  // written in clear — is a miss (counted as an error, see stats().lastError),
  // never returned. Null: values are stored as given.
  std::shared_ptr<const security::Sealer> sealer;
};

}  // namespace ballast::cache
