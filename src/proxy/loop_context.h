#pragma once
// The proxy's options, and what every session on one event loop shares:
// its timeout set, upstream pool, write batch and the list of sessions.
//
// Thread-safety: a LoopContext belongs to its loop's thread; ProxyOptions are
// immutable once the ProxyServer has them.

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_set>

#include "core/body_deadline.h"
#include "core/cidr.h"
#include "core/connection_limiter.h"
#include "proxy/http1/message.h"
#include "proxy/registry.h"
#include "proxy/sticky_cookie.h"
#include "proxy/timeout_set.h"
#include "proxy/upstream_pool.h"
#include "proxy/write_batch.h"
#include "security/rate_limit_counters.h"
#include "security/rate_limiter.h"

namespace ballast::proxy {

struct ProxyOptions {
  http1::HeadLimits headLimits;                    // request head size and field count
  std::chrono::milliseconds headerTimeout{10000};  // first byte to end of the request head
  std::chrono::milliseconds idleTimeout{60000};    // idle keep-alive client connection
  size_t maxIdlePerServer = 256;  // pooled upstream connections per server and loop
  std::string proto = "http";     // X-Forwarded-Proto of plain connections (TLS: https)
  // loadBalancer.ssl.redirectHttp: plain requests are answered 308 to https on
  // this port instead of being proxied; 0 = plain requests are proxied.
  int httpsRedirectPort = 0;
  // Strict-Transport-Security added to responses to TLS clients (when the
  // upstream sent none); empty = left to the application.
  std::string strictTransportSecurity;
  // Where services' `rateLimit` is counted (memory or Redis) and refusals are
  // counted for /metrics; null: services' rate limits are not enforced.
  security::RateStore* rateStore = nullptr;
  security::RateLimitCounters* rateLimited = nullptr;
  // Request bodies: server.limits.bodyTimeout / bodyMinRate.
  core::BodyTimeouts bodyTimeouts;
  // loadBalancer.trustedProxies: peers whose forwarding fields are believed.
  core::CidrSet trustedProxies;
  bool emitForwarded = false;  // loadBalancer.forwarded
  // Sticky-session cookie values (keyed MACs); the ProxyServer makes one with
  // a random key when none is given.
  std::shared_ptr<const StickyCookies> stickyCookies;
  // loadBalancer.dnsRefresh: how often servers' host names are resolved again.
  std::chrono::milliseconds dnsRefresh{30000};
  // server.limits.maxConnections / maxConnectionsPerClient, per listener.
  core::ConnectionLimiter::Limits connectionLimits;
};

class ClientSession;

// Everything sessions on one event loop share.
struct LoopContext {
  LoopContext(boost::asio::io_context& loop, Registry& registry, const ProxyOptions& options,
              const std::atomic<bool>& draining, const std::atomic<bool>& drainPrompt);

  boost::asio::io_context& io;
  Registry& registry;
  const ProxyOptions& options;
  const std::atomic<bool>& draining;     // stop taking new connections and requests
  const std::atomic<bool>& drainPrompt;  // ... and close idle connections at once (shutdown)
  TimeoutSet timeouts;
  UpstreamPool upstreams;
  std::unordered_set<ClientSession*> sessions;
  // Plain sends of the request/response path (last: its queued sends hold
  // suspended sessions, so it goes first when the loop's state is torn down).
  WriteBatch writes;
};

}  // namespace ballast::proxy
