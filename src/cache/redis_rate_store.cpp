#include "cache/redis_rate_store.h"

#include <fmt/format.h>


namespace ballast::cache {

// KEYS[1] the key; ARGV[1] the emission interval and ARGV[2] the window, in
// microseconds. TATs are stored as decimal microseconds of Redis's clock
// (%.0f: Lua 5.1's tostring would round them to 14 digits).
const char* const RedisRateStore::kScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local stored = redis.call('GET', KEYS[1])
local tat = now
if stored then
  tat = math.max(tonumber(stored), now)
end
local newTat = tat + interval
local ahead = newTat - now
if ahead > window then
  return {0, 0, math.ceil((tat - now) / 1000), math.ceil((ahead - window) / 1000)}
end
redis.call('SET', KEYS[1], string.format('%.0f', newTat), 'PX', math.ceil(ahead / 1000) + 1)
return {1, math.floor((window - ahead) / interval), math.ceil(ahead / 1000), 0}
)lua";

RedisRateStore::RedisRateStore(Options options, security::RateStore& fallback, core::Random& random,
                               StateListener listener)
    : options_(std::move(options)),
      fallback_(fallback),
      listener_(std::move(listener)),
      pool_(options_.endpoint, std::max<size_t>(1, options_.poolSize)),
      link_({options_.pingInterval, options_.backoffInitial, options_.backoffMax}, random,
            {.connect = [this] { return connect(); },
             .ping =
                 [this] {
                   auto lease = pool_.acquire(options_.endpoint.commandTimeout);
                   if (!lease) return;
                   if (auto pong = (*lease)->command({"PING"}); !pong) link_.markDown(pong.error().message);
                 },
             .dropConnections = [this] { pool_.closeAll(); },
             .listener = listener_}) {}

RedisRateStore::~RedisRateStore() {
  stop();
}

void RedisRateStore::start() {
  // Down from the start: said once, as a change from up would be.
  if (!connect() && listener_)
    listener_(false, "cannot connect to Redis at " + options_.endpoint.address());
  link_.start();
}

void RedisRateStore::stop() { link_.stop(); }

security::RateDecision RedisRateStore::take(std::string_view key,
                                            const security::RatePolicy& policy) {
  if (link_.up()) {
    auto decision = evaluate(key, policy);
    if (decision) return *decision;
  }
  return fallback_.take(key, policy);
}

core::Result<security::RateDecision> RedisRateStore::evaluate(std::string_view key,
                                                              const security::RatePolicy& policy) {
  auto lease = pool_.acquire(options_.acquireWait);
  if (!lease) return std::unexpected(lease.error());  // all busy: this request decides locally
  char keyBuffer[384];
  const auto written =
      fmt::format_to_n(keyBuffer, sizeof keyBuffer, "{}{}", options_.keyPrefix, key);
  const std::string_view redisKey(keyBuffer, std::min(written.size, sizeof keyBuffer));
  char interval[24];
  char window[24];
  const auto intervalEnd = fmt::format_to_n(interval, sizeof interval, "{}", policy.intervalUs());
  const auto windowEnd = fmt::format_to_n(window, sizeof window, "{}", policy.windowUs());
  const std::string_view intervalArg(interval, intervalEnd.size);
  const std::string_view windowArg(window, windowEnd.size);

  auto reply = (*lease)->command({"EVALSHA", sha_, "1", redisKey, intervalArg, windowArg});
  if (reply && reply->isError() && reply->text.starts_with("NOSCRIPT")) {
    reply = (*lease)->command({"EVAL", kScript, "1", redisKey, intervalArg, windowArg});
  }
  if (!reply) {
    link_.markDown(reply.error().message);
    return std::unexpected(reply.error());
  }
  if (!reply->isArray() || reply->elements.size() != 4) {
    return core::fail(core::ErrorCode::kUnavailable,
                      "unexpected rate-limit script reply: " + describe(*reply));
  }
  security::RateDecision decision;
  decision.allowed = reply->elements[0].integer == 1;
  decision.limit = policy.max;
  decision.remaining = reply->elements[1].integer;
  decision.resetMs = reply->elements[2].integer;
  decision.retryAfterMs = reply->elements[3].integer;
  return decision;
}

bool RedisRateStore::connect() {
  if (auto connected = pool_.reconnect(); !connected) return false;
  if (sha_.empty()) {
    auto lease = pool_.acquire(options_.endpoint.commandTimeout);
    if (!lease) return false;
    auto loaded = (*lease)->command({"SCRIPT", "LOAD", kScript});
    if (!loaded || !loaded->isString()) return false;
    sha_ = loaded->text;  // the script's SHA-1: the same on every server and every connect
  }
  link_.markUp();
  return true;
}

}  // namespace ballast::cache
