#pragma once
// One client connection to the proxy: reads requests (strictly parsed), routes
// each to a service, picks a server, forwards the request over a pooled
// upstream connection and streams the response back — bodies are streamed both
// ways, never buffered whole. Connect failures (and resets before any response
// byte) are retried once on another server when safe and within the retry
// budget. WebSocket upgrades become a two-way tunnel.
//
// Thread-safety: a session lives on one event loop; all its methods run there.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/body_deadline.h"
#include "core/cidr.h"
#include "core/connection_limiter.h"
#include "proxy/client_stream.h"
#include "proxy/http1/chunked_decoder.h"
#include "proxy/http1/request_parser.h"
#include "proxy/http1/response_parser.h"
#include "proxy/io_buffer.h"
#include "proxy/registry.h"
#include "proxy/sticky_cookie.h"
#include "proxy/timeout_set.h"
#include "proxy/upstream_pool.h"
#include "proxy/write_batch.h"
#include "security/rate_limit_counters.h"
#include "security/rate_limiter.h"

namespace ballast::proxy {

struct ProxyOptions {
  http1::HeadLimits headLimits;                     // request head size and field count
  std::chrono::milliseconds headerTimeout{10000};   // first byte to end of the request head
  std::chrono::milliseconds idleTimeout{60000};     // idle keep-alive client connection
  size_t maxIdlePerServer = 256;                    // pooled upstream connections per server and loop
  std::string proto = "http";                       // X-Forwarded-Proto of plain connections (TLS: https)
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

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  // `tls` non-null: a connection on the TLS listener, which starts with the
  // handshake (bounded by the header timeout).
  // `slot` holds the connection's place under the listener's connection caps.
  ClientSession(LoopContext& loop, boost::asio::ip::tcp::socket socket, std::shared_ptr<http::TlsContext> tls,
                core::ConnectionLimiter::Slot slot = {});
  ~ClientSession();

  boost::asio::awaitable<void> run();
  // Drain: closes the connection when it is between requests.
  void closeIfIdle();
  // Gentle drain: an idle connection is closed once it has been idle for
  // `grace` more (a request arriving meanwhile is served, with Connection: close).
  void closeIfIdleFor(std::chrono::milliseconds grace);
  // How long a gently draining connection waits for one more request.
  static constexpr std::chrono::milliseconds kDrainGrace{1500};

 private:
  struct Attempt;
  enum class Outcome { kDone, kCloseClient };

  boost::asio::awaitable<bool> handshake();
  boost::asio::awaitable<bool> readRequestHead(size_t& headLength);
  boost::asio::awaitable<void> redirectToHttps();
  boost::asio::awaitable<Outcome> handleRequest(size_t headLength);
  boost::asio::awaitable<bool> sendLocal(core::ErrorCode code, std::string_view message, bool close,
                                         std::string_view extraHeaders = {});
  boost::asio::awaitable<std::shared_ptr<UpstreamConnection>> connect(const std::shared_ptr<Service>& service,
                                                                      const ServerRuntime& server,
                                                                      const core::ServiceSpec& spec,
                                                                      std::string& failure);
  // From and To: the client's ClientStream or an upstream tcp::socket.
  template <class From, class To>
  // `deadline` non-null: a request body, whose reads are bounded by it
  // (see core::BodyDeadline); null: a response body, bounded by the idle timeout.
  boost::asio::awaitable<bool> pumpBody(From& from, IoBuffer& buffer, To& to, const http1::BodyFraming& framing,
                                        uint64_t alreadySent, http1::ChunkedDecoder* decoder, bool& sourceFailed,
                                        core::BodyDeadline* deadline = nullptr);
  boost::asio::awaitable<Outcome> answerSlowBody(bool responseStarted);
  boost::asio::awaitable<void> tunnel(boost::asio::ip::tcp::socket& upstream);
  const lb::ServerState* stickyServer(const ServiceSnapshot& snapshot, const http1::RequestHead& head) const;
  void onTimeout();

  LoopContext& loop_;
  ClientStream client_;
  core::ConnectionLimiter::Slot slot_;
  std::string peerIp_;        // the connection's peer, canonical
  bool peerTrusted_ = false;  // it is one of loadBalancer.trustedProxies
  std::string clientIp_;      // the current request's client (see clientAddress())
  TimeoutSet::Handle timeout_;
  bool timedOut_ = false;
  bool idle_ = true;
  boost::asio::ip::tcp::socket* upstreamSocket_ = nullptr;  // the upstream in use, for timeouts
  std::array<char, 1024> firstBytes_;  // the first read of an idle connection lands here
  IoBuffer clientBuffer_;
  IoBuffer upstreamBuffer_;
  http1::RequestParser requestParser_;
  http1::ResponseParser responseParser_;
  std::string scratch_;       // response heads being written; reused
  std::string upstreamHead_;  // the request head sent upstream; reused
  std::string method_;        // of the current request, kept past its head's bytes
  std::string path_;
  std::string requestIdCopy_;
  security::RatePolicy ratePolicy_;  // of the current request's service, when it has a rateLimit
  std::array<char, 32> requestIdBytes_;
};

}  // namespace ballast::proxy
