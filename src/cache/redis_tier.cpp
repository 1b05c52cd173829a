#include "cache/redis_tier.h"

#include <stdexcept>

#include <fmt/format.h>

#include "cache/backoff.h"
#include "cache/invalidation.h"

namespace ballast::cache {

namespace {

constexpr std::string_view kScanCount = "1000";

RedisEndpoint endpointOf(const RedisOptions& o) {
  return {o.host, o.port, o.password, o.connectTimeout, o.commandTimeout};
}

size_t checkedPoolSize(size_t size) {
  if (size == 0) throw std::invalid_argument("the Redis pool needs at least one connection");
  return size;
}

}  // namespace

RedisTier::RedisTier(const RedisOptions& options, std::string nodeId, core::Random& random,
                     StateListener listener)
    : options_(options),
      keys_(options.keyPrefix),
      channel_(keys_.channel()),
      nodeId_(std::move(nodeId)),
      pool_(endpointOf(options), checkedPoolSize(options.poolSize)),
      link_({options.pingInterval, options.backoffInitial, options.backoffMax}, random,
            {.connect = [this] { return connect(); },
             .ping =
                 [this] {
                   const RedisArgs ping[] = {{"PING"}};
                   (void)run(ping);  // a failure marks the tier down
                 },
             .dropConnections = [this] { pool_.closeAll(); },
             .listener = std::move(listener)}) {}

RedisTier::~RedisTier() { stop(); }

void RedisTier::start() {
  connect();
  link_.start();
}

void RedisTier::stop() { link_.stop(); }

core::Result<std::vector<RedisValue>> RedisTier::run(std::span<const RedisArgs> commands) {
  if (!link_.up()) return core::fail(core::ErrorCode::kUnavailable, "Redis is unavailable");
  auto lease = pool_.acquire(options_.commandTimeout);
  if (!lease) {
    noteError(lease.error().message);
    return std::unexpected(lease.error());
  }
  commands_.fetch_add(1, std::memory_order_relaxed);
  auto replies = (*lease)->pipeline(commands);
  if (!replies) {
    noteError(replies.error().message);
    link_.markDown(replies.error().message);
    return replies;
  }
  for (const auto& reply : *replies) {
    if (reply.isError()) {
      auto error = core::fail(core::ErrorCode::kUnavailable, fmt::format("Redis error: {}", reply.text));
      noteError(error.error().message);
      return error;
    }
  }
  return replies;
}

template <typename T>
core::Result<T> RedisTier::checked(core::Result<T> result) {
  if (!result) noteError(result.error().message);
  return result;
}

std::string_view RedisTier::sealed(std::string_view redisKey, std::string_view value, std::string& storage) const {
  if (!options_.sealer) return value;
  storage = options_.sealer->seal(value, redisKey);
  return storage;
}

std::optional<StoredValue> RedisTier::opened(std::string_view redisKey, std::optional<StoredValue> stored) {
  if (!options_.sealer || !stored) return stored;
  auto plain = options_.sealer->open(stored->value, redisKey);
  if (!plain) {
    noteError(fmt::format("cache value {} not used (cache.redis.encryptValues): {}", redisKey, plain.error().message));
    return std::nullopt;
  }
  stored->value = std::move(*plain);
  return stored;
}

std::string RedisTier::invalidation(std::vector<std::string> keys) const {
  return encodeInvalidation({nodeId_, keys.empty() ? Invalidation::Kind::kClear : Invalidation::Kind::kKeys,
                             std::move(keys)});
}

core::Result<std::optional<StoredValue>> RedisTier::get(std::string_view key) {
  const std::string redisKey = keys_.redisKey(key);
  const RedisArgs commands[] = {{"GET", redisKey}, {"PTTL", redisKey}};
  auto replies = run(commands);
  if (!replies) return std::unexpected(replies.error());
  auto stored = checked(storedValueOf((*replies)[0], (*replies)[1]));
  if (!stored) return std::unexpected(stored.error());
  return opened(redisKey, std::move(*stored));
}

core::Result<std::vector<std::optional<StoredValue>>> RedisTier::mget(std::span<const std::string> keys) {
  std::vector<std::string> redisKeys;
  redisKeys.reserve(keys.size());
  std::vector<RedisArgs> commands;
  commands.reserve(keys.size() * 2);
  for (const auto& key : keys) {
    const std::string& redisKey = redisKeys.emplace_back(keys_.redisKey(key));
    commands.push_back({"GET", redisKey});
    commands.push_back({"PTTL", redisKey});
  }
  auto replies = run(commands);
  if (!replies) return std::unexpected(replies.error());
  std::vector<std::optional<StoredValue>> out;
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    auto stored = checked(storedValueOf((*replies)[2 * i], (*replies)[2 * i + 1]));
    if (!stored) return std::unexpected(stored.error());
    out.push_back(opened(redisKeys[i], std::move(*stored)));
  }
  return out;
}

core::Result<bool> RedisTier::set(std::string_view key, std::string_view value, core::Millis ttl) {
  const std::string redisKey = keys_.redisKey(key);
  const std::string px = std::to_string(ttl.count());
  const std::string message = invalidation({std::string(key)});
  std::string sealedStorage;
  const RedisArgs commands[] = {{"EXISTS", redisKey},
                                {"SET", redisKey, sealed(redisKey, value, sealedStorage), "PX", px},
                                {"PUBLISH", channel_, message}};
  auto replies = run(commands);
  if (!replies) return std::unexpected(replies.error());
  if (auto ok = checked(expectStatus((*replies)[1], "OK")); !ok) return std::unexpected(ok.error());
  auto existed = checked(integerOf((*replies)[0]));
  if (!existed) return std::unexpected(existed.error());
  return *existed > 0;
}

core::Status RedisTier::mset(std::span<const std::pair<std::string, std::string>> entries,
                             core::Millis ttl) {
  const std::string px = std::to_string(ttl.count());
  std::vector<std::string> redisKeys;
  redisKeys.reserve(entries.size());
  std::vector<std::string> plainKeys;
  plainKeys.reserve(entries.size());
  std::vector<RedisArgs> commands;
  commands.reserve(entries.size() + 1);
  std::vector<std::string> sealedStorage(entries.size());  // sized once: views into it stay valid
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& [key, value] = entries[i];
    const std::string& redisKey = redisKeys.emplace_back(keys_.redisKey(key));
    plainKeys.push_back(key);
    commands.push_back({"SET", redisKey, sealed(redisKey, value, sealedStorage[i]), "PX", px});
  }
  const std::string message = invalidation(std::move(plainKeys));
  commands.push_back({"PUBLISH", channel_, message});
  auto replies = run(commands);
  if (!replies) return std::unexpected(replies.error());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (auto ok = checked(expectStatus((*replies)[i], "OK")); !ok) return ok;
  }
  return {};
}

core::Result<bool> RedisTier::del(std::string_view key) {
  const std::string redisKey = keys_.redisKey(key);
  const std::string message = invalidation({std::string(key)});
  const RedisArgs commands[] = {{"UNLINK", redisKey}, {"PUBLISH", channel_, message}};
  auto replies = run(commands);
  if (!replies) return std::unexpected(replies.error());
  auto removed = checked(integerOf((*replies)[0]));
  if (!removed) return std::unexpected(removed.error());
  return *removed > 0;
}

core::Result<size_t> RedisTier::clear() {
  const std::string pattern = keys_.scanPattern();
  std::string cursor = "0";
  size_t removed = 0;
  do {
    const RedisArgs scan[] = {{"SCAN", cursor, "MATCH", pattern, "COUNT", kScanCount}};
    auto reply = run(scan);
    if (!reply) return std::unexpected(reply.error());
    auto page = checked(scanPageOf(reply->front()));
    if (!page) return std::unexpected(page.error());
    RedisArgs unlink{"UNLINK"};
    for (const auto& key : page->keys) {
      if (keys_.owns(key)) unlink.push_back(key);  // MATCH already did; never trust it alone
    }
    if (unlink.size() > 1) {
      auto unlinked = run(std::span<const RedisArgs>(&unlink, 1));
      if (!unlinked) return std::unexpected(unlinked.error());
      auto count = checked(integerOf(unlinked->front()));
      if (!count) return std::unexpected(count.error());
      removed += static_cast<size_t>(*count);
    }
    cursor = std::move(page->cursor);
  } while (cursor != "0");
  const std::string message = invalidation({});
  const RedisArgs publish[] = {{"PUBLISH", channel_, message}};
  if (auto published = run(publish); !published) return std::unexpected(published.error());
  return removed;
}

RedisTierStats RedisTier::stats() const {
  RedisTierStats out{link_.up(), commands_.load(), errors_.load(), {}};
  std::lock_guard lock(errorMu_);
  out.lastError = lastError_;
  return out;
}

void RedisTier::noteError(const std::string& message) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(errorMu_);
  lastError_ = message;
}

bool RedisTier::connect() {
  if (auto connected = pool_.reconnect(); !connected) {
    noteError(connected.error().message);
    return false;
  }
  link_.markUp();
  return true;
}

}  // namespace ballast::cache
